/**
 * Processing one queued event (ARCHITECTURE.md, "Processing one event"): claim it in the Ledger,
 * normalize, run the Simpli steps, push back what succeeded, then finish — or release the lease and
 * let SQS retry, or park the event in the DeadLetterQueue with its reason. The steps' results are
 * written by the finish or the release (lib/step-buffer.ts says when they are written earlier).
 */
import { isRetryable, LeaseConflictError, reasonOf, TicketBusyError, UpstreamError } from './errors.ts';
import { withBeforeWait, type HttpClient } from './http.ts';
import type { Ledger, LedgerError, LedgerRecord, StepWrites, TicketStates } from './ledger.ts';
import { decideOrdering, FIELD_GROUPS, GROUP_STEPS, orderingTimeMs, type OrderingDecision } from './ordering.ts';
import { simpliRequestId, type SimpliClient, withRequestId } from './simpli/client.ts';
import { createStepBuffer, DEFAULT_CHECKPOINT_AFTER_MS, type StepBuffer } from './step-buffer.ts';
import { runSteps, stepsFor, type StepName } from './steps.ts';
import type { NormalizedEvent, ProviderProcess, ProviderSettings, QueuedEvent, StepResults, WriteBackOp } from './providers/types.ts';
import { completedSteps, summarizeResults, type WriteBackSummary } from './write-back-summary.ts';

/** Ledger `pushed` entries `noted:<step>` record which results a note has reported. */
const NOTED = 'noted:';

export type Outcome = 'done' | 'duplicate' | 'retry' | 'dead-lettered';

export interface ProcessResult {
  readonly outcome: Outcome;
  readonly eventId: string;
  /** Why the event is retried or parked; undefined when done. */
  readonly reason?: string | undefined;
  readonly step?: string | undefined;
}

/** A stage of the event's life, for logs and metrics (the handler decides how to show it). */
export interface StageEvent {
  /** `stale`: results older than what the ticket shows, written to the note only (lib/ordering.ts). */
  readonly stage: 'claimed' | 'duplicate' | 'leased' | 'step' | 'write-back' | 'stale' | 'done' | 'retry' | 'dead-lettered';
  readonly outcome?: 'ok' | 'failed' | 'retry' | undefined;
  readonly step?: string | undefined;
  /** The called service (triage, sentiment, a helpdesk); not `service`, which Powertools uses for the app. */
  readonly upstream?: string | undefined;
  readonly durationMs?: number | undefined;
  readonly attempt?: number | undefined;
  readonly reason?: string | undefined;
}

/** Local stack only: where the write-back of a provider without HELPDESK_CONFIG goes instead of its API. */
export interface DryRunSink {
  write(entry: { provider: string; eventId: string; ticketId: string; eventType: string } & WriteBackSummary): Promise<void>;
}

export interface PipelineDeps {
  readonly ledger: Ledger;
  readonly simpli: SimpliClient;
  readonly http: HttpClient;
  readonly provider: ProviderProcess;
  /** Undefined when HELPDESK_CONFIG has no entry for the provider. */
  readonly settings: ProviderSettings | undefined;
  /** Local stack only: where write-backs go when `settings` is undefined. */
  readonly dryRun?: DryRunSink | undefined;
  readonly deadLetter: (event: QueuedEvent, error: LedgerError) => Promise<void>;
  readonly now: () => number;
  /** Unique per attempt (the SQS message id + receive count is a good one). */
  readonly owner: string;
  /** SQS ApproximateReceiveCount of this delivery, and the queue's maxReceiveCount. */
  readonly receiveCount: number;
  readonly maxReceiveCount: number;
  readonly leaseSeconds: number;
  readonly ttlSeconds: number;
  readonly draftReplies: boolean;
  readonly confidenceThreshold: number;
  readonly reset?: boolean;
  readonly onStage?: (stage: StageEvent) => void;
  /**
   * How long a write-back waits for another event of the same ticket to finish its own (the
   * Ledger's per-ticket lock) before the record is retried by SQS; default 3 s.
   */
  readonly ticketLockWaitMs?: number;
  /** Injectable for tests; defaults to setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Epoch ms after which the invocation starts no new call (the HTTP client's deadline): when less
   * than `checkpointAfterMs` is left, each step's result is written as soon as it finishes.
   */
  readonly deadlineMs?: number | undefined;
  /** How long a finished step's result may wait, unwritten, for the rest of the event; default 5 s. */
  readonly checkpointAfterMs?: number;
}

export async function processEvent(event: QueuedEvent, deps: PipelineDeps): Promise<ProcessResult> {
  const { ledger, now, owner } = deps;
  const stage = deps.onStage ?? (() => {});
  const eventId = event.eventId;

  const claim = await ledger.claim({
    eventId,
    provider: event.provider,
    eventType: event.eventType,
    ticketId: event.ticketId,
    receivedAt: event.receivedAt,
    owner,
    nowMs: now(),
    leaseSeconds: deps.leaseSeconds,
    ttlSeconds: deps.ttlSeconds,
    ...(deps.reset === true ? { reset: true } : {}),
  });
  if (claim.kind === 'duplicate') {
    stage({ stage: 'duplicate' });
    return { outcome: 'duplicate', eventId };
  }
  if (claim.kind === 'leased') {
    stage({ stage: 'leased', reason: 'lease_held' });
    return { outcome: 'retry', eventId, reason: 'lease_held' };
  }
  const record = claim.record;
  stage({ stage: 'claimed', attempt: record.attempts });

  const buffer = createStepBuffer({
    ledger,
    eventId,
    owner,
    now,
    checkpointAfterMs: deps.checkpointAfterMs ?? DEFAULT_CHECKPOINT_AFTER_MS,
    deadlineMs: deps.deadlineMs,
    leaseUntilMs: record.leaseUntilMs,
  });
  let pushed: readonly string[] = record.pushed;
  let failure: { step: string | undefined; error: unknown; missing: readonly StepName[] } | undefined;
  try {
    const http = withBeforeWait(deps.http, buffer.beforeWait);
    const context = { settings: deps.settings ?? {}, http };
    const normalized = await deps.provider.normalize(event, context);
    const steps = stepsFor(normalized, { draftReplies: deps.draftReplies });
    const run = await runSteps(steps, normalized, record.steps, withRequestId(deps.simpli, simpliRequestId(eventId), buffer.beforeWait), {
      now,
      onSuccess: async (step, result, durationMs) => {
        await buffer.add(step, result);
        stage({ stage: 'step', step, outcome: 'ok', durationMs });
      },
      onFailure: (step, error, durationMs) =>
        stage({ stage: 'step', step, outcome: isRetryable(error) ? 'retry' : 'failed', durationMs, reason: reasonOf(error), upstream: serviceOf(error) }),
    });

    // Push back what succeeded, even when a step failed: the rest follows when it succeeds.
    // Not when our lease was taken: the new holder pushes, and two writers would race.
    let leaseLost: { step: string | undefined; error: unknown } | undefined = run.failures.find((f) => f.error instanceof LeaseConflictError);
    if (leaseLost === undefined) {
      // Unwritten results and a lease near its end: prove it is still ours before writing back.
      try {
        await buffer.ensureLease();
      } catch (error) {
        if (!(error instanceof LeaseConflictError)) throw error;
        leaseLost = { step: undefined, error };
      }
    }
    const pushResult =
      leaseLost === undefined ? await orderedPushBack(event, normalized, run.results, record, { ...deps, http }, stage, buffer) : { pushed: [...pushed], failure: undefined };
    pushed = pushResult.pushed;
    const first = leaseLost ?? run.failures.find((f) => !isRetryable(f.error)) ?? run.failures[0] ?? pushResult.failure;
    if (first !== undefined) {
      failure = { step: first.step, error: first.error, missing: missingSteps(steps.map((s) => s.name), run.results) };
    }
  } catch (error) {
    // Normalization, enrichment or a Ledger write failed: not tied to a step.
    failure = { step: undefined, error, missing: [] };
  }

  // The results not yet written go with the finish or the release.
  const drained = await buffer.drain();
  if (failure === undefined && drained.leaseLost !== undefined) failure = { step: undefined, error: drained.leaseLost, missing: [] };
  if (failure !== undefined) return fail(event, deps, pushed, failure.step, failure.error, failure.missing, stage, drained.steps);
  await ledger.finish(eventId, owner, pushed, now(), deps.ttlSeconds, drained.steps, event.rememberIdentity === true ? { rememberIdentity: true } : {});
  stage({ stage: 'done', durationMs: now() - Date.parse(event.receivedAt) });
  return { outcome: 'done', eventId };
}

type PushResult = { pushed: string[]; failure: { step: string; error: unknown } | undefined };

/**
 * The write-back under the ticket's ordering rules (lib/ordering.ts): hold the ticket's lock in
 * the Ledger, leave out of tags/priority/fields what is older than what the ticket shows, write,
 * then record the event's marks (only when every write succeeded) and release the lock.
 * An event whose results write no field group (nothing, or a draft: notes only, and notes need no
 * order) and that records no resolution takes no lock.
 *
 * Two Ledger writes is the floor for an event that writes fields: the lock must be held from
 * reading the marks until the helpdesk has the fields (an optimistic commit would only find out
 * after an older event's fields had overwritten newer ones), so it takes one write to take it
 * (which also returns the marks: no read) and one to record the marks, which releases it in the
 * same write. Neither can join the event's own claim or finish: they are other items, and a
 * DynamoDB transaction bills 2 write units per item, more than the write it would save
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-capacity-handling).
 */
async function orderedPushBack(
  queued: QueuedEvent,
  event: NormalizedEvent,
  results: StepResults,
  record: LedgerRecord,
  deps: PipelineDeps,
  stage: (s: StageEvent) => void,
  buffer: StepBuffer,
): Promise<PushResult> {
  const tickets = deps.ledger.tickets;
  if (tickets === undefined || (!writesFieldGroup(results) && event.eventType !== 'ticket.resolved')) {
    return pushBack(event, results, record, deps, stage, []);
  }
  const decision = await lockTicket(tickets, queued, event, results, deps, buffer);
  if (decision.staleSteps.length > 0) stage({ stage: 'stale', step: decision.staleSteps.join(','), reason: 'older_than_ticket' });
  // Best effort: a release that fails must not lose what was pushed (the lock expires by itself
  // after leaseSeconds), nor hide the error that made us release.
  const release = () => tickets.release(queued.provider, event.ticketId, deps.owner).catch(() => undefined);
  let result: PushResult;
  try {
    result = await pushBack(event, results, record, deps, stage, decision.staleSteps);
  } catch (error) {
    await release();
    throw error;
  }
  if (result.failure !== undefined) {
    // Nothing recorded: the retry decides again (the same way, unless a newer event wrote since).
    await release();
    return result;
  }
  try {
    await tickets.commit({
      provider: queued.provider,
      ticketId: event.ticketId,
      owner: deps.owner,
      nowMs: deps.now(),
      ttlSeconds: deps.ttlSeconds,
      advance: decision.advance,
      resolved: decision.resolved,
    });
  } catch (error) {
    // Keep what was pushed, so that the retry does not write it twice.
    return { pushed: result.pushed, failure: { step: 'write-back:ordering', error } };
  }
  return result;
}

/** Takes the ticket's lock, waiting (with backoff) while another event of the ticket holds it. */
async function lockTicket(
  tickets: TicketStates,
  queued: QueuedEvent,
  event: NormalizedEvent,
  results: StepResults,
  deps: PipelineDeps,
  buffer: StepBuffer,
): Promise<OrderingDecision> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const budgetMs = deps.ticketLockWaitMs ?? 3_000;
  // Counted in the delays slept, not on the clock: an injected clock may stand still.
  let waitedMs = 0;
  for (let delayMs = 20; ; delayMs = Math.min(delayMs * 2, 500)) {
    const lock = await tickets.acquire({
      provider: queued.provider,
      ticketId: event.ticketId,
      owner: deps.owner,
      nowMs: deps.now(),
      leaseSeconds: deps.leaseSeconds,
      ttlSeconds: deps.ttlSeconds,
    });
    if (lock.kind === 'acquired') {
      const atMs = orderingTimeMs(event.occurredAt, queued.receivedAt);
      return decideOrdering(lock.state, { eventType: event.eventType, eventId: queued.eventId, atMs }, results);
    }
    if (waitedMs + delayMs > budgetMs) {
      throw new TicketBusyError('ticket_busy', `another event of ticket ${event.ticketId} is being written back; retrying later`);
    }
    await buffer.beforeWait(delayMs);
    await sleep(delayMs);
    waitedMs += delayMs;
  }
}

async function pushBack(
  event: NormalizedEvent,
  results: StepResults,
  record: LedgerRecord,
  deps: PipelineDeps,
  stage: (s: StageEvent) => void,
  staleSteps: readonly string[],
): Promise<PushResult> {
  const pushed = [...record.pushed];
  const notedSteps = pushed.filter((key) => key.startsWith(NOTED)).map((key) => key.slice(NOTED.length));
  const input = { event, results, confidenceThreshold: deps.confidenceThreshold, notedSteps, ...(staleSteps.length === 0 ? {} : { staleSteps }) };
  let ops: readonly WriteBackOp[];
  if (deps.settings === undefined && deps.dryRun !== undefined) {
    const summary = summarizeResults(input);
    const sink = deps.dryRun;
    ops =
      summary.steps.length === 0
        ? []
        : [
            {
              key: `dry-run:${summary.steps.join('+')}`,
              noted: summary.noteSteps,
              run: () => sink.write({ provider: deps.provider.name, eventId: record.eventId, ticketId: event.ticketId, eventType: event.eventType, ...summary }),
            },
          ];
  } else if (completedSteps(results).length === 0) {
    ops = [];
  } else {
    ops = deps.provider.writeBack(input, { settings: deps.settings ?? {}, http: deps.http });
  }
  for (const op of ops) {
    if (pushed.includes(op.key)) continue;
    const startedMs = deps.now();
    try {
      await op.run(deps.http);
      pushed.push(op.key, ...(op.noted ?? []).map((step) => `${NOTED}${step}`));
      stage({ stage: 'write-back', step: op.key, outcome: 'ok', durationMs: deps.now() - startedMs });
    } catch (error) {
      stage({ stage: 'write-back', step: op.key, outcome: isRetryable(error) ? 'retry' : 'failed', durationMs: deps.now() - startedMs, reason: reasonOf(error) });
      return { pushed, failure: { step: `write-back:${op.key}`, error } };
    }
  }
  return { pushed, failure: undefined };
}

async function fail(
  event: QueuedEvent,
  deps: PipelineDeps,
  pushed: readonly string[],
  step: string | undefined,
  error: unknown,
  missing: readonly StepName[],
  stage: (s: StageEvent) => void,
  steps: StepWrites,
): Promise<ProcessResult> {
  const reason = reasonOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const ledgerError: LedgerError = {
    reason,
    step,
    message: missing.length > 0 ? `${message} (missing: ${missing.join(', ')})` : message,
    at: new Date(deps.now()).toISOString(),
  };
  if (error instanceof LeaseConflictError) {
    // Another invocation took the event over (our lease expired): it finishes the work, and
    // parking or releasing here would undo its claim. Let SQS bring this delivery back.
    stage({ stage: 'retry', step, reason });
    return { outcome: 'retry', eventId: event.eventId, reason, step };
  }
  // Park the event with its reason when it cannot succeed, or when this was its last delivery
  // (SQS would move it to the DLQ without saying why).
  const lastAttempt = deps.receiveCount >= deps.maxReceiveCount;
  if (!isRetryable(error) || lastAttempt) {
    await deps.ledger.release(event.eventId, deps.owner, { pushed, error: ledgerError, status: 'failed', nowMs: deps.now(), steps });
    await deps.deadLetter(event, ledgerError);
    stage({ stage: 'dead-lettered', step, reason });
    return { outcome: 'dead-lettered', eventId: event.eventId, reason, step };
  }
  // The release carries the finished steps: the retry pays only for what is missing.
  await deps.ledger.release(event.eventId, deps.owner, { pushed, error: ledgerError, status: 'retrying', nowMs: deps.now(), steps });
  stage({ stage: 'retry', step, reason });
  return { outcome: 'retry', eventId: event.eventId, reason, step };
}

/** True when some result belongs to a field group (lib/ordering.ts): the write-back then writes fields. */
function writesFieldGroup(results: StepResults): boolean {
  return FIELD_GROUPS.some((group) => GROUP_STEPS[group].some((step) => results[step] !== undefined));
}

function missingSteps(planned: readonly StepName[], results: StepResults): StepName[] {
  return planned.filter((name) => results[name] === undefined);
}

function serviceOf(error: unknown): string | undefined {
  return error instanceof UpstreamError ? error.service : undefined;
}
