/**
 * `npm run backfill` per provider on real emulators: a period with 500 tickets (100 of them also
 * came by webhook), backfilled twice — the second run while the first one's events are still in
 * the queue — processes each ticket once; a dry run enqueues nothing and calls nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillCommand } from '../../infra/backfill.ts';
import { freshdeskKit, hubspotKit, intercomKit, salesforceKit, zendeskKit } from '../support/helpdesk-kits.ts';
import { expectEachProcessedOnce, HOUR, seed, startRig, type Rig } from '../support/reconcile-rig.ts';

describe.each([
  ['zendesk', zendeskKit({ pageSize: 100 })],
  ['freshdesk', freshdeskKit({ pageSize: 100 })],
  ['intercom', intercomKit({ pageSize: 150 })],
  ['hubspot', hubspotKit({ pageSize: 200 })],
  // Keyed SOQL pages of 100 Cases, each answered in queryMore batches of 40 (nextRecordsUrl).
  ['salesforce', salesforceKit({ pageSize: 100, batchSize: 40 })],
] as const)('%s backfill of 500 tickets', (provider, kit) => {
  let rig: Rig;
  let ids: number[];
  let solved: Set<number>;
  let startMs: number;
  const since = new Date(Date.now() - 5 * HOUR).toISOString();
  const backfill = async (...args: string[]) => {
    const lines: string[] = [];
    const report = await backfillCommand(['--provider', provider, '--since', since, ...args], (l) => lines.push(l), () => ({ deps: rig.deps, close: () => {} }));
    return { report, lines };
  };

  beforeAll(async () => {
    rig = await startRig(kit);
    ({ ids, solved, startMs } = await seed(rig, 5000, 500, 100));
  }, 120_000);
  afterAll(async () => {
    await rig.stop();
  });

  it('--dry-run lists what it would enqueue, and enqueues and calls nothing', async () => {
    const simpliBefore = rig.h.simpli.requests.length;
    const { report, lines } = await backfill('--dry-run');
    // 500 creations + 167 resolutions; the 100 webhook tickets' 134 events are known.
    expect(report).toMatchObject({ dryRun: true, found: 667, known: 134, enqueued: 0 });
    expect(lines.at(-2)).toBe(`found 667, would enqueue 533, already known 134 (${report?.records} tickets in ${report?.pages} page(s))`);
    expect(lines.filter((l) => l.startsWith('  page '))).toHaveLength(report?.pages ?? -1);
    expect(await rig.h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
    expect(rig.h.simpli.requests.length).toBe(simpliBefore);
  });

  it('--status open and --limit narrow the selection', async () => {
    const open = await backfill('--dry-run', '--status', 'open');
    expect(open.report).toMatchObject({ found: 333 });
    const solvedIds = new Set([...solved].map((id) => rig.kit.ticketId?.(id) ?? String(id)));
    expect(open.report?.events.every((e) => e.eventType === 'ticket.created' && !solvedIds.has(e.ticketId))).toBe(true);
    const limited = await backfill('--dry-run', '--limit', '50');
    expect(new Set(limited.report?.events.map((e) => e.ticketId)).size).toBe(50);
    expect(limited.report?.complete).toBe(false);
    // Tickets are created every 14.4 s from startMs: up to startMs + 1 h less 7 s, the first 250.
    const until = await backfill('--dry-run', '--until', new Date(startMs + HOUR - 7_000).toISOString());
    expect(until.report?.events.filter((e) => e.eventType === 'ticket.created')).toHaveLength(250);
  });

  it('run twice (the second while the first one’s events are still queued) processes each ticket once', async () => {
    const first = await backfill();
    expect(first.report).toMatchObject({ found: 667, known: 134, enqueued: 533, complete: true });
    const second = await backfill();
    // Nothing processed yet: the Ledger does not know them, so they are enqueued again — and the claim absorbs them.
    expect(second.report?.enqueued).toBe(533);
    await rig.h.drain(500);
    expectEachProcessedOnce(rig, ids, solved);
    // Zendesk's export hides the last minute, which the write-backs just touched.
    rig.advance(2 * 60_000);
    const third = await backfill();
    expect(third.report).toMatchObject({ found: 667, known: 667, enqueued: 0 });
    // Up to 1,066 events through the real handlers (Intercom: a call per tag): minutes on a loaded machine.
  }, 180_000);

  it('says what is wrong with its arguments', async () => {
    await expect(backfillCommand(['--provider', provider], () => {}, () => ({ deps: rig.deps, close: () => {} }))).rejects.toThrow(/--since is missing/);
    await expect(backfill('--status', 'pending')).rejects.toThrow(/--status "pending" is not supported/);
    await expect(backfill('--limit', '0')).rejects.toThrow(/--limit must be a whole number ≥ 1/);
    await expect(backfill('--until', '2020-01-01T00:00:00Z')).rejects.toThrow(/--until is before --since/);
  });
});
