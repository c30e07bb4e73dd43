/**
 * Ticket ids never step out of the ticket's URL (issue #13 finding 2): ingest refuses ids of a shape
 * the helpdesk never issues (422 invalid_ticket_id, nothing queued), and the URL building refuses
 * `.` and `..` whatever got past it, so a write-back stays under its resource.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PermanentEventError } from '../../lib/errors.ts';
import { providers } from '../../lib/providers/registry.ts';
import type { NormalizedEvent } from '../../lib/providers/types.ts';
import { pathSegment } from '../../lib/ticket-id.ts';
import { createKit } from './redteam-kit.ts';

const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
const json = (path: string) => JSON.parse(fixture(path)) as Record<string, unknown>;
const HOSTILE = ['..', '.', ' ', '../users', '1/../2', '%2e%2e', '20?x=1', '20#', ' 20', '20\n'];

describe('ingest refuses ticket ids the helpdesk never issues', () => {
  const kit = createKit();
  const bodies: Record<string, (id: string) => [provider: Parameters<typeof kit.post>[0], path: string, body: string]> = {
    generic: (id) => ['generic', '/webhooks/generic/ticket-created', JSON.stringify({ ticket_id: id, subject: 's', body: 'b' })],
    zendesk: (id) => ['zendesk', '/webhooks/zendesk/ticket-created', JSON.stringify({ ticket_id: id, subject: 's' })],
    freshdesk: (id) => {
      const body = json('freshdesk/simple-ticket-created.json') as { freshdesk_webhook: Record<string, unknown> };
      return ['freshdesk', '/webhooks/freshdesk', JSON.stringify({ freshdesk_webhook: { ...body.freshdesk_webhook, ticket_id: id } })];
    },
    intercom: (id) => {
      const body = json('intercom/conversation-user-created.json') as { data: { item: Record<string, unknown> } };
      return ['intercom', '/webhooks/intercom', JSON.stringify({ ...body, data: { ...body.data, item: { ...body.data.item, id } } })];
    },
    hubspot: (id) => {
      const [first] = JSON.parse(fixture('hubspot/ticket-creation.json')) as Record<string, unknown>[];
      return ['hubspot', '/webhooks/hubspot', JSON.stringify([{ ...first, objectId: id }])];
    },
    salesforce: (id) => ['salesforce', '/webhooks/salesforce/ticket-created', fixture('salesforce/case-created.xml').replace('5005e00000QxYz1AAF', id.replaceAll('&', '&amp;').replaceAll('<', '&lt;'))],
  };

  for (const [name, build] of Object.entries(bodies)) {
    it(`${name}: ${HOSTILE.filter((id) => name !== 'generic' || ['..', '.', ' '].includes(id)).length} hostile ids → 422 invalid_ticket_id, nothing queued`, async () => {
      for (const id of HOSTILE) {
        // The generic provider takes any id the sender uses, but not a path step or a blank one.
        if (name === 'generic' && !['..', '.', ' '].includes(id)) continue;
        // HubSpot's objectId is trimmed before use (parse.ts), so surrounding blanks are harmless there.
        if (name === 'hubspot' && id.trim() !== id) continue;
        const r = await kit.post(...build(id));
        expect({ id, ...r }).toMatchObject({ id, status: 422, body: { error: 'invalid_ticket_id' }, events: [] });
        if (id.length > 2) expect(JSON.stringify(r.body)).not.toContain(JSON.stringify(id).slice(1, -1));
      }
    });
  }

  it('real ids of each helpdesk still pass', async () => {
    const ok = [bodies.zendesk?.('35436'), bodies.freshdesk?.('20'), bodies.intercom?.('1295'), bodies.hubspot?.('3052741912'), bodies.salesforce?.('5005e00000QxYz1'), bodies.generic?.('../x')];
    for (const args of ok) {
      if (args === undefined) throw new Error('missing builder');
      const r = await kit.post(...args);
      // Salesforce acknowledges with 200 and its SOAP Ack; the others answer 202.
      expect({ provider: args[0], status: r.status, queued: r.events.length }).toEqual({ provider: args[0], status: args[0] === 'salesforce' ? 200 : 202, queued: 1 });
    }
  });
});

describe('URL path segments stay under their resource', () => {
  it('refuses ".", ".." and "" with a PermanentEventError', () => {
    for (const id of ['.', '..', '']) {
      expect(() => pathSegment(id)).toThrow(PermanentEventError);
    }
  });

  it('encodes everything else so that the resolved path keeps its prefix', () => {
    for (const id of ['%2e%2e', '%2E.', '.%2e', '../..', 'a/../../b', '..%2f', '?', '#', '\\..', '...']) {
      const url = new URL(`https://acme.zendesk.com/api/v2/tickets/${pathSegment(id)}`);
      expect({ id, path: url.pathname.startsWith('/api/v2/tickets/') && url.pathname.length > '/api/v2/tickets/'.length, search: url.search, hash: url.hash }).toEqual({ id, path: true, search: '', hash: '' });
    }
  });

  it('a generic write-back of a queued ".." ticket is refused, not PUT to the parent', () => {
    const event: NormalizedEvent = { eventType: 'ticket.created', ticketId: '..', subject: 's', body: 'b', customerId: 'c', channel: 'web', conversation: [], metadata: {} };
    const build = () =>
      providers.generic.writeBack(
        { event, results: { classify: { category: 'billing', priority: 'high', confidence: 0.9 } }, confidenceThreshold: 0.5 },
        { settings: { updateUrl: 'https://helpdesk.example/api/tickets/{ticket_id}' }, http: { request: () => Promise.reject(new Error('no call')) } },
      );
    expect(build).toThrow(expect.objectContaining({ reason: 'unsafe_path_segment' }));
  });
});
