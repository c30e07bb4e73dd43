/**
 * Step results between a Simpli call and the Ledger (README, "Ledger"): a finished step's result
 * is kept here and written by the Ledger write that comes anyway — the finish on success, the
 * release on any handled failure — so the happy path pays no write per step. A separate write
 * (`Ledger.saveSteps`, all pending steps in one) happens only when a result would otherwise stay
 * unwritten for long:
 *
 * - before the pipeline waits: a backoff or `Retry-After` before an in-invocation retry, or the
 *   wait for another event's ticket lock (`beforeWait`);
 * - when a result has waited `checkpointAfterMs` for the rest of the event (a slow call, a slow
 *   write-back): a timer;
 * - when less than `checkpointAfterMs` is left before the invocation's deadline or the end of the
 *   event's lease (after which another delivery may claim the event and should find the results):
 *   at once;
 * - before the write-back when the lease ends within `checkpointAfterMs` (`ensureLease`), which
 *   also proves that no other invocation took the event over.
 *
 * What this gives up: a hard crash (OOM, the sandbox killed) loses the results of steps that
 * finished less than `checkpointAfterMs` before it and were not yet written by one of the above;
 * the next delivery calls those steps again (one repeated Simpli call per lost step, never more
 * than the event's own steps).
 */
import { LeaseConflictError } from './errors.ts';
import type { Ledger, StepWrite, StepWrites } from './ledger.ts';

/** Default: the Simpli latencies (≤ 2 s per call) finish an event well within it. */
export const DEFAULT_CHECKPOINT_AFTER_MS = 5_000;

export interface StepBufferOptions {
  readonly ledger: Pick<Ledger, 'saveSteps'>;
  readonly eventId: string;
  readonly owner: string;
  readonly now: () => number;
  readonly checkpointAfterMs: number;
  /** Epoch ms after which the invocation starts no new call; undefined when unknown. */
  readonly deadlineMs: number | undefined;
  /** Epoch ms at which the event's lease ends (the claim's `leaseUntil`). */
  readonly leaseUntilMs: number;
}

export interface StepBuffer {
  /** Keeps a finished step's result; writes at once when the invocation's or the lease's time is short. */
  add(step: string, result: unknown): Promise<void>;
  /** Writes what is pending before a wait of `delayMs`; rethrows only a lost lease. */
  beforeWait(delayMs: number): Promise<void>;
  /**
   * Before the write-back: when the lease ends within `checkpointAfterMs`, writes what is pending
   * (or an empty write) to prove the lease is still ours. Throws LeaseConflictError otherwise.
   */
  ensureLease(): Promise<void>;
  /**
   * Stops the timer, waits for a write under way, and hands over what is still unwritten, for the
   * finish or release to carry. `leaseLost` is set when a background write found the lease taken.
   */
  drain(): Promise<{ steps: StepWrites; leaseLost: LeaseConflictError | undefined }>;
  /** A lost lease found by a background write so far. */
  readonly leaseLost: LeaseConflictError | undefined;
}

export function createStepBuffer(options: StepBufferOptions): StepBuffer {
  const { ledger, eventId, owner, now, checkpointAfterMs, leaseUntilMs } = options;
  /** Results must be written `checkpointAfterMs` before this: the deadline or the lease's end. */
  const horizonMs = Math.min(options.deadlineMs ?? Number.POSITIVE_INFINITY, leaseUntilMs);
  const pending = new Map<string, StepWrite>();
  let writing: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let leaseLost: LeaseConflictError | undefined;
  let drained = false;

  /** One write of everything pending, after any write under way (writes never overlap). */
  function write(probe: boolean): Promise<void> {
    const run = writing.then(async () => {
      if (leaseLost !== undefined) throw leaseLost;
      if (pending.size === 0 && !probe) return;
      const batch = new Map(pending);
      pending.clear();
      try {
        await ledger.saveSteps(eventId, owner, Object.fromEntries(batch), now());
      } catch (error) {
        if (error instanceof LeaseConflictError) {
          leaseLost = error;
          throw error;
        }
        // Not written (DynamoDB unavailable for a moment): the finish or release carries them.
        for (const [step, entry] of batch) if (!pending.has(step)) pending.set(step, entry);
        throw error;
      }
    });
    writing = run.catch(() => undefined);
    return run;
  }

  /** Writes, keeping only a lost lease as an error: any other failure leaves the steps pending. */
  async function writeKeepingPending(probe: boolean): Promise<void> {
    try {
      await write(probe);
    } catch (error) {
      if (error instanceof LeaseConflictError) throw error;
    }
  }

  function arm(): void {
    if (timer !== undefined || drained) return;
    const delayMs = Math.max(0, Math.min(checkpointAfterMs, horizonMs - checkpointAfterMs - now()));
    timer = setTimeout(() => {
      timer = undefined;
      // In the background: a lost lease is reported by `leaseLost` and `drain`.
      writeKeepingPending(false).catch(() => undefined);
    }, delayMs);
    timer.unref?.();
  }

  return {
    get leaseLost() {
      return leaseLost;
    },

    async add(step, result) {
      pending.set(step, { result, atMs: now() });
      if (horizonMs - now() <= checkpointAfterMs) {
        await writeKeepingPending(false);
        return;
      }
      arm();
    },

    beforeWait: async () => {
      await writeKeepingPending(false);
    },

    async ensureLease() {
      if (leaseLost !== undefined) throw leaseLost;
      if (now() + checkpointAfterMs < leaseUntilMs) return;
      await writeKeepingPending(true);
    },

    async drain() {
      drained = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await writing;
      const steps = Object.fromEntries(pending);
      pending.clear();
      return { steps, leaseLost };
    },
  };
}
