/**
 * The Ledger: one DynamoDB item per business event — status, lease, each finished step's result,
 * the write-backs already made, attempts, last error, TTL.
 *
 * Cost per processed event: 1 conditional write to claim (its ALL_NEW return value carries the
 * finished steps of earlier attempts, so no read) and 1 write to finish or release, which also
 * carries the step results not yet written and the write-backs made. A separate step write
 * (`saveSteps`) happens only when the pipeline would otherwise hold a finished result unwritten for
 * long (lib/step-buffer.ts). A read happens only when the claim is refused and DynamoDB did not
 * return the item (dynalite ignores ReturnValuesOnConditionCheckFailure).
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { LeaseConflictError, TicketBusyError } from './errors.ts';
import { FIELD_GROUPS, type FieldGroup, type TicketMark, type TicketState } from './ordering.ts';
import type { EventType, ProviderName, StepResults } from './providers/types.ts';

export const LEDGER_KEY = 'eventId';
export const LEDGER_TTL_ATTRIBUTE = 'expiresAt';

export type LedgerStatus = 'processing' | 'retrying' | 'done' | 'failed';

export interface LedgerError {
  readonly reason: string;
  readonly step: string | undefined;
  readonly message: string;
  readonly at: string;
}

export interface LedgerRecord {
  readonly eventId: string;
  readonly status: LedgerStatus;
  readonly provider: string;
  readonly eventType: string;
  readonly ticketId: string;
  readonly attempts: number;
  readonly leaseOwner: string | undefined;
  readonly leaseUntilMs: number;
  readonly steps: StepResults;
  /** Completion time (ms) of each finished step, for `npm run inspect`. */
  readonly stepTimes: Readonly<Record<string, string>>;
  readonly pushed: readonly string[];
  readonly lastError: LedgerError | undefined;
  readonly receivedAt: string | undefined;
  readonly createdAt: string | undefined;
  readonly updatedAt: string | undefined;
  readonly completedAt: string | undefined;
  /** Done and kept for good without TTL, its step results dropped (FINISH_FOREVER_REMOVE). */
  readonly identityOnly?: boolean;
}

export type ClaimResult =
  | { readonly kind: 'claimed'; readonly record: LedgerRecord }
  | { readonly kind: 'duplicate'; readonly record: LedgerRecord }
  | { readonly kind: 'leased'; readonly record: LedgerRecord | undefined };

export interface ClaimInput {
  readonly eventId: string;
  readonly provider: ProviderName;
  readonly eventType: EventType;
  readonly ticketId: string;
  readonly receivedAt: string;
  /** Unique per attempt: fences checkpoints so an expired holder cannot overwrite a new one. */
  readonly owner: string;
  readonly nowMs: number;
  readonly leaseSeconds: number;
  readonly ttlSeconds: number;
  /** `redrive --force`: forget finished steps and write-backs, and process again. */
  readonly reset?: boolean;
}

/** A finished step's result and when it finished, as written to `steps` and `stepTimes`. */
export interface StepWrite {
  readonly result: unknown;
  readonly atMs: number;
}

/** Step results to write, by step name. */
export type StepWrites = Readonly<Record<string, StepWrite>>;

export interface FinishOptions {
  /** QueuedEvent.rememberIdentity: nothing signed bounds a replay of this event. */
  readonly rememberIdentity?: boolean | undefined;
}

/**
 * What finish removes from the done item of an event whose identity is remembered for good (issue
 * #13 finding 5): the TTL, the lease, and the step results — the bulky part, and the one derived
 * from customer text, which is not kept for ever. What stays says that the event was processed,
 * which steps ran when and what was written back (`npm run inspect` shows it, with "results
 * dropped"). The claim refuses a done item, so a replay stays a duplicate. Same request as the
 * usual finish: no added DynamoDB request; ~0.5 KB stored per event (README, "Replays.").
 */
export const FINISH_FOREVER_REMOVE = [LEDGER_TTL_ATTRIBUTE, 'steps', 'leaseOwner', 'leaseUntil'] as const;

/** Counts of DynamoDB requests, for the Ledger-cost benchmark. */
export interface LedgerStats {
  reads: number;
  writes: number;
  conditionalFailures: number;
}

export interface Ledger {
  claim(input: ClaimInput): Promise<ClaimResult>;
  /** Records one finished step; throws LeaseConflictError if the lease was lost. */
  checkpoint(eventId: string, owner: string, step: string, result: unknown, nowMs: number): Promise<void>;
  /**
   * Records finished steps in one write; with none, only proves that the lease is still ours.
   * Throws LeaseConflictError if the lease was lost.
   */
  saveSteps(eventId: string, owner: string, steps: StepWrites, nowMs: number): Promise<void>;
  /**
   * Marks done (keeps the item until its TTL for deduplication), records write-backs and the steps
   * not yet written. With `rememberIdentity` the item is kept for good instead, its step results
   * dropped (FINISH_FOREVER_REMOVE).
   */
  finish(eventId: string, owner: string, pushed: readonly string[], nowMs: number, ttlSeconds: number, steps?: StepWrites, options?: FinishOptions): Promise<void>;
  /** Releases the lease after a failure so the next delivery can claim at once; records the steps not yet written. */
  release(
    eventId: string,
    owner: string,
    update: { pushed: readonly string[]; error: LedgerError; status: 'retrying' | 'failed'; nowMs: number; steps?: StepWrites },
  ): Promise<void>;
  get(eventId: string): Promise<LedgerRecord | undefined>;
  /**
   * Per-ticket ordering state (lib/ordering.ts), in items of their own in the same table. Always
   * set by `createLedger`; optional so that in-memory Ledgers of benchmarks need not implement it
   * (the pipeline then writes back without ordering).
   */
  readonly tickets?: TicketStates;
  readonly stats: LedgerStats;
}

export function createLedger(client: DynamoDBClient, tableName: string): Ledger {
  const stats: LedgerStats = { reads: 0, writes: 0, conditionalFailures: 0 };
  const key = (eventId: string) => ({ [LEDGER_KEY]: { S: eventId } });

  async function update(input: ConstructorParameters<typeof UpdateItemCommand>[0]) {
    stats.writes++;
    try {
      return await client.send(new UpdateItemCommand(input));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) stats.conditionalFailures++;
      throw error;
    }
  }

  async function get(eventId: string): Promise<LedgerRecord | undefined> {
    stats.reads++;
    const out = await client.send(new GetItemCommand({ TableName: tableName, Key: key(eventId), ConsistentRead: true }));
    return out.Item === undefined ? undefined : fromItem(out.Item);
  }

  /** finish() for an event remembered for good: done, no TTL, trimmed (FINISH_FOREVER_REMOVE). */
  /** The pushed-set ADD clause; DynamoDB refuses an empty string set. */
  function pushedClause(pushed: readonly string[], values: Record<string, AttributeValue>): string {
    if (pushed.length === 0) return '';
    values[':pushed'] = { SS: [...new Set(pushed)] };
    return ' ADD pushed :pushed';
  }

  async function saveSteps(eventId: string, owner: string, steps: StepWrites, nowMs: number): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, AttributeValue> = { ':owner': { S: owner }, ':now': { S: new Date(nowMs).toISOString() } };
    try {
      await update({
        TableName: tableName,
        Key: key(eventId),
        ConditionExpression: 'leaseOwner = :owner',
        UpdateExpression: `SET ${stepsClause(steps, names, values)}updatedAt = :now`,
        ...(Object.keys(names).length === 0 ? {} : { ExpressionAttributeNames: names }),
        ExpressionAttributeValues: values,
      });
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new LeaseConflictError('lease_lost', `the lease on ${eventId} was taken by another invocation`, { cause: error });
      }
      throw error;
    }
  }

  return {
    stats,
    get,
    tickets: createTicketStates(tableName, update, async (input) => {
      stats.reads++;
      return client.send(new GetItemCommand(input));
    }),

    async claim(input) {
      const now = new Date(input.nowMs).toISOString();
      const values: Record<string, AttributeValue> = {
        ':processing': { S: 'processing' },
        ':done': { S: 'done' },
        ':owner': { S: input.owner },
        ':until': { N: String(input.nowMs + input.leaseSeconds * 1000) },
        ':nowMs': { N: String(input.nowMs) },
        ':now': { S: now },
        ':one': { N: '1' },
        ':empty': { M: {} },
        ':provider': { S: input.provider },
        ':eventType': { S: input.eventType },
        ':ticketId': { S: input.ticketId },
        ':receivedAt': { S: input.receivedAt },
        ':ttl': { N: String(Math.floor(input.nowMs / 1000) + input.ttlSeconds) },
      };
      const steps = input.reset === true ? 'steps = :empty, stepTimes = :empty' : 'steps = if_not_exists(steps, :empty), stepTimes = if_not_exists(stepTimes, :empty)';
      try {
        const out = await update({
          TableName: tableName,
          Key: key(input.eventId),
          // Claimable when new, or not done and its lease has expired (a crashed or timed-out holder).
          ConditionExpression: 'attribute_not_exists(#pk) OR (#status <> :done AND leaseUntil < :nowMs)',
          UpdateExpression:
            `SET #status = :processing, leaseOwner = :owner, leaseUntil = :until, updatedAt = :now, ${steps}, ` +
            'provider = if_not_exists(provider, :provider), eventType = if_not_exists(eventType, :eventType), ' +
            'ticketId = if_not_exists(ticketId, :ticketId), receivedAt = if_not_exists(receivedAt, :receivedAt), ' +
            `createdAt = if_not_exists(createdAt, :now), ${LEDGER_TTL_ATTRIBUTE} = :ttl ADD attempts :one` +
            (input.reset === true ? ' REMOVE pushed' : ''),
          ExpressionAttributeNames: { '#pk': LEDGER_KEY, '#status': 'status' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        });
        return { kind: 'claimed', record: fromItem(out.Attributes ?? {}) };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const record = error.Item === undefined ? await get(input.eventId) : fromItem(error.Item);
        if (record?.status === 'done') return { kind: 'duplicate', record };
        return { kind: 'leased', record };
      }
    },

    saveSteps,

    checkpoint: (eventId, owner, step, result, nowMs) => saveSteps(eventId, owner, { [step]: { result, atMs: nowMs } }, nowMs),

    async finish(eventId, owner, pushed, nowMs, ttlSeconds, steps = {}, options = {}) {
      const names: Record<string, string> = { '#status': 'status' };
      const values: Record<string, AttributeValue> = { ':owner': { S: owner }, ':done': { S: 'done' }, ':now': { S: new Date(nowMs).toISOString() } };
      let set: string;
      let remove: string;
      if (options.rememberIdentity === true) {
        // Kept for good (FINISH_FOREVER_REMOVE): the results of steps not yet written are dropped with the others; their times are kept.
        set = `${stepTimesClause(steps, names, values)}#status = :done, updatedAt = :now, completedAt = :now`;
        remove = `lastError, ${FINISH_FOREVER_REMOVE.join(', ')}`;
      } else {
        values[':zero'] = { N: '0' };
        values[':ttl'] = { N: String(Math.floor(nowMs / 1000) + ttlSeconds) };
        set = `${stepsClause(steps, names, values)}#status = :done, leaseUntil = :zero, updatedAt = :now, completedAt = :now, ${LEDGER_TTL_ATTRIBUTE} = :ttl`;
        remove = 'lastError';
      }
      try {
        await update({
          TableName: tableName,
          Key: key(eventId),
          ConditionExpression: 'leaseOwner = :owner',
          UpdateExpression: `SET ${set} REMOVE ${remove}${pushedClause(pushed, values)}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        });
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          throw new LeaseConflictError('lease_lost', `the lease on ${eventId} was taken before it finished`, { cause: error });
        }
        throw error;
      }
    },


    async release(eventId, owner, { pushed, error, status, nowMs, steps = {} }) {
      const names: Record<string, string> = { '#status': 'status' };
      const values: Record<string, AttributeValue> = {
        ':owner': { S: owner },
        ':status': { S: status },
        ':zero': { N: '0' },
        ':now': { S: new Date(nowMs).toISOString() },
        ':error': {
          M: {
            reason: { S: error.reason },
            message: { S: error.message },
            at: { S: error.at },
            ...(error.step === undefined ? {} : { step: { S: error.step } }),
          },
        },
      };
      try {
        await update({
          TableName: tableName,
          Key: key(eventId),
          ConditionExpression: 'leaseOwner = :owner',
          UpdateExpression: `SET ${stepsClause(steps, names, values)}#status = :status, leaseUntil = :zero, updatedAt = :now, lastError = :error${pushedClause(pushed, values)}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        });
      } catch (caught) {
        // Someone else holds the event now: nothing of ours to release.
        if (!(caught instanceof ConditionalCheckFailedException)) throw caught;
      }
    },
  };
}

/**
 * The SET clauses (each followed by `, `) that write `steps` into the item's `steps` and
 * `stepTimes` maps, which every claim creates. Step names go through placeholders (`#s0`, …).
 */
/** The `SET` clauses recording only when each step of `steps` finished. */
function stepTimesClause(steps: StepWrites, names: Record<string, string>, values: Record<string, AttributeValue>): string {
  let clause = '';
  for (const [i, [step, write]] of Object.entries(steps).entries()) {
    names[`#s${i}`] = step;
    values[`:t${i}`] = { S: new Date(write.atMs).toISOString() };
    clause += `stepTimes.#s${i} = :t${i}, `;
  }
  return clause;
}

function stepsClause(steps: StepWrites, names: Record<string, string>, values: Record<string, AttributeValue>): string {
  let clause = '';
  for (const [i, [step, write]] of Object.entries(steps).entries()) {
    names[`#s${i}`] = step;
    values[`:s${i}`] = { S: JSON.stringify(write.result) };
    values[`:t${i}`] = { S: new Date(write.atMs).toISOString() };
    clause += `steps.#s${i} = :s${i}, stepTimes.#s${i} = :t${i}, `;
  }
  return clause;
}

// ---------------------------------------------------------------------------------------------
// Per-ticket ordering state (issue #11, "Ordering"; the rules are lib/ordering.ts).
//
// One item per ticket, keyed `ticket#<provider>#<ticket id>` in the Ledger's key attribute: for each
// field group (triage, sentiment, QA) the helpdesk time and event id of the event whose results
// last wrote it (`<group>At`, `<group>Event`), the newest resolution processed (`resolvedAt`,
// `resolvedEvent`), and a short lock (`lockOwner`, `lockUntil`) that the write-back of one event
// of the ticket holds from reading the marks to recording its own. The lock makes "decide, write
// to the helpdesk, record" one step per ticket, so two consumers can never both write fields of
// one ticket at once; the marks only ever move forward (each commit is conditional on that too).
// Cost: two conditional writes per event that writes back (acquire, commit), none for the others.
// The item carries no `ticketId`/`status` attribute, so event scans (`npm run inspect`) skip it.

export const TICKET_KEY_PREFIX = 'ticket#';

export function ticketStateKey(provider: ProviderName, ticketId: string): string {
  return `${TICKET_KEY_PREFIX}${provider}#${ticketId}`;
}

export interface TicketLockInput {
  readonly provider: ProviderName;
  readonly ticketId: string;
  /** The event attempt's owner (unique per attempt). */
  readonly owner: string;
  readonly nowMs: number;
  readonly leaseSeconds: number;
  readonly ttlSeconds: number;
}

export type TicketLockResult =
  | { readonly kind: 'acquired'; readonly state: TicketState }
  | { readonly kind: 'busy'; readonly owner: string | undefined; readonly untilMs: number };

export interface TicketCommitInput {
  readonly provider: ProviderName;
  readonly ticketId: string;
  readonly owner: string;
  readonly nowMs: number;
  readonly ttlSeconds: number;
  readonly advance: Readonly<Partial<Record<FieldGroup, TicketMark>>>;
  readonly resolved: TicketMark | undefined;
}

export interface TicketStateRecord extends TicketState {
  readonly lockOwner: string | undefined;
  readonly lockUntilMs: number;
  readonly updatedAt: string | undefined;
}

export interface TicketStates {
  /** Takes the ticket's lock (free, expired, or already ours) and returns its marks. */
  acquire(input: TicketLockInput): Promise<TicketLockResult>;
  /**
   * Records the marks of a finished write-back and releases the lock, on condition that we still
   * hold it and that no mark moves back; throws TicketBusyError otherwise.
   */
  commit(input: TicketCommitInput): Promise<void>;
  /** Releases the lock without recording anything (the write-back failed). */
  release(provider: ProviderName, ticketId: string, owner: string): Promise<void>;
  get(provider: ProviderName, ticketId: string): Promise<TicketStateRecord | undefined>;
}

type Update = (input: ConstructorParameters<typeof UpdateItemCommand>[0]) => Promise<{ Attributes?: Record<string, AttributeValue> | undefined }>;
type Get = (input: ConstructorParameters<typeof GetItemCommand>[0]) => Promise<{ Item?: Record<string, AttributeValue> | undefined }>;

function createTicketStates(tableName: string, update: Update, getItem: Get): TicketStates {
  const key = (provider: ProviderName, ticketId: string) => ({ [LEDGER_KEY]: { S: ticketStateKey(provider, ticketId) } });

  return {
    async acquire(input) {
      const now = new Date(input.nowMs).toISOString();
      try {
        const out = await update({
          TableName: tableName,
          Key: key(input.provider, input.ticketId),
          ConditionExpression: 'attribute_not_exists(lockOwner) OR lockOwner = :owner OR lockUntil < :nowMs',
          UpdateExpression:
            'SET lockOwner = :owner, lockUntil = :until, updatedAt = :now, kind = if_not_exists(kind, :kind), ' +
            `createdAt = if_not_exists(createdAt, :now), ${LEDGER_TTL_ATTRIBUTE} = :ttl`,
          ExpressionAttributeValues: {
            ':owner': { S: input.owner },
            ':until': { N: String(input.nowMs + input.leaseSeconds * 1000) },
            ':nowMs': { N: String(input.nowMs) },
            ':now': { S: now },
            ':kind': { S: 'ticket' },
            ':ttl': { N: String(Math.floor(input.nowMs / 1000) + input.ttlSeconds) },
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        });
        return { kind: 'acquired', state: ticketStateOf(out.Attributes ?? {}) };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const item = error.Item;
        return { kind: 'busy', owner: item?.lockOwner?.S, untilMs: Number(item?.lockUntil?.N ?? 0) };
      }
    },

    async commit(input) {
      const values: Record<string, AttributeValue> = {
        ':owner': { S: input.owner },
        ':now': { S: new Date(input.nowMs).toISOString() },
        ':ttl': { N: String(Math.floor(input.nowMs / 1000) + input.ttlSeconds) },
      };
      const sets = ['updatedAt = :now', `${LEDGER_TTL_ATTRIBUTE} = :ttl`];
      const conditions = ['lockOwner = :owner'];
      const marks: [string, TicketMark][] = FIELD_GROUPS.flatMap((group): [string, TicketMark][] => {
        const mark = input.advance[group];
        return mark === undefined ? [] : [[group, mark]];
      });
      if (input.resolved !== undefined) marks.push(['resolved', input.resolved]);
      for (const [name, mark] of marks) {
        values[`:${name}At`] = { N: String(mark.atMs) };
        values[`:${name}Event`] = { S: mark.eventId };
        sets.push(`${name}At = :${name}At`, `${name}Event = :${name}Event`);
        // Marks only move forward: never below a newer one, nor to another event of the same instant with a lower id.
        conditions.push(`(attribute_not_exists(${name}At) OR ${name}At < :${name}At OR (${name}At = :${name}At AND ${name}Event <= :${name}Event))`);
      }
      try {
        await update({
          TableName: tableName,
          Key: key(input.provider, input.ticketId),
          ConditionExpression: conditions.join(' AND '),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE lockOwner, lockUntil`,
          ExpressionAttributeValues: values,
        });
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          throw new TicketBusyError('ticket_lock_lost', `the write-back lock on ticket ${input.ticketId} expired and was taken by another event: retrying`, { cause: error });
        }
        throw error;
      }
    },

    async release(provider, ticketId, owner) {
      try {
        await update({
          TableName: tableName,
          Key: key(provider, ticketId),
          ConditionExpression: 'lockOwner = :owner',
          UpdateExpression: 'REMOVE lockOwner, lockUntil',
          ExpressionAttributeValues: { ':owner': { S: owner } },
        });
      } catch (error) {
        // Someone else holds it now: nothing of ours to release.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },

    async get(provider, ticketId) {
      const out = await getItem({ TableName: tableName, Key: key(provider, ticketId), ConsistentRead: true });
      if (out.Item === undefined) return undefined;
      return { ...ticketStateOf(out.Item), lockOwner: out.Item.lockOwner?.S, lockUntilMs: Number(out.Item.lockUntil?.N ?? 0), updatedAt: out.Item.updatedAt?.S };
    },
  };
}

function ticketStateOf(item: Record<string, AttributeValue>): TicketState {
  const markOf = (name: string): TicketMark | undefined => {
    const atMs = item[`${name}At`]?.N;
    const eventId = item[`${name}Event`]?.S;
    return atMs === undefined || eventId === undefined ? undefined : { atMs: Number(atMs), eventId };
  };
  const marks: Partial<Record<FieldGroup, TicketMark>> = {};
  for (const group of FIELD_GROUPS) {
    const mark = markOf(group);
    if (mark !== undefined) marks[group] = mark;
  }
  return { marks, resolved: markOf('resolved') };
}

function fromItem(item: Record<string, AttributeValue>): LedgerRecord {
  const s = (name: string) => item[name]?.S;
  const n = (name: string) => Number(item[name]?.N ?? 0);
  const steps: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item.steps?.M ?? {})) {
    if (value.S !== undefined) steps[name] = JSON.parse(value.S);
  }
  const stepTimes: Record<string, string> = {};
  for (const [name, value] of Object.entries(item.stepTimes?.M ?? {})) {
    if (value.S !== undefined) stepTimes[name] = value.S;
  }
  const error = item.lastError?.M;
  return {
    eventId: s(LEDGER_KEY) ?? '',
    status: (s('status') ?? 'processing') as LedgerStatus,
    provider: s('provider') ?? '',
    eventType: s('eventType') ?? '',
    ticketId: s('ticketId') ?? '',
    attempts: n('attempts'),
    leaseOwner: s('leaseOwner'),
    leaseUntilMs: n('leaseUntil'),
    steps: steps as StepResults,
    stepTimes,
    pushed: item.pushed?.SS ?? [],
    lastError:
      error === undefined
        ? undefined
        : { reason: error.reason?.S ?? '', step: error.step?.S, message: error.message?.S ?? '', at: error.at?.S ?? '' },
    receivedAt: s('receivedAt'),
    createdAt: s('createdAt'),
    updatedAt: s('updatedAt'),
    completedAt: s('completedAt'),
    ...(s('status') === 'done' && item[LEDGER_TTL_ATTRIBUTE] === undefined ? { identityOnly: true } : {}),
  };
}
