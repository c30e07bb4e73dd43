import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseConflictError } from '../../lib/errors.ts';
import type { ClaimInput, Ledger } from '../../lib/ledger.ts';
import { startDynaliteLedger } from '../support/ledger-table.ts';

describe('Ledger on DynamoDB (dynalite)', () => {
  let stopLedger: () => Promise<void>;
  let ledger: Ledger;
  const T0 = Date.UTC(2026, 10, 27);
  const claim = (eventId: string, owner: string, nowMs = T0, extra: Partial<ClaimInput> = {}) =>
    ledger.claim({ eventId, provider: 'generic', eventType: 'ticket.created', ticketId: 'T-1', receivedAt: new Date(T0).toISOString(), owner, nowMs, leaseSeconds: 60, ttlSeconds: 3600, ...extra });

  beforeAll(async () => {
    ({ ledger, stop: stopLedger } = await startDynaliteLedger());
  });
  afterAll(async () => {
    await stopLedger?.();
  });

  it('claims a new event with one write and no read', async () => {
    const before = { ...ledger.stats };
    const result = await claim('e1', 'a');
    expect(result.kind).toBe('claimed');
    expect(ledger.stats.writes - before.writes).toBe(1);
    expect(ledger.stats.reads - before.reads).toBe(0);
    if (result.kind === 'claimed') expect(result.record).toMatchObject({ status: 'processing', attempts: 1, leaseOwner: 'a', steps: {} });
  });

  it('refuses a second claim while the lease is held, and allows it once the lease expires', async () => {
    await claim('e2', 'a');
    expect((await claim('e2', 'b', T0 + 59_000)).kind).toBe('leased');
    const later = await claim('e2', 'b', T0 + 61_000);
    expect(later.kind).toBe('claimed');
    if (later.kind === 'claimed') expect(later.record.attempts).toBe(2);
  });

  it('returns the checkpoints of earlier attempts when claimed again', async () => {
    await claim('e3', 'a');
    await ledger.checkpoint('e3', 'a', 'classify', { category: 'billing' }, T0 + 1);
    await ledger.release('e3', 'a', { pushed: ['put:classify'], error: { reason: 'http_503', step: 'sentiment', message: 'x', at: 'now' }, status: 'retrying', nowMs: T0 + 2 });
    const again = await claim('e3', 'b', T0 + 3);
    expect(again.kind).toBe('claimed');
    if (again.kind === 'claimed') {
      expect(again.record.steps).toEqual({ classify: { category: 'billing' } });
      expect(again.record.pushed).toEqual(['put:classify']);
      expect(again.record.lastError?.reason).toBe('http_503');
    }
  });

  it('answers duplicate for a finished event', async () => {
    await claim('e4', 'a');
    await ledger.finish('e4', 'a', ['put:classify'], T0 + 1, 3600);
    const dup = await claim('e4', 'b', T0 + 999_999);
    expect(dup.kind).toBe('duplicate');
    expect((await ledger.get('e4'))?.status).toBe('done');
  });

  it('fences a holder whose lease was taken: its checkpoint and finish are refused', async () => {
    await claim('e5', 'a');
    await claim('e5', 'b', T0 + 61_000);
    await expect(ledger.checkpoint('e5', 'a', 'classify', {}, T0 + 62_000)).rejects.toBeInstanceOf(LeaseConflictError);
    await expect(ledger.finish('e5', 'a', [], T0 + 62_000, 3600)).rejects.toBeInstanceOf(LeaseConflictError);
  });

  it('lets exactly one of many concurrent claims win', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => claim('e6', `o${i}`)));
    expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'leased')).toHaveLength(7);
  });

  it('forgets finished steps when a forced replay resets the event', async () => {
    await claim('e7', 'a');
    await ledger.checkpoint('e7', 'a', 'classify', { category: 'x' }, T0);
    await ledger.release('e7', 'a', { pushed: ['put:classify'], error: { reason: 'r', step: undefined, message: 'm', at: 'now' }, status: 'failed', nowMs: T0 });
    const forced = await claim('e7', 'b', T0 + 1, { reset: true });
    expect(forced.kind === 'claimed' && forced.record.steps).toEqual({});
    expect(forced.kind === 'claimed' && forced.record.pushed).toEqual([]);
  });

  it('writes several steps in one saveSteps, and only for the lease holder', async () => {
    await claim('e8', 'a');
    const before = ledger.stats.writes;
    await ledger.saveSteps('e8', 'a', { classify: { result: { category: 'billing' }, atMs: T0 + 1 }, sentiment: { result: { score: -0.5 }, atMs: T0 + 2 } }, T0 + 3);
    expect(ledger.stats.writes - before).toBe(1);
    expect(await ledger.get('e8')).toMatchObject({ steps: { classify: { category: 'billing' }, sentiment: { score: -0.5 } }, stepTimes: { classify: new Date(T0 + 1).toISOString(), sentiment: new Date(T0 + 2).toISOString() } });
    await claim('e8', 'b', T0 + 61_000);
    await expect(ledger.saveSteps('e8', 'a', {}, T0 + 62_000)).rejects.toBeInstanceOf(LeaseConflictError);
  });

  it('lets the finish and the release carry the steps not yet written, in the same write', async () => {
    await claim('e9', 'a');
    const before = ledger.stats.writes;
    await ledger.release('e9', 'a', { pushed: [], error: { reason: 'http_500', step: 'route', message: 'x', at: 'now' }, status: 'retrying', nowMs: T0 + 2, steps: { classify: { result: { category: 'billing' }, atMs: T0 + 1 } } });
    const again = await claim('e9', 'b', T0 + 3);
    expect(again.kind === 'claimed' && again.record.steps).toEqual({ classify: { category: 'billing' } });
    await ledger.finish('e9', 'b', ['put:x'], T0 + 5, 3600, { route: { result: { team: 'billing-team' }, atMs: T0 + 4 } });
    expect(ledger.stats.writes - before).toBe(3);
    expect(await ledger.get('e9')).toMatchObject({
      status: 'done',
      steps: { classify: { category: 'billing' }, route: { team: 'billing-team' } },
      stepTimes: { classify: new Date(T0 + 1).toISOString(), route: new Date(T0 + 4).toISOString() },
    });
  });
});
