/**
 * Reconciliation per provider on real emulators: fake helpdesk listing APIs (built from the
 * vendors' documented endpoints, paging and rate limits) hold 100 tickets of which the bridge
 * received webhooks for 70. One pass processes all 100, each exactly once (counted at the fake
 * Simpli and the fake helpdesk); a second pass does nothing; an interrupted pass resumes without
 * gaps or repeats; two runs never hold the watermark at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseConflictError } from '../../lib/errors.ts';
import { freshdeskKit, hubspotKit, intercomKit, salesforceKit, zendeskKit } from '../support/helpdesk-kits.ts';
import { expectEachProcessedOnce, HOUR, seed, startRig, type HelpdeskKit, type Rig } from '../support/reconcile-rig.ts';

type KitFactory = (clock: () => number, baseUrl: () => string) => HelpdeskKit;

const PROVIDERS: readonly (readonly [string, (pageSize: number, rateLimitEvery?: number) => KitFactory, number | undefined])[] = [
  // With reconcileComments: each ticket also has a customer reply (a message.created) and two comments that are none.
  ['zendesk', (pageSize, rateLimitEvery) => zendeskKit({ pageSize, messages: true, ...(rateLimitEvery === undefined ? {} : { rateLimitEvery }) }), 7],
  ['freshdesk', (pageSize, rateLimitEvery) => freshdeskKit({ pageSize, ...(rateLimitEvery === undefined ? {} : { rateLimitEvery }) }), 5],
  // No 429: the org's daily allowance is a 403 REQUEST_LIMIT_EXCEEDED, retried by lib/http.ts (no
  // Retry-After); queryMore batches of 7. Cases with customer messages (a published comment, an
  // incoming email), each a message.created.
  ['salesforce', (pageSize, rateLimitEvery) => salesforceKit({ pageSize, batchSize: 7, messages: true, ...(rateLimitEvery === undefined ? {} : { limitExceededEvery: rateLimitEvery }) }), undefined],
  // 429 with X-RateLimit-Reset 10 s ahead (no Retry-After).
  ['intercom', (pageSize, rateLimitEvery) => intercomKit({ pageSize, ...(rateLimitEvery === undefined ? {} : { rateLimitEvery }) }), 10],
  // 429 with the 1 s interval headers; a search window of 30 results, so the key paging is exercised.
  ['hubspot', (pageSize, rateLimitEvery) => hubspotKit({ pageSize, window: 30, ...(rateLimitEvery === undefined ? {} : { rateLimitEvery }) }), 1],
];

describe.each(PROVIDERS)('%s reconciliation', (provider, kit, retryAfterSeconds) => {
  describe('one pass, then another', () => {
    let rig: Rig;
    let ids: number[];
    let solved: Set<number>;
    beforeAll(async () => {
      rig = await startRig(kit(25));
      ({ ids, solved } = await seed(rig, 1000));
    }, 60_000);
    afterAll(async () => {
      await rig.stop();
    });

    it('before the pass, only the 70 tickets that came by webhook were processed', () => {
      expect(rig.simpliCalls('/route').size).toBe(70);
    });

    it('one pass processes all 100 tickets, each exactly once, enqueuing only what no webhook brought', async () => {
      const report = await rig.reconcile({ sinceMs: Date.now() - 5 * HOUR });
      await rig.h.drain(200);
      // 100 creations + 34 resolutions (+ m messages per ticket); the first 70 tickets (24 of them solved) were known.
      const m = rig.kit.messagesPerTicket ?? 0;
      expect(report).toMatchObject({ provider, complete: true, found: 134 + 100 * m, known: 94 + 70 * m, enqueued: 40 + 30 * m, rejected: [] });
      expect(new Set(report.events.filter((e) => e.outcome === 'enqueued').map((e) => e.ticketId))).toEqual(new Set(ids.slice(70).map((id) => rig.kit.ticketId?.(id) ?? String(id))));
      expectEachProcessedOnce(rig, ids, solved);
    });

    it('a second pass, from the watermark, lists the tickets the write-backs touched and enqueues nothing', async () => {
      const before = rig.h.simpli.requests.length;
      rig.advance(2 * 60_000);
      const report = await rig.reconcile();
      await rig.h.drain();
      expect(report.resumed).toBe(false);
      expect(report.records).toBeGreaterThan(0);
      expect(report.enqueued).toBe(0);
      expect(rig.h.simpli.requests.length).toBe(before);
      expectEachProcessedOnce(rig, ids, solved);
    });

    it('left the watermark at the end of the listing, with no cursor', async () => {
      const state = await rig.watermarks.get(rig.kit.provider);
      expect(state.cursor).toBeUndefined();
      expect(state.watermarkMs).toBeGreaterThan(Date.now() - 5 * 60_000);
    });

    it('refuses to run while another run holds the lease, and leaves the watermark alone', async () => {
      const before = await rig.watermarks.get(rig.kit.provider);
      // Held for an hour of the rig's (advanced) clock.
      await rig.watermarks.acquire(rig.kit.provider, 'other-run', Date.now() + 10 * 60_000, 3600);
      const error = await rig.reconcile().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LeaseConflictError);
      expect((error as LeaseConflictError).reason).toBe('reconcile_busy');
      expect((await rig.watermarks.get(rig.kit.provider)).watermarkMs).toBe(before.watermarkMs);
      await rig.watermarks.release(rig.kit.provider, 'other-run');
    });
  });

  describe('interrupted half-way', () => {
    let rig: Rig;
    let ids: number[];
    let solved: Set<number>;
    beforeAll(async () => {
      rig = await startRig(kit(10, 3));
      ({ ids, solved } = await seed(rig, 2000));
    }, 60_000);
    afterAll(async () => {
      await rig.stop();
    });

    it('a pass bounded to 4 pages stops with its cursor stored; the next continues there, without gaps or repeats', async () => {
      const since = Date.now() - 5 * HOUR;
      const first = await rig.reconcile({ sinceMs: since, maxPages: 4 });
      expect(first).toMatchObject({ complete: false, pages: 4 });
      expect((await rig.watermarks.get(rig.kit.provider)).cursor).toBeDefined();
      await rig.h.drain(200);

      const second = await rig.reconcile();
      expect(second).toMatchObject({ resumed: true, complete: true, sinceMs: since });
      await rig.h.drain(200);
      const m = rig.kit.messagesPerTicket ?? 0;
      const enqueued = [...first.events, ...second.events].filter((e) => e.outcome === 'enqueued').map((e) => e.eventId);
      expect(enqueued).toHaveLength(40 + 30 * m);
      expect(new Set(enqueued).size).toBe(40 + 30 * m);
      expect(new Set([...first.events, ...second.events].map((e) => e.eventId)).size).toBe(134 + 100 * m);
      expectEachProcessedOnce(rig, ids, solved);
    });

    it('a crash after a page was enqueued but before its cursor was stored repeats nothing', async () => {
      // Ten more tickets no webhook brought; the first page's enqueue succeeds, then the run dies.
      for (let i = 0; i < 10; i++) rig.kit.addTicket(3000 + i, rig.now() - 90_000 + i * 1000, false);
      rig.advance(2 * 60_000);
      let pages = 0;
      const crashed = await rig
        .reconcile({
          maxPages: 100,
          onPage: () => {
            pages++;
            if (pages === 1) throw new Error('crash between enqueue and cursor');
          },
        })
        .catch((e: unknown) => e);
      expect(crashed).toBeInstanceOf(Error);
      const again = await rig.reconcile();
      expect(again.complete).toBe(true);
      await rig.h.drain(200);
      const routed = rig.simpliCalls('/route');
      for (let i = 0; i < 10; i++) expect(routed.get(rig.kit.ticketId?.(3000 + i) ?? String(3000 + i)), `ticket ${3000 + i}`).toBe(1);
      expectEachProcessedOnce(rig, ids, solved);
    });

    it('was refused for its rate limit along the way, and retried', () => {
      expect(rig.kit.rateLimited.length).toBeGreaterThan(0);
    });

    if (retryAfterSeconds !== undefined) {
      it('honoured the listing’s 429 Retry-After before asking again', () => {
        expect(rig.kit.rateLimited.length).toBeGreaterThan(0);
        expect(rig.sleeps.filter((ms) => ms >= retryAfterSeconds * 1000)).toHaveLength(rig.kit.rateLimited.length);
      });
    }
  });
});
