/**
 * What the listers do with input they did not expect. Reconciliation enqueues without ingest, so
 * a record id the helpdesk API returns must pass the very check ingest applies to a webhook's
 * (lib/ticket-id.ts), else it is reported and not queued; and a stored cursor that is not what the
 * lister wrote (hand-edited, truncated) is a clear `invalid_cursor` naming what to do — never a
 * bare SyntaxError — with the watermark, the cursor and the queue left as they were.
 */
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../lib/errors.ts';
import type { HttpClient, HttpRequest } from '../../lib/http.ts';
import { freshdeskLister } from '../../lib/providers/freshdesk/list.ts';
import { salesforceLister } from '../../lib/providers/salesforce/list.ts';
import type { ProviderName, ProviderSettings, QueuedEvent } from '../../lib/providers/types.ts';
import { zendeskLister } from '../../lib/providers/zendesk/list.ts';
import { runPass } from '../../lib/reconcile/pass.ts';
import type { HelpdeskLister } from '../../lib/reconcile/types.ts';
import { memoryWatermarks } from '../support/memory-watermarks.ts';
import type { WatermarkState, WatermarkStore } from '../../lib/reconcile/watermark.ts';
import { isValidTicketId } from '../../lib/ticket-id.ts';

const T = '2026-12-03T10:00:00Z';

/** An HTTP client answering every request with `body` (JSON), recording the URLs asked. */
function answering(body: unknown, status = 200): HttpClient & { urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    async request(r: HttpRequest) {
      urls.push(r.url);
      if (status !== 200) throw new UpstreamError({ service: r.service, reason: `http_${status}`, retryable: false, status }, `${r.service} answered ${status}`);
      return { status, headers: new Headers(), body: JSON.stringify(body) };
    },
  };
}

interface ListerCase {
  readonly lister: HelpdeskLister;
  readonly settings: ProviderSettings;
  /** A listing of one ticket with the given id. */
  readonly listing: (id: unknown) => unknown;
  readonly badCursors: readonly string[];
  readonly badIds: readonly unknown[];
  readonly goodIds: readonly unknown[];
}

const zendeskRow = (id: unknown) => ({ id, status: 'open', subject: 's', created_at: T, updated_at: T });
const freshdeskRow = (id: unknown) => ({ id, status: 2, subject: 's', created_at: T, updated_at: T });
const salesforceRow = (Id: unknown) => ({ attributes: { type: 'Case' }, Id, Subject: 's', IsClosed: false, ClosedDate: null, CreatedDate: '2026-12-03T10:00:00.000+0000', LastModifiedDate: '2026-12-03T10:00:00.000+0000' });

const CASES: Readonly<Record<'zendesk' | 'freshdesk' | 'salesforce', ListerCase>> = {
  zendesk: {
    lister: zendeskLister,
    settings: { baseUrl: 'https://acme.zendesk.com', email: 'a@example.com', apiToken: 't' },
    listing: (id) => ({ tickets: [zendeskRow(id)], end_of_stream: true, after_cursor: null }),
    // Zendesk's own after_cursor is opaque; the cursor of a pass that lists comments is ours (JSON).
    badCursors: ['', '   ', '{"tickets":', '{"tickets":5}', '{"tickets":"","events":1}', '{"events":"yesterday"}', '{"events":-1}'],
    badIds: ['../1', '12a', '', ' 12', -5, 1.5],
    goodIds: [35436, '35436'],
  },
  freshdesk: {
    lister: freshdeskLister,
    settings: { baseUrl: 'https://acme.freshdesk.com', apiKey: 'k' },
    listing: (id) => [freshdeskRow(id)],
    badCursors: ['{"since":', 'null', '[]', '"x"', '{"since":"yesterday","page":1}', '{"since":"2026-12-03T10:00:00Z","page":0}', '{"since":"2026-12-03T10:00:00Z"}'],
    badIds: ['../1', '12a', '', -5],
    goodIds: [11, '11'],
  },
  salesforce: {
    lister: salesforceLister,
    settings: { instanceUrl: 'https://acme.my.salesforce.com', accessToken: 'tok' },
    listing: (id) => ({ totalSize: 1, done: true, records: [salesforceRow(id)] }),
    badCursors: [
      'not json',
      '{"since":"2026-12-03T10:00:00Z","afterId":"5005e00000QxYz1AAF"', // truncated
      'null',
      '{"since":"2026-12-03 10:00:00","afterId":""}',
      // An 18-character id whose case-safe suffix does not belong to it (B: the first "5" upper-case).
      '{"since":"2026-12-03T10:00:00Z","afterId":"5005e00000QxYz1BAF"}',
      `{"since":"2026-12-03T10:00:00Z","afterId":"' OR Id != '"}`,
    ],
    // The suffix of an 18-character id encodes the case of the first 15: B marks the digit "5" as
    // upper-case, so no record has this id — though it is 18 alphanumerics.
    badIds: ['5005e00000QxYz1BAF', '5005e00000QxYz1A', '../5005e00000QxYz1', '', 42],
    goodIds: ['5005e00000QxYz1AAF', '5005e00000QxYz1'],
  },
};

describe.each(Object.entries(CASES))('%s lister', (provider, c) => {
  it.each(c.badCursors)('a stored cursor %j is invalid_cursor, says to restart with --since, and asks nothing', async (cursor) => {
    const http = answering(c.listing('1'));
    const error = await c.lister.listPage(http, c.settings, { sinceMs: Date.parse(T), cursor }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ reason: 'invalid_cursor', retryable: false });
    expect((error as Error).message).toContain(`npm run reconcile -- --provider ${provider} --since`);
    expect(http.urls).toEqual([]);
  });

  it.each(c.badIds)('a record with id %j, which ingest refuses, is reported and not listed', async (id) => {
    expect(isValidTicketId(provider as ProviderName, String(id))).toBe(false);
    const page = await c.lister.listPage(answering(c.listing(id)), c.settings, { sinceMs: Date.parse(T) });
    expect(page.records).toEqual([]);
    expect(page.rejected).toHaveLength(1);
    expect(page.rejected?.[0]).toMatch(/invalid id/i);
  });

  it.each(c.goodIds)('a record with id %j, which ingest accepts, is listed under that id', async (id) => {
    expect(isValidTicketId(provider as ProviderName, String(id))).toBe(true);
    const page = await c.lister.listPage(answering(c.listing(id)), c.settings, { sinceMs: Date.parse(T) });
    expect(page.records.map((r) => r.ticketId)).toEqual([String(id)]);
    expect(page.rejected ?? []).toEqual([]);
  });
});

describe('zendesk lister', () => {
  it('turns Zendesk refusing the stored cursor (400) into invalid_cursor with what to do', async () => {
    const error = await zendeskLister.listPage(answering({}, 400), CASES.zendesk.settings, { sinceMs: 0, cursor: 'MTU3NjYxMzUzOS4wfHw0Njd8' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'invalid_cursor', retryable: false });
    expect((error as Error).message).toMatch(/refused by Zendesk \(400\).*--since/);
  });

  it('leaves a 400 of a first page (no cursor) as it is', async () => {
    const error = await zendeskLister.listPage(answering({}, 400), CASES.zendesk.settings, { sinceMs: 0 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'http_400' });
  });
});


describe('a pass over a corrupt stored cursor', () => {
  const corrupt = '{"since":"2026-12-03T10:00:00Z","afterId":"5005e0'; // cut short
  const initial: WatermarkState = { watermarkMs: Date.parse('2026-12-03T09:00:00Z'), cursor: corrupt, passSinceMs: Date.parse('2026-12-03T08:55:00Z'), passMaxMs: Date.parse(T), lastRunAt: undefined };
  const pass = (store: WatermarkStore, enqueued: QueuedEvent[], sinceMs?: number) =>
    runPass({
      mode: 'reconcile',
      provider: 'salesforce',
      lister: salesforceLister,
      settings: CASES.salesforce.settings,
      http: answering(CASES.salesforce.listing('5005e00000QxYz1AAF')),
      known: async () => new Set(),
      enqueue: async (events) => void enqueued.push(...events),
      watermarks: store,
      now: () => Date.parse('2026-12-03T11:00:00Z'),
      runId: 'run-1',
      sinceMs,
      maxPages: 10,
      deadlineMs: Date.parse('2026-12-03T12:00:00Z'),
      overlapMs: 300_000,
      initialLookbackMs: 3_600_000,
      leaseSeconds: 60,
    });

  it('fails with invalid_cursor, enqueues nothing and leaves the watermark and the cursor as they were', async () => {
    const store = memoryWatermarks(initial);
    const enqueued: QueuedEvent[] = [];
    await expect(pass(store, enqueued)).rejects.toMatchObject({ reason: 'invalid_cursor' });
    expect(enqueued).toEqual([]);
    expect(store.state).toEqual(initial);
  });

  it('a run with --since, as the error says, starts over from that time and completes', async () => {
    const store = memoryWatermarks(initial);
    const enqueued: QueuedEvent[] = [];
    const report = await pass(store, enqueued, Date.parse('2026-12-03T08:00:00Z'));
    expect(report).toMatchObject({ complete: true, resumed: false, enqueued: 1 });
    expect(enqueued.map((e) => e.eventId)).toEqual(['salesforce:ticket.created:5005e00000QxYz1AAF']);
    expect(store.state.cursor).toBeUndefined();
  });
});
