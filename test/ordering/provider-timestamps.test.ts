/**
 * Which helpdesk timestamp orders each provider's events (README, "Ordering"), read by normalize
 * from the captured fixtures. The event-subscription, Intercom, HubSpot and Salesforce creations
 * are pinned in each provider's normalize test; here the other event types and the fallbacks.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createHttpClient } from '../../lib/http.ts';
import { genericProvider } from '../../lib/providers/generic.ts';
import { intercomProvider } from '../../lib/providers/intercom/index.ts';
import type { EventType, ProviderName, QueuedEvent } from '../../lib/providers/types.ts';
import { salesforceProvider } from '../../lib/providers/salesforce/index.ts';
import { zendeskProvider } from '../../lib/providers/zendesk/index.ts';
import { caseNotification, envelope, outbound, queued as salesforceQueued } from '../providers/salesforce/support.ts';

const json = (path: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const http = createHttpClient();

function queued(provider: ProviderName, eventType: EventType, ticketId: string, payload: unknown): QueuedEvent {
  return { provider, eventType, eventId: `${provider}:x`, ticketId, payload, receivedAt: '2026-01-01T00:00:00.000Z', requestId: 'r' };
}

describe('the helpdesk timestamp of each event', () => {
  it('Zendesk comment_added: detail.updated_at', async () => {
    const n = await zendeskProvider.normalize(queued('zendesk', 'message.created', '35436', json('zendesk/comment-added.json')), { settings: {}, http });
    expect(n.occurredAt).toBe('2024-04-18T09:02:44.000Z');
  });

  it('Zendesk event without detail.updated_at: the event’s time', async () => {
    const body = json('zendesk/comment-added.json');
    const detail = { ...(body.detail as Record<string, unknown>) };
    delete detail.updated_at;
    const n = await zendeskProvider.normalize(queued('zendesk', 'message.created', '35436', { ...body, time: '2024-04-18T09:03:00Z', detail }), { settings: {}, http });
    expect(n.occurredAt).toBe('2024-04-18T09:03:00.000Z');
  });

  it('Zendesk trigger: none unless the template carries updated_at (then the event is ordered by receipt)', async () => {
    const body = json('zendesk/trigger-ticket-created.json');
    const plain = await zendeskProvider.normalize(queued('zendesk', 'ticket.created', '35437', body), { settings: {}, http });
    expect(plain.occurredAt).toBeUndefined();
    const ticket = { ...(body.ticket as Record<string, unknown>), updated_at: '2024-04-17T17:40:00Z' };
    const templated = await zendeskProvider.normalize(queued('zendesk', 'ticket.created', '35437', { ticket }), { settings: {}, http });
    expect(templated.occurredAt).toBe('2024-04-17T17:40:00.000Z');
  });

  it('Intercom reply: the conversation’s updated_at (Unix seconds)', async () => {
    const body = json('intercom/conversation-user-replied.json');
    const item = (body.data as { item: Record<string, unknown> }).item;
    const n = await intercomProvider.normalize(queued('intercom', 'message.created', String(item.id), { topic: body.topic, notificationId: body.id, object: 'conversation', item }), {
      settings: {},
      http,
    });
    // updated_at 1717239600
    expect(n.occurredAt).toBe('2024-06-01T11:00:00.000Z');
  });

  it('dates a creation by the ticket’s creation, though a late delivery carries a newer state', async () => {
    // Zendesk: the event's detail as the ticket was when the (late) delivery was built.
    const body = json('zendesk/ticket-created.json');
    const late = { ...body, time: '2024-04-19T15:00:00Z', detail: { ...(body.detail as Record<string, unknown>), status: 'SOLVED', updated_at: '2024-04-19T15:00:00Z' } };
    const zendesk = await zendeskProvider.normalize(queued('zendesk', 'ticket.created', '35436', late), { settings: {}, http });
    expect(zendesk.occurredAt).toBe('2024-04-17T17:18:10.000Z');

    // Intercom: a conversation.user.created whose item was updated since.
    const ic = json('intercom/conversation-user-created.json');
    const item = { ...(ic.data as { item: Record<string, unknown> }).item, updated_at: 1717300000 };
    const intercom = await intercomProvider.normalize(queued('intercom', 'ticket.created', '1295', { topic: ic.topic, notificationId: ic.id, object: 'conversation', item }), { settings: {}, http });
    expect(intercom.occurredAt).toBe('2024-06-01T10:00:00.000Z');

    // Salesforce: "the endpoint only receives the latest data" (helpdesks.md §4.3): a closed Case.
    const xml = envelope(
      caseNotification('04l5e00000AbCdE1', {
        Id: '5005e00000QxYz1AAF',
        Subject: 'Charged twice',
        Status: 'Closed',
        CreatedDate: '2024-06-01T10:00:00.000Z',
        LastModifiedDate: '2024-06-03T08:00:00.000Z',
      }),
    );
    const parsed = salesforceProvider.parse(outbound(xml, 'ticket.created'), {});
    if (parsed.kind !== 'events' || parsed.events[0] === undefined) throw new Error('no event');
    const salesforce = await salesforceProvider.normalize(salesforceQueued(parsed.events[0]), { settings: {}, http });
    expect(salesforce.occurredAt).toBe('2024-06-01T10:00:00.000Z');
  });

  it('generic: occurred_at / updated_at / timestamp, ISO-8601 or epoch', async () => {
    const at = async (payload: Record<string, unknown>) =>
      (await genericProvider.normalize(queued('generic', 'ticket.created', 'T-1', { ticket_id: 'T-1', subject: 's', ...payload }), { settings: {}, http })).occurredAt;
    expect(await at({ occurred_at: '2024-05-01T10:00:00+02:00' })).toBe('2024-05-01T08:00:00.000Z');
    expect(await at({ updated_at: 1714550400 })).toBe('2024-05-01T08:00:00.000Z');
    expect(await at({ timestamp: 1714550400123 })).toBe('2024-05-01T08:00:00.123Z');
    expect(await at({ updated_at: 'last tuesday' })).toBeUndefined();
    expect(await at({})).toBeUndefined();
  });
});
