/**
 * Zendesk customer replies from the Incremental Ticket Event Export (`include=comment_events`),
 * with `reconcileComments` on: against the fake account (test/support/fake-zendesk.ts) behind the
 * contract check of Zendesk's OpenAPI file. Each public comment of a non-staff author becomes
 * `message.created:{ticket id}:{comment id}`, the identity the `ticket.comment_added` event
 * subscription gives the same comment; a ticket's description, agents' replies, internal notes and
 * the bridge's own notes do not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../lib/http.ts';
import { zendeskProvider } from '../../lib/providers/zendesk/index.ts';
import { zendeskLister } from '../../lib/providers/zendesk/list.ts';
import type { ListPage } from '../../lib/reconcile/types.ts';
import { startFakeServer, type FakeServer } from '../support/fake-server.ts';
import { startFakeZendesk, ZENDESK_EMAIL, ZENDESK_TOKEN, zendeskCommentWebhook, zendeskComments, zendeskTicket, type FakeZendesk } from '../support/fake-zendesk.ts';
import { helpdeskContract } from '../support/helpdesk-contracts.ts';

const NOW = Date.now();
let fake: FakeZendesk;
let server: FakeServer;
const settings = () => ({ baseUrl: server.url, email: ZENDESK_EMAIL, apiToken: ZENDESK_TOKEN, exportPageSize: 4, reconcileComments: true });
const http = createHttpClient({ sleep: async () => {} });

async function listAll(messages: boolean, extra: Record<string, unknown> = {}): Promise<ListPage[]> {
  const pages: ListPage[] = [];
  let cursor: string | undefined;
  do {
    const page = await zendeskLister.listPage(http, { ...settings(), ...extra }, { sinceMs: NOW - 3 * 3_600_000, messages, cursor });
    pages.push(page);
    cursor = page.next;
  } while (cursor !== undefined && pages.length < 20);
  return pages;
}

beforeAll(async () => {
  fake = startFakeZendesk({ now: () => NOW, baseUrl: () => server.url, eventsPageSize: 4 });
  server = await startFakeServer(fake.respond, { contract: helpdeskContract });
  for (let id = 1; id <= 5; id++) {
    const ticket = zendeskTicket(id, NOW - 2 * 3_600_000 + id * 60_000, 'open');
    fake.tickets.set(id, ticket);
    fake.comments.set(id, [
      ...zendeskComments(ticket),
      // The bridge's own note, public by mistake: still not a customer message.
      { id: id * 1000 + 40, author_id: 9002, body: '[Simpli AI] Triage: billing', public: true, created_at: new Date(NOW - 3_000_000).toISOString() },
    ]);
  }
});
afterAll(async () => {
  server.assertNoViolations();
  await server.stop();
});

describe('Zendesk comments by the ticket events export', () => {
  it('lists each customer reply once as message.created, with the comment_added webhook’s identity', async () => {
    const pages = await listAll(true);
    expect(pages.length).toBeGreaterThan(1);
    const messages = pages.flatMap((p) => p.records).flatMap((r) => r.events).filter((e) => e.eventType === 'message.created');
    const identities = [...new Set(messages.map((e) => e.identity))].sort();
    expect(identities).toEqual([1, 2, 3, 4, 5].map((id) => `message.created:${id}:${id * 1000 + 10}`).sort());

    // The same comment by webhook: ingest's parse() derives the same event.
    for (const id of [1, 5]) {
      const ticket = fake.tickets.get(id);
      const comment = fake.comments.get(id)?.[0];
      if (ticket === undefined || comment === undefined) throw new Error('seeded above');
      const body = zendeskCommentWebhook(ticket, comment);
      const parsed = zendeskProvider.parse({ method: 'POST', url: 'https://bridge.example.com/webhooks/zendesk', rawBody: Buffer.from(body), headers: { 'content-type': 'application/json' }, query: {}, routeEvent: undefined }, {});
      const viaWebhook = parsed.kind === 'events' ? parsed.events.map((e) => ({ eventType: e.eventType, ticketId: e.ticketId, identity: e.identity })) : [parsed];
      const viaListing = messages.filter((e) => e.ticketId === String(id)).map((e) => ({ eventType: e.eventType, ticketId: e.ticketId, identity: e.identity }));
      expect([...new Set(viaListing.map((e) => JSON.stringify(e)))].map((e) => JSON.parse(e) as unknown)).toEqual(viaWebhook);
    }
  });

  it('asks the events export with the comment_events sideload and tells staff by List Users', () => {
    const events = server.calls('GET', '/api/v2/incremental/ticket_events');
    expect(events.length).toBeGreaterThan(1);
    for (const r of events) expect(r.query.get('include')).toBe('comment_events');
    const users = server.calls('GET', '/api/v2/users').map((r) => r.query.get('role'));
    expect(new Set(users)).toEqual(new Set(['agent', 'admin']));
  });

  it('lists no comments without reconcileComments, or for backfill (messages not asked)', async () => {
    const before = server.calls('GET', '/api/v2/incremental/ticket_events').length;
    const off = await listAll(true, { reconcileComments: false });
    const backfill = await listAll(false);
    for (const pages of [off, backfill]) expect(pages.flatMap((p) => p.records).flatMap((r) => r.events).some((e) => e.eventType === 'message.created')).toBe(false);
    expect(server.calls('GET', '/api/v2/incremental/ticket_events')).toHaveLength(before);
    // Without comments the cursor stays the export's own after_cursor, as before.
    expect(off.at(0)?.next?.startsWith('{')).toBe(false);
  });

  it('continues a cursor stored before comments were listed (the export’s after_cursor alone)', async () => {
    const legacy = (await zendeskLister.listPage(http, settings(), { sinceMs: NOW - 3 * 3_600_000 })).next;
    expect(legacy).toBeDefined();
    const page = await zendeskLister.listPage(http, settings(), { sinceMs: NOW - 3 * 3_600_000, messages: true, cursor: legacy });
    expect(JSON.parse(page.next ?? '{}')).toMatchObject({ events: expect.any(Number) });
  });
});
