/**
 * The step buffer (lib/step-buffer.ts): when a finished result is written before the finish or
 * release that normally carries it, and what a failed early write leaves behind.
 */
import { describe, expect, it } from 'vitest';
import { LeaseConflictError } from '../../lib/errors.ts';
import type { StepWrites } from '../../lib/ledger.ts';
import { createStepBuffer } from '../../lib/step-buffer.ts';

function recordingLedger(fail?: (n: number) => Error | undefined) {
  const writes: StepWrites[] = [];
  return {
    writes,
    saveSteps: async (_eventId: string, _owner: string, steps: StepWrites) => {
      const error = fail?.(writes.length + 1);
      writes.push(steps);
      if (error !== undefined) throw error;
    },
  };
}

const base = { eventId: 'e', owner: 'o', now: Date.now, checkpointAfterMs: 60_000, deadlineMs: undefined, leaseUntilMs: Number.POSITIVE_INFINITY };

describe('step buffer', () => {
  it('writes nothing on its own when the event ends in time: drain hands every result over', async () => {
    const ledger = recordingLedger();
    const buffer = createStepBuffer({ ...base, ledger });
    await buffer.add('classify', { category: 'billing' });
    await buffer.add('route', { team: 't' });
    const { steps, leaseLost } = await buffer.drain();
    expect(ledger.writes).toEqual([]);
    expect(Object.keys(steps).sort()).toEqual(['classify', 'route']);
    expect(steps.classify?.result).toEqual({ category: 'billing' });
    expect(leaseLost).toBeUndefined();
  });

  it('writes everything pending in one write before a wait, and nothing when nothing is pending', async () => {
    const ledger = recordingLedger();
    const buffer = createStepBuffer({ ...base, ledger });
    await buffer.beforeWait(100);
    await buffer.add('classify', 1);
    await buffer.add('sentiment', 2);
    await buffer.beforeWait(100);
    await buffer.beforeWait(100);
    expect(ledger.writes.map((w) => Object.keys(w).sort())).toEqual([['classify', 'sentiment']]);
    expect((await buffer.drain()).steps).toEqual({});
  });

  it('keeps the results when an early write fails for another reason, for the finish or release to carry', async () => {
    const ledger = recordingLedger(() => new Error('ProvisionedThroughputExceeded'));
    const buffer = createStepBuffer({ ...base, ledger });
    await buffer.add('classify', 1);
    await buffer.beforeWait(100);
    expect(ledger.writes).toHaveLength(1);
    expect(Object.keys((await buffer.drain()).steps)).toEqual(['classify']);
  });

  it('rethrows a lost lease from a wait, and reports one found by the timer at drain', async () => {
    const lost = () => new LeaseConflictError('lease_lost', 'taken');
    const waiting = createStepBuffer({ ...base, ledger: recordingLedger(lost) });
    await waiting.add('classify', 1);
    await expect(waiting.beforeWait(100)).rejects.toBeInstanceOf(LeaseConflictError);

    const timed = createStepBuffer({ ...base, checkpointAfterMs: 20, ledger: recordingLedger(lost) });
    await timed.add('classify', 1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(timed.leaseLost).toBeInstanceOf(LeaseConflictError);
    expect((await timed.drain()).leaseLost).toBeInstanceOf(LeaseConflictError);
    await expect(timed.ensureLease()).rejects.toBeInstanceOf(LeaseConflictError);
  });

  it('proves the lease with an empty write only when it ends within checkpointAfterMs', async () => {
    const far = recordingLedger();
    await createStepBuffer({ ...base, checkpointAfterMs: 1_000, leaseUntilMs: Date.now() + 10_000, ledger: far }).ensureLease();
    expect(far.writes).toEqual([]);
    const near = recordingLedger();
    await createStepBuffer({ ...base, checkpointAfterMs: 1_000, leaseUntilMs: Date.now() + 500, ledger: near }).ensureLease();
    expect(near.writes).toEqual([{}]);
  });

  it('writes each result at once when the lease ends within checkpointAfterMs (another delivery may claim the event then)', async () => {
    const ledger = recordingLedger();
    const buffer = createStepBuffer({ ...base, checkpointAfterMs: 5_000, leaseUntilMs: Date.now() + 3_000, ledger });
    await buffer.add('classify', 1);
    expect(ledger.writes.map((w) => Object.keys(w))).toEqual([['classify']]);
  });

  it('writes a result checkpointAfterMs before the lease ends when that comes before the timer', async () => {
    const ledger = recordingLedger();
    const buffer = createStepBuffer({ ...base, checkpointAfterMs: 200, leaseUntilMs: Date.now() + 300, ledger });
    await buffer.add('classify', 1);
    expect(ledger.writes).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(ledger.writes.map((w) => Object.keys(w))).toEqual([['classify']]);
  });

  it('writes each result at once when the deadline is nearer than checkpointAfterMs', async () => {
    const ledger = recordingLedger();
    const buffer = createStepBuffer({ ...base, checkpointAfterMs: 5_000, deadlineMs: Date.now() + 2_000, ledger });
    await buffer.add('classify', 1);
    await buffer.add('route', 2);
    expect(ledger.writes.map((w) => Object.keys(w))).toEqual([['classify'], ['route']]);
    expect((await buffer.drain()).steps).toEqual({});
  });

  it('stops its timer at drain: nothing is written after the event ended', async () => {
    const ledger = recordingLedger();
    const buffer = createStepBuffer({ ...base, checkpointAfterMs: 20, ledger });
    await buffer.add('classify', 1);
    await buffer.drain();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(ledger.writes).toEqual([]);
  });
});
