/**
 * An Intercom event has one identity whichever path brings it. A notification's `data.item` is
 * the REST API's conversation/ticket model, so each case takes one record — a real captured
 * notification from ../shared/fixtures/real/intercom (read at run time; skipped where absent) — and
 * derives the event id twice: through parse.ts from the notification, and through list.ts from
 * the same object as a search result lists it. Expected ids are written by hand from the fixtures.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { intercomProvider } from '../../lib/providers/intercom/index.ts';
import { recordOf } from '../../lib/providers/intercom/list.ts';
import type { ProviderSettings } from '../../lib/providers/types.ts';
import { request } from '../providers/intercom/support.ts';

const REAL = new URL('../../../shared/fixtures/real/intercom/', import.meta.url);
const present = existsSync(REAL);
if (!present) console.warn(`real Intercom payloads not found at ${REAL.pathname}: the identity suite is skipped.`);

type Notification = { topic: string; id: string; data: { item: Record<string, unknown> } };
const real = (name: string): Notification => JSON.parse(readFileSync(new URL(name, REAL), 'utf8')) as Notification;

function webhookIds(body: Notification, settings: ProviderSettings = {}): string[] {
  const result = intercomProvider.parse(request(JSON.stringify(body)), settings);
  return result.kind === 'events' ? result.events.map((e) => `intercom:${e.identity}`) : [];
}

function listedIds(item: Record<string, unknown>, object: 'conversation' | 'ticket', eventType: string, settings: ProviderSettings = {}): string[] {
  return recordOf(item, object, settings).flatMap((r) => r.events.filter((e) => e.eventType === eventType).map((e) => `intercom:${e.identity}`));
}

describe.runIf(present)('Intercom identity: the notification and the search result of one record', () => {
  it('conversation.user.created (1.x item, a user’s conversation) → intercom:ticket.created:{id} on both paths', () => {
    const body = real('zulip-conversation-user-created.json');
    const id = String(body.data.item.id);
    expect(webhookIds(body)).toEqual([`intercom:ticket.created:${id}`]);
    expect(listedIds(body.data.item, 'conversation', 'ticket.created')).toEqual([`intercom:ticket.created:${id}`]);
  });

  it('a conversation a lead started (2.x item) → the creation the listing derives is the one conversation.user.created names', () => {
    const notified = real('zulip-conversation-priority-updated.json');
    const body = { ...notified, topic: 'conversation.user.created' };
    expect(webhookIds(body)).toEqual(listedIds(notified.data.item, 'conversation', 'ticket.created'));
    expect(webhookIds(body)).toHaveLength(1);
  });

  it('ticket.created → intercom:ticket.created:215472629311235 on both paths (the API id, not the Inbox number 66040342)', () => {
    const body = real('zulip-ticket-created.json');
    expect(webhookIds(body)).toEqual(['intercom:ticket.created:215472629311235']);
    expect(listedIds(body.data.item, 'ticket', 'ticket.created')).toEqual(['intercom:ticket.created:215472629311235']);
  });

  it('conversation.admin.closed and the closed conversation in a search → the same ticket.resolved id', () => {
    const notified = real('zulip-conversation-priority-updated.json');
    const item = { ...notified.data.item, state: 'closed', open: false };
    const body = { ...notified, topic: 'conversation.admin.closed', data: { ...notified.data, item } };
    const id = String(notified.data.item.id);
    expect(webhookIds(body)).toEqual([`intercom:ticket.resolved:${id}`]);
    expect(listedIds(item, 'conversation', 'ticket.resolved')).toEqual([`intercom:ticket.resolved:${id}`]);
  });

  it.each(['ticket.state.updated', 'ticket.closed'])('%s to a resolved state and the resolved ticket in a search → intercom:ticket.resolved:215472629311235', (topic) => {
    const notified = real('zulip-ticket-created.json');
    const item = { ...notified.data.item, ticket_state: { type: 'ticket_state', id: '4517896', category: 'resolved' }, open: false };
    const body = { ...notified, topic, id: `notif_${topic}`, data: { ...notified.data, item } };
    expect(webhookIds(body)).toEqual(['intercom:ticket.resolved:215472629311235']);
    expect(listedIds(item, 'ticket', 'ticket.resolved')).toEqual(['intercom:ticket.resolved:215472629311235']);
  });

  it('a fieldMap.ticketId override applies to both paths alike', () => {
    const body = real('zulip-ticket-created.json');
    const settings = { fieldMap: { ticketId: ['ticket_id'] } };
    expect(webhookIds(body, settings)).toEqual(['intercom:ticket.created:66040342']);
    expect(listedIds(body.data.item, 'ticket', 'ticket.created', settings)).toEqual(['intercom:ticket.created:66040342']);
  });

  it('a conversation a teammate started has no creation on the listing, as no conversation.user.created is sent for it', () => {
    const notified = real('zulip-conversation-priority-updated.json');
    const source = { ...(notified.data.item.source as Record<string, unknown>), author: { type: 'admin', id: '814860' } };
    expect(listedIds({ ...notified.data.item, source }, 'conversation', 'ticket.created')).toEqual([]);
  });
});
