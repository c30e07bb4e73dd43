/**
 * What the fault tests share: tickets that carry their id into every Simpli call, fake Simpli and
 * helpdesk servers that misbehave on demand and record what they *answered*, a consumer with the
 * knobs the faults need (timeouts, retries, lease), pollers that play the SQS event source
 * concurrently, and the figures every fault test prints and asserts on.
 *
 * The figures come from what the fake servers recorded — never from the bridge's own counters — so
 * a bridge that lies about its work cannot pass.
 */
import { createHmac } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent, SQSBatchResponse } from 'aws-lambda';
import { createProcessHandler } from '../../functions/process/app.ts';
import type { SimpliConfig } from '../../lib/config.ts';
import { createDeadLetter } from '../../lib/dead-letter.ts';
import { providers as registry } from '../../lib/providers/registry.ts';
import { afterAll, beforeAll } from 'vitest';
import { defaultSimpli, DEFAULT_SECRET, startHarness, toRecord, type Harness } from './bridge-harness.ts';
import type { FakeReply, RecordedRequest, Responder } from './fake-server.ts';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const signGeneric = (body: string | Buffer, secret = DEFAULT_SECRET) => createHmac('sha256', secret).update(body).digest('hex');

/** A generic ticket.created body whose id reaches every Simpli call (metadata, route, customer id). */
export function ticketBody(ticketId: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    ticket_id: ticketId,
    subject: 'Charged twice',
    body: 'I was charged twice for my subscription, please refund.',
    customer_id: `C-${ticketId}`,
    channel: 'email',
    metadata: { ticket: ticketId },
    ...extra,
  });
}

export const genericEventId = (ticketId: string) => `generic:ticket.created:${ticketId}`;

export type Service = 'classify' | 'route' | 'sentiment' | 'draft' | 'qa' | 'helpdesk';
/** `ok` = answered 2xx in time; `timeout` = answered after the client gave up. */
export type CallOutcome = 'ok' | 'error' | 'timeout';

export interface Call {
  readonly service: Service;
  readonly ticketId: string;
  readonly outcome: CallOutcome;
  readonly status: number;
  /** For helpdesk writes: the Simpli steps whose results the write carries, e.g. `classify+route`. */
  readonly carries?: string;
}

/** Decides a misbehaviour for one call, or undefined to answer normally. */
export type Misbehave = (call: { service: Service; ticketId: string; request: RecordedRequest; nth: number }) => FakeReply | 'timeout' | undefined;

const SIMPLI_PATHS: Readonly<Record<string, Service>> = {
  '/classify': 'classify',
  '/route': 'route',
  '/analyze': 'sentiment',
  '/api/v1/draft': 'draft',
  '/evaluate': 'qa',
};

/** Custom field → the step whose result it carries (generic write-back, write-back-summary.ts). */
const FIELD_STEPS: Readonly<Record<string, string>> = { ai_category: 'classify', ai_team: 'route', ai_sentiment: 'sentiment', ai_qa_score: 'qa' };

/**
 * Records every answered call of the fake Simpli and helpdesk servers. `timeoutMs` is the client's
 * timeout: a `'timeout'` misbehaviour answers well after it.
 */
export function createRecorder(options: { timeoutMs: number }) {
  const calls: Call[] = [];
  const nth = new Map<string, number>();
  let simpliFault: Misbehave = () => undefined;
  let helpdeskFault: Misbehave = () => undefined;

  const count = (key: string) => {
    const n = (nth.get(key) ?? 0) + 1;
    nth.set(key, n);
    return n;
  };

  function answer(service: Service, ticketId: string, request: RecordedRequest, fault: Misbehave, normal: () => FakeReply, carries?: string): FakeReply | Promise<FakeReply> {
    const n = count(`${service}:${ticketId}`);
    const decided = fault({ service, ticketId, request, nth: n });
    const extra = carries === undefined ? {} : { carries };
    if (decided === 'timeout') {
      calls.push({ service, ticketId, outcome: 'timeout', status: 200, ...extra });
      return { ...normal(), delayMs: options.timeoutMs * 3 };
    }
    const reply = decided ?? normal();
    const status = reply.status ?? 200;
    calls.push({ service, ticketId, outcome: status < 300 && reply.delayMs === undefined ? 'ok' : status < 300 ? 'timeout' : 'error', status, ...extra });
    return reply;
  }

  const simpli: Responder = (request) => {
    const service = SIMPLI_PATHS[request.path];
    if (service === undefined) return defaultSimpli(request);
    return answer(service, simpliTicketOf(service, request), request, simpliFault, () => defaultSimpli(request) as FakeReply);
  };

  const helpdesk: Responder = (request) => {
    const ticketId = decodeURIComponent(request.path.split('/').pop() ?? '');
    return answer('helpdesk', ticketId, request, helpdeskFault, () => ({ status: 200, json: { ok: true } }), carriesOf(request.body));
  };

  return {
    calls,
    simpli,
    helpdesk,
    misbehaveSimpli(fault: Misbehave) {
      simpliFault = fault;
    },
    misbehaveHelpdesk(fault: Misbehave) {
      helpdeskFault = fault;
    },
    /** Successful calls of one service for one ticket. */
    ok(service: Service, ticketId: string): Call[] {
      return calls.filter((c) => c.service === service && c.ticketId === ticketId && c.outcome === 'ok');
    },
    reset() {
      calls.length = 0;
      nth.clear();
      simpliFault = () => undefined;
      helpdeskFault = () => undefined;
    },
  };
}

export type Recorder = ReturnType<typeof createRecorder>;

/**
 * A fault suite's lifecycle: a recorder (Simpli calls time out after 2 s) and a harness on it,
 * started before the suite's tests and stopped after them. `h` is readable once the suite runs.
 */
export function faultSuite(options: { maxReceiveCount: number } = { maxReceiveCount: 5 }): { readonly recorder: Recorder; readonly h: Harness } {
  const recorder = createRecorder({ timeoutMs: 2_000 });
  let harness: Harness | undefined;
  beforeAll(async () => {
    harness = await startHarness({ simpli: recorder.simpli, helpdesk: recorder.helpdesk, maxReceiveCount: options.maxReceiveCount });
  });
  afterAll(async () => {
    await harness?.stop();
  });
  return {
    recorder,
    get h() {
      if (harness === undefined) throw new Error('the fault suite has not started: read `h` inside a test');
      return harness;
    },
  };
}

function simpliTicketOf(service: Service, request: RecordedRequest): string {
  const body = (request.body ?? {}) as Record<string, unknown>;
  if (service === 'route') return String(body.ticket_id ?? '?');
  if (service === 'classify') return String((body.metadata as Record<string, unknown> | undefined)?.ticket ?? '?');
  if (service === 'sentiment') return String(body.customer_id ?? '?').replace(/^C-/, '');
  return String(body.ticket_id ?? '?');
}

function carriesOf(body: unknown): string {
  const fields = ((body ?? {}) as { custom_fields?: Record<string, unknown> }).custom_fields ?? {};
  return Object.keys(FIELD_STEPS)
    .filter((f) => fields[f] !== undefined)
    .map((f) => FIELD_STEPS[f])
    .join('+');
}

export interface ConsumerOptions {
  readonly maxReceiveCount: number;
  readonly leaseSeconds?: number;
  readonly timeoutMs?: number;
  readonly retry?: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
  readonly logger?: Logger;
  readonly settings?: Record<string, Record<string, unknown>>;
}

export type Consumer = (event: SQSEvent, context?: { getRemainingTimeInMillis(): number }) => Promise<SQSBatchResponse>;

/** The real ProcessFunction handler on the harness's queue, Ledger and fake servers, with fault knobs. */
export function createConsumer(h: Harness, options: ConsumerOptions): Consumer {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const simpli: SimpliConfig = {
    triageUrl: h.simpli.url,
    sentimentUrl: h.simpli.url,
    qaUrl: h.simpli.url,
    replyUrl: h.simpli.url,
    apiKey: 'simpli-key',
    draftReplies: false,
    draftStyle: 'friendly',
    draftLanguage: 'en',
    timeoutMs,
    qaTimeoutMs: timeoutMs,
  };
  const settings = options.settings ?? { generic: { updateUrl: `${h.helpdesk.url}/tickets/{ticket_id}`, token: 'helpdesk-token' } };
  return createProcessHandler({
    providers: registry,
    ledger: h.ledger,
    simpli,
    settingsFor: async (p) => settings[p],
    deadLetter: createDeadLetter(h.sqs, h.deadLetterQueueUrl),
    maxReceiveCount: options.maxReceiveCount,
    leaseSeconds: options.leaseSeconds ?? 60,
    ttlSeconds: 86_400,
    confidenceThreshold: 0.6,
    now: Date.now,
    logger: options.logger ?? new Logger({ serviceName: 'fault', logLevel: 'SILENT' }),
    retry: options.retry ?? { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 50 },
  });
}

/**
 * One poll of the SQS event source: receive a batch, invoke, delete what succeeded. Failed records
 * become visible again after `retryVisibilitySeconds` (0 = at once), as after a visibility timeout.
 */
export async function pollOnce(
  h: Harness,
  consumer: Consumer,
  options: { maxMessages?: number; visibilitySeconds?: number; retryVisibilitySeconds?: number; remainingMs?: number } = {},
): Promise<number> {
  const out = await h.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: h.queueUrl,
      MaxNumberOfMessages: options.maxMessages ?? 10,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
      VisibilityTimeout: options.visibilitySeconds ?? 30,
      WaitTimeSeconds: 0,
    }),
  );
  const messages = out.Messages ?? [];
  if (messages.length === 0) return 0;
  const remainingMs = options.remainingMs ?? 60_000;
  const response = await consumer({ Records: messages.map(toRecord) }, { getRemainingTimeInMillis: () => remainingMs });
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
  const retry = messages.filter((m) => failed.has(m.MessageId ?? ''));
  if (done.length > 0) {
    await h.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: h.queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })) }));
  }
  if (retry.length > 0) {
    await h.sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: h.queueUrl,
        Entries: retry.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '', VisibilityTimeout: options.retryVisibilitySeconds ?? 0 })),
      }),
    );
  }
  return messages.length;
}

/**
 * Runs `concurrency` pollers (concurrent Lambda invocations) until the queue has been empty — no
 * visible and no in-flight message — for a moment while `keepGoing()` is false, or `until()` says stop.
 */
export async function runPollers(
  h: Harness,
  consumer: Consumer,
  options: { concurrency?: number; timeoutMs?: number; until?: () => boolean; keepGoing?: () => boolean; maxMessages?: number; retryVisibilitySeconds?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  let stop = false;
  const poller = async () => {
    while (!stop) {
      if (Date.now() > deadline) throw new Error('the queue did not settle in time');
      const n = await pollOnce(h, consumer, { maxMessages: options.maxMessages ?? 10, retryVisibilitySeconds: options.retryVisibilitySeconds ?? 0 });
      if (n === 0) await sleep(25);
    }
  };
  const watcher = async () => {
    let emptyChecks = 0;
    while (!stop) {
      await sleep(50);
      const depth = await h.queueDepth();
      emptyChecks = depth.visible === 0 && depth.inFlight === 0 ? emptyChecks + 1 : 0;
      if ((emptyChecks >= 3 && options.keepGoing?.() !== true) || options.until?.() === true) stop = true;
    }
  };
  await Promise.all([watcher(), ...Array.from({ length: options.concurrency ?? 2 }, poller)]);
}

/** Every message in a queue (left visible again afterwards), for counting the DLQ. */
export async function readAll(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'], VisibilityTimeout: 60 }),
    );
    const batch = out.Messages ?? [];
    if (batch.length === 0) break;
    all.push(...batch);
  }
  for (let i = 0; i < all.length; i += 10) {
    const chunk = all.slice(i, i + 10);
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle ?? '', VisibilityTimeout: 0 })) }),
    );
  }
  return all;
}

export const eventIdOfMessage = (m: Message): string => (JSON.parse(m.Body ?? '{}') as { eventId?: string }).eventId ?? '';

export interface Figures {
  readonly sent: number;
  readonly accepted: number;
  readonly events: number;
  readonly processed: number;
  readonly duplicatesSuppressed: number;
  readonly inDlq: number;
  readonly lost: number;
  readonly processedTwice: number;
}

/**
 * The figures of a run, from the fake servers' records.
 * - processed: accepted events whose helpdesk got (2xx) a write carrying every planned step;
 * - processed twice: an event with a Simpli step answered 2xx more than once (paid twice), or the
 *   same write (same ticket, same results carried) accepted by the helpdesk more than once;
 * - lost: accepted events neither processed nor parked in the DLQ;
 * - duplicates suppressed: accepted deliveries (or queued messages) that caused no processing of their own.
 */
export function computeFigures(input: {
  sent: number;
  accepted: number;
  /** Messages that reached the queue, when more than the accepted deliveries (a lost SQS answer). */
  queued?: number;
  /** ticket id → its event id, for every event accepted at least once. */
  tickets: ReadonlyMap<string, string>;
  recorder: Recorder;
  plannedSteps: readonly string[];
  deadLettered: readonly Message[];
}): Figures & { twice: string[]; lostIds: string[] } {
  const { recorder } = input;
  const full = input.plannedSteps.join('+');
  const dlqIds = new Set(input.deadLettered.map(eventIdOfMessage));
  const twice: string[] = [];
  const lostIds: string[] = [];
  let processed = 0;
  for (const [ticketId, eventId] of input.tickets) {
    const writes = recorder.ok('helpdesk', ticketId);
    if (writes.some((w) => w.carries === full)) processed++;
    else if (!dlqIds.has(eventId)) lostIds.push(eventId);
    const repeatedWrite = new Set(writes.map((w) => w.carries)).size !== writes.length;
    const repeatedStep = input.plannedSteps.some((s) => recorder.ok(s as Service, ticketId).length > 1);
    if (repeatedWrite || repeatedStep) twice.push(eventId);
  }
  return {
    sent: input.sent,
    accepted: input.accepted,
    events: input.tickets.size,
    processed,
    duplicatesSuppressed: (input.queued ?? input.accepted) - input.tickets.size,
    inDlq: dlqIds.size,
    lost: lostIds.length,
    processedTwice: twice.length,
    twice,
    lostIds,
  };
}

export function printFigures(test: string, figures: Figures, extra: Record<string, unknown> = {}): void {
  const { sent, accepted, events, processed, duplicatesSuppressed, inDlq, lost, processedTwice } = figures;
  console.log(`[fault] ${test}: ${JSON.stringify({ sent, accepted, events, processed, duplicatesSuppressed, inDlq, lost, processedTwice, ...extra })}`);
}

/** Posts deliveries with bounded concurrency, in the order given. */
export async function postAll<T>(items: readonly T[], concurrency: number, post: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await post(item);
      }
    }),
  );
}

/** A seeded PRNG (mulberry32), so a failing fault run can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
