/**
 * The Salesforce listing against the fake org (test/support/fake-salesforce.ts), without the
 * emulators: the queries it sends keep the SOQL the fake checks, it honours Sforce-Limit-Info by
 * stopping a pass early (and the next run continues there), and what it queues normalizes as the
 * outbound message of the same record does. The fake itself refuses what Salesforce refuses.
 */
import { describe, expect, it } from 'vitest';
import type { HttpClient } from '../../lib/http.ts';
import { salesforceLister } from '../../lib/providers/salesforce/list.ts';
import { normalizeSalesforce } from '../../lib/providers/salesforce/normalize.ts';
import type { QueuedEvent } from '../../lib/providers/types.ts';
import { runPass } from '../../lib/reconcile/pass.ts';
import { caseId, fakeCase, fakeMessages, SALESFORCE_TOKEN, startFakeSalesforce, type FakeSalesforce } from '../support/fake-salesforce.ts';
import type { RecordedRequest } from '../support/fake-server.ts';
import { memoryWatermarks } from '../support/memory-watermarks.ts';

const BASE = 'https://acme.my.salesforce.com';
const NOW = Date.parse('2026-12-03T12:00:00Z');

/** An HttpClient that hands each request to the fake's responder, as the HTTP server would. */
function through(fake: FakeSalesforce): HttpClient & { urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    async request(r) {
      urls.push(r.url);
      const url = new URL(r.url);
      const recorded: RecordedRequest = { method: r.method, path: url.pathname, query: url.searchParams, headers: { ...r.headers }, rawBody: '', body: r.json };
      const reply = await fake.respond(recorded);
      const status = reply.status ?? 200;
      if (status >= 400) throw new Error(`fake Salesforce answered ${status}: ${JSON.stringify(reply.json)}`);
      return { status, headers: new Headers(reply.headers), body: JSON.stringify(reply.json ?? null) };
    },
  };
}

function seeded(count: number, options: { apiUsedAtStart?: number; apiAllowance?: number } = {}): FakeSalesforce {
  const fake = startFakeSalesforce({ now: () => NOW, ...options });
  for (let n = 1; n <= count; n++) {
    const created = NOW - 3_600_000 + n * 60_000;
    fake.cases.set(caseId(n), fakeCase(n, created, false));
    const { comments, emails } = fakeMessages(n, created);
    for (const c of comments) fake.comments.set(c.Id, c);
    for (const e of emails) fake.emails.set(e.Id, e);
  }
  return fake;
}

const settings = { instanceUrl: BASE, accessToken: SALESFORCE_TOKEN, listPageSize: 4 };

describe('the Salesforce listing', () => {
  it('lists Cases, published customer comments and incoming emails, in keyed pages of LIMIT n each', async () => {
    const fake = seeded(6);
    const http = through(fake);
    const pages = [];
    let cursor: string | undefined;
    do {
      const page = await salesforceLister.listPage(http, settings, { sinceMs: NOW - 2 * 3_600_000, messages: true, cursor });
      pages.push(page);
      cursor = page.next;
    } while (cursor !== undefined && pages.length < 10);
    // 6 Cases, 12 published comments (6 of them agents'), 6 incoming emails, LIMIT 4: the comments
    // fill 3 pages, and only a short 4th says the listing is at its end.
    expect(pages).toHaveLength(4);
    const events = pages.flatMap((p) => p.records).flatMap((r) => r.events);
    expect(events.filter((e) => e.eventType === 'ticket.created')).toHaveLength(6);
    // Per Case, the portal user's comment and the incoming email; not the agent's published
    // comment, the internal one, nor the outgoing email.
    const messages = events.filter((e) => e.eventType === 'message.created').map((e) => e.identity);
    expect(messages.sort()).toEqual(
      [1, 2, 3, 4, 5, 6].flatMap((n) => [`message.created:${caseId(n)}:${fakeMessages(n, 0).comments[0]?.Id}`, `message.created:${caseId(n)}:${fakeMessages(n, 0).emails[0]?.Id}`]).sort(),
    );
    expect(fake.queries[0]).toBe(
      `SELECT Id, CaseNumber, Subject, Description, Status, IsClosed, ClosedDate, Priority, Origin, ContactId, SuppliedEmail, OwnerId, CreatedDate, LastModifiedDate FROM Case WHERE LastModifiedDate >= 2026-12-03T10:00:00Z ORDER BY LastModifiedDate ASC, Id ASC LIMIT 4`,
    );
    expect(fake.queries[1]).toBe(
      'SELECT Id, ParentId, CommentBody, IsPublished, CreatedDate, LastModifiedDate, CreatedBy.UserType FROM CaseComment WHERE IsPublished = true AND CreatedDate >= 2026-12-03T10:00:00Z ORDER BY CreatedDate ASC, Id ASC LIMIT 4',
    );
    expect(fake.queries[2]).toMatch(/^SELECT .* FROM EmailMessage WHERE Incoming = true AND ParentId != null AND CreatedDate >= 2026-12-03T10:00:00Z ORDER BY CreatedDate ASC, Id ASC LIMIT 4$/);
    // The second page continues each listing after its last row.
    expect(fake.queries[3]).toMatch(/WHERE \(LastModifiedDate > \S+Z OR \(LastModifiedDate = \S+Z AND Id > '5005e0000000004\w{3}'\)\)/);
  });

  it('lists no messages when not asked to (backfill takes tickets)', async () => {
    const fake = seeded(2);
    const page = await salesforceLister.listPage(through(fake), settings, { sinceMs: NOW - 2 * 3_600_000 });
    expect(page.records.flatMap((r) => r.events).map((e) => e.eventType)).toEqual(['ticket.created', 'ticket.created']);
    expect(fake.queries.every((q) => q.includes(' FROM Case '))).toBe(true);
  });

  it('queues a message that normalizes to its own text, as the outbound message does', async () => {
    const fake = seeded(1);
    const page = await salesforceLister.listPage(through(fake), settings, { sinceMs: NOW - 2 * 3_600_000, messages: true });
    const texts: string[] = [];
    for (const e of page.records.flatMap((r) => r.events).filter((x) => x.eventType === 'message.created')) {
      const queued: QueuedEvent = { provider: 'salesforce', eventType: e.eventType, eventId: `salesforce:${e.identity}`, ticketId: e.ticketId, payload: JSON.parse(JSON.stringify(e.payload)), receivedAt: new Date(NOW).toISOString(), requestId: 'r' };
      const normalized = await normalizeSalesforce(queued, { settings: {}, http: through(fake) });
      texts.push(normalized.messageText ?? '');
    }
    expect(texts.sort()).toEqual(['Case 1: here is my bank statement.', 'Case 1: still no refund, please hurry.']);
  });

  it('asks the pass to stop after a page once Sforce-Limit-Info shows listMaxApiUsage of the allowance spent', async () => {
    const fake = seeded(6, { apiUsedAtStart: 89_998, apiAllowance: 100_000 });
    const page = await salesforceLister.listPage(through(fake), settings, { sinceMs: NOW - 2 * 3_600_000, messages: true });
    expect(page.next).toBeDefined();
    expect(page.stop).toMatch(/^Salesforce API usage is 90001\/100000 \(Sforce-Limit-Info\), at or above listMaxApiUsage \(0\.9\)/);
    const below = await salesforceLister.listPage(through(seeded(6, { apiUsedAtStart: 80_000 })), settings, { sinceMs: NOW - 2 * 3_600_000, messages: true });
    expect(below.stop).toBeUndefined();
  });
});


describe('a Salesforce pass near the org’s API allowance', () => {
  it('stops after the page that crossed listMaxApiUsage, saying why; the next run continues there and misses nothing', async () => {
    const fake = seeded(6, { apiUsedAtStart: 89_998, apiAllowance: 100_000 });
    const store = memoryWatermarks();
    const enqueued: QueuedEvent[] = [];
    const pass = (runId: string, maxUsage: number, sinceMs?: number) =>
      runPass({
        mode: 'reconcile',
        provider: 'salesforce',
        lister: salesforceLister,
        settings: { ...settings, listMaxApiUsage: maxUsage },
        http: through(fake),
        known: async () => new Set(),
        enqueue: async (events) => void enqueued.push(...events),
        watermarks: store,
        now: () => NOW,
        runId,
        sinceMs,
        maxPages: 10,
        deadlineMs: NOW + 60_000,
        overlapMs: 0,
        initialLookbackMs: 0,
        leaseSeconds: 60,
      });
    const first = await pass('run-1', 0.9, NOW - 2 * 3_600_000);
    expect(first).toMatchObject({ complete: false, pages: 1 });
    expect(first.stopped).toMatch(/API usage/);
    expect(store.state.cursor).toBeDefined();
    // With room in the allowance again, the next run resumes from the stored cursor.
    const next = await pass('run-2', 1);
    expect(next).toMatchObject({ resumed: true, complete: true });
    expect(next.stopped).toBeUndefined();
    const ids = enqueued.map((e) => e.eventId);
    // 6 creations and 2 customer messages per Case, each once.
    expect(ids).toHaveLength(18);
    expect(new Set(ids).size).toBe(18);
  });
});

describe('the fake Salesforce org', () => {
  const query = (fake: FakeSalesforce, q: string) =>
    fake.respond({ method: 'GET', path: '/services/data/v62.0/query', query: new URLSearchParams({ q }), headers: { authorization: `Bearer ${SALESFORCE_TOKEN}` }, rawBody: '', body: undefined });

  it.each([
    ['a quoted dateTime', "SELECT Id FROM CaseComment WHERE CreatedDate >= '2026-12-03T10:00:00Z' ORDER BY CreatedDate ASC LIMIT 5", 'MALFORMED_QUERY'],
    ['a field the object lacks', 'SELECT Id, Incoming FROM CaseComment WHERE CreatedDate >= 2026-12-03T10:00:00Z ORDER BY CreatedDate ASC LIMIT 5', 'INVALID_FIELD'],
    ['a filter on a long text area', 'SELECT Id FROM EmailMessage WHERE TextBody != null ORDER BY CreatedDate ASC LIMIT 5', 'INVALID_FIELD'],
    ['no LIMIT', 'SELECT Id FROM Case WHERE LastModifiedDate >= 2026-12-03T10:00:00Z ORDER BY LastModifiedDate ASC', 'MALFORMED_QUERY'],
    ['a keyed page with two times', "SELECT Id FROM Case WHERE (LastModifiedDate > 2026-12-03T10:00:00Z OR (LastModifiedDate = 2026-12-03T10:00:01Z AND Id > '5005e0000000001AAA')) ORDER BY LastModifiedDate ASC, Id ASC LIMIT 5", 'MALFORMED_QUERY'],
    ['a boolean compared with a time', 'SELECT Id FROM CaseComment WHERE IsPublished >= 2026-12-03T10:00:00Z ORDER BY CreatedDate ASC LIMIT 5', 'MALFORMED_QUERY'],
  ])('refuses %s', async (_what, q, errorCode) => {
    const reply = await query(startFakeSalesforce({ now: () => NOW }), q);
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject([{ errorCode }]);
  });
});
