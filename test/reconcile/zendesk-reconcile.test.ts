import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signZendesk } from '../../infra/sign/zendesk.ts';
import { createEnqueue } from '../../lib/enqueue.ts';
import { LeaseConflictError } from '../../lib/errors.ts';
import { createHttpClient } from '../../lib/http.ts';
import { zendeskProvider } from '../../lib/providers/zendesk/index.ts';
import { zendeskLister } from '../../lib/providers/zendesk/list.ts';
import { knownEventIds } from '../../lib/reconcile/known.ts';
import { runPass, type PassOptions, type PassReport } from '../../lib/reconcile/pass.ts';
import { createWatermarkStore, type WatermarkStore } from '../../lib/reconcile/watermark.ts';
import { DEFAULT_SECRET, startHarness, type Harness } from '../support/bridge-harness.ts';
import { startFakeZendesk, ZENDESK_EMAIL, ZENDESK_TOKEN, zendeskTicket, zendeskWebhooks, type FakeZendesk } from '../support/fake-zendesk.ts';

const HOUR = 3_600_000;

interface Rig {
  h: Harness;
  zendesk: FakeZendesk;
  dynamodb: DynamoDBClient;
  watermarks: WatermarkStore;
  sleeps: number[];
  advance(ms: number): void;
  pass(options?: Partial<PassOptions>): Promise<PassReport>;
  /** Simpli calls per ticket id for an endpoint (`/route` runs once per ticket.created, `/evaluate` — keyed conversation_id — per resolution). */
  simpliCalls(path: string): Map<string, number>;
  stop(): Promise<void>;
}

async function startRig(options: { pageSize: number; rateLimitEvery?: number }): Promise<Rig> {
  let offsetMs = 0;
  const clock = () => Date.now() + offsetMs;
  let baseUrl = '';
  const zendesk = startFakeZendesk({ now: clock, baseUrl: () => baseUrl, ...(options.rateLimitEvery === undefined ? {} : { rateLimitEvery: options.rateLimitEvery }) });
  const settings = (url: string) => ({ baseUrl: url, email: ZENDESK_EMAIL, apiToken: ZENDESK_TOKEN, exportPageSize: options.pageSize });
  const h = await startHarness({
    providers: { zendesk: zendeskProvider },
    secrets: { zendesk: [DEFAULT_SECRET] },
    settings: (url) => ({ zendesk: settings(url) }),
    helpdesk: zendesk.respond,
  });
  baseUrl = h.helpdesk.url;
  const dynamodb = new DynamoDBClient({ ...h.emulators.clientConfig, endpoint: h.emulators.dynamodbEndpoint });
  const watermarks = createWatermarkStore(dynamodb, h.tableName);
  const sleeps: number[] = [];
  return {
    h,
    zendesk,
    dynamodb,
    watermarks,
    sleeps,
    advance: (ms) => {
      offsetMs += ms;
    },
    pass: (over = {}) =>
      runPass({
        mode: 'reconcile',
        provider: 'zendesk',
        lister: zendeskLister,
        settings: settings(h.helpdesk.url),
        // Retry-After is honoured (recorded here, not slept through).
        http: createHttpClient({ now: clock, sleep: async (ms) => void sleeps.push(ms) }),
        known: (ids) => knownEventIds(dynamodb, h.tableName, ids),
        enqueue: createEnqueue(h.sqs, h.queueUrl),
        watermarks,
        now: clock,
        runId: randomUUID(),
        maxPages: 100,
        deadlineMs: Number.POSITIVE_INFINITY,
        overlapMs: 5 * 60_000,
        initialLookbackMs: HOUR,
        leaseSeconds: 60,
        ...over,
      }),
    simpliCalls(path) {
      const counts = new Map<string, number>();
      for (const r of h.simpli.calls('POST', path)) {
        const body = r.body as { ticket_id?: unknown; conversation_id?: unknown };
        const id = String(body.ticket_id ?? body.conversation_id);
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return counts;
    },
    async stop() {
      dynamodb.destroy();
      await h.stop();
    },
  };
}

/** 100 tickets created over the last 3 hours; every third one solved since; webhooks reached the bridge for the first 70. */
async function seed(rig: Rig, firstId: number): Promise<{ ids: number[]; solved: Set<number> }> {
  const start = Date.now() - 3 * HOUR;
  const ids = Array.from({ length: 100 }, (_, i) => firstId + i);
  const solved = new Set(ids.filter((_, i) => i % 3 === 0));
  for (const [i, id] of ids.entries()) {
    const ticket = zendeskTicket(id, start + i * 60_000, solved.has(id) ? 'solved' : 'open');
    // Solved ones were resolved an hour later, still more than a minute ago.
    rig.zendesk.tickets.set(id, ticket);
    if (i >= 70) continue;
    for (const body of zendeskWebhooks(ticket)) {
      const signed = signZendesk({ method: 'POST', url: 'https://bridge.example.com/webhooks/zendesk', body: Buffer.from(body), secret: DEFAULT_SECRET, nowMs: Date.now() });
      expect((await rig.h.post('/webhooks/zendesk', body, signed.headers)).statusCode).toBe(202);
    }
  }
  await rig.h.drain(200);
  // The write-backs moved updated_at to now; the export hides the last minute of changes.
  rig.advance(2 * 60_000);
  return { ids, solved };
}

function expectEachProcessedOnce(rig: Rig, ids: readonly number[], solved: ReadonlySet<number>): void {
  const routed = rig.simpliCalls('/route');
  const evaluated = rig.simpliCalls('/evaluate');
  for (const id of ids) {
    expect(routed.get(String(id)), `ticket ${id} triaged`).toBe(1);
    expect(evaluated.get(String(id)) ?? 0, `ticket ${id} QA`).toBe(solved.has(id) ? 1 : 0);
  }
  // Every ticket of a kind got the same write-backs, whichever path brought its events.
  const writes = (id: number) => rig.zendesk.writeBacks(id);
  const open = ids.filter((id) => !solved.has(id));
  const closed = ids.filter((id) => solved.has(id));
  expect(new Set(open.map(writes))).toEqual(new Set([writes(open[0] ?? 0)]));
  expect(new Set(closed.map(writes))).toEqual(new Set([writes(closed[0] ?? 0)]));
  expect(writes(open[0] ?? 0)).toBeGreaterThan(0);
  expect(writes(closed[0] ?? 0)).toBeGreaterThan(writes(open[0] ?? 0));
}

describe('Zendesk reconciliation (incremental cursor export → Ledger → queue, real emulators)', () => {
  let rig: Rig;
  let ids: number[];
  let solved: Set<number>;
  beforeAll(async () => {
    rig = await startRig({ pageSize: 25 });
    ({ ids, solved } = await seed(rig, 1000));
  }, 60_000);
  afterAll(async () => {
    await rig.stop();
  });

  it('before the pass, only the 70 tickets that came by webhook were processed', () => {
    expect(rig.simpliCalls('/route').size).toBe(70);
  });

  it('one pass processes all 100 tickets, each exactly once, enqueuing only what no webhook brought', async () => {
    const report = await rig.pass({ sinceMs: Date.now() - 4 * HOUR });
    await rig.h.drain(200);
    // 100 creations + 34 resolutions listed; the first 70 tickets (24 of them solved) were known.
    expect(report).toMatchObject({ complete: true, found: 134, known: 94, enqueued: 40, pages: 4 });
    expect(new Set(report.events.filter((e) => e.outcome === 'enqueued').map((e) => Number(e.ticketId)))).toEqual(new Set(ids.slice(70)));
    expectEachProcessedOnce(rig, ids, solved);
  });

  it('a second pass, from the watermark, enqueues nothing (the write-backs moved updated_at: listed again, all known)', async () => {
    const before = rig.h.simpli.requests.length;
    rig.advance(2 * 60_000);
    const report = await rig.pass();
    await rig.h.drain();
    expect(report.resumed).toBe(false);
    expect(report.records).toBeGreaterThan(0);
    expect(report.enqueued).toBe(0);
    expect(rig.h.simpli.requests.length).toBe(before);
    expectEachProcessedOnce(rig, ids, solved);
  });

  it('advances the watermark to the end of the listing and reports the lag', async () => {
    const state = await rig.watermarks.get('zendesk');
    expect(state.cursor).toBeUndefined();
    expect(state.watermarkMs).toBeGreaterThan(Date.now() - 5 * 60_000);
  });

  it('refuses to run while another run holds the lease, and leaves the watermark alone', async () => {
    const before = await rig.watermarks.get('zendesk');
    // Held for an hour of the rig's (advanced) clock.
    await rig.watermarks.acquire('zendesk', 'other-run', Date.now() + 10 * 60_000, 3600);
    const error = await rig.pass().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseConflictError);
    expect((error as LeaseConflictError).reason).toBe('reconcile_busy');
    expect((await rig.watermarks.get('zendesk')).watermarkMs).toBe(before.watermarkMs);
    await rig.watermarks.release('zendesk', 'other-run');
  });
});

describe('Zendesk reconciliation interrupted half-way', () => {
  let rig: Rig;
  let ids: number[];
  let solved: Set<number>;
  beforeAll(async () => {
    rig = await startRig({ pageSize: 10, rateLimitEvery: 3 });
    ({ ids, solved } = await seed(rig, 2000));
  }, 60_000);
  afterAll(async () => {
    await rig.stop();
  });

  it('a pass bounded to 4 pages stops with its cursor stored; the next continues there, without gaps or repeats', async () => {
    const since = Date.now() - 4 * HOUR;
    const first = await rig.pass({ sinceMs: since, maxPages: 4 });
    expect(first).toMatchObject({ complete: false, pages: 4, records: 40 });
    expect((await rig.watermarks.get('zendesk')).cursor).toBeDefined();
    await rig.h.drain(200);

    const second = await rig.pass();
    expect(second).toMatchObject({ resumed: true, complete: true, sinceMs: since, records: 60 });
    await rig.h.drain(200);
    const listed = [...first.events, ...second.events].map((e) => e.eventId);
    expect(listed).toHaveLength(134);
    expect(new Set(listed).size).toBe(134);
    expect(first.enqueued + second.enqueued).toBe(40);
    expectEachProcessedOnce(rig, ids, solved);
  });

  it('honoured the export’s 429 Retry-After (seconds) before asking again', () => {
    expect(rig.zendesk.rateLimited.length).toBeGreaterThan(0);
    expect(rig.sleeps.filter((ms) => ms >= 7_000)).toHaveLength(rig.zendesk.rateLimited.length);
  });
});
