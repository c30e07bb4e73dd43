/**
 * Lambda's SQS event source, emulated for the local stack and the tests (reference/aws.md D3):
 * long-poll the queue, hand the handler a real `SQSEvent` (Lambda's field names), then delete every
 * record NOT listed in `batchItemFailures`. Failed records stay in flight and reappear after the
 * queue's visibility timeout; after maxReceiveCount receives the emulator (fauxqs) moves them to
 * the dead-letter queue, as SQS does. A handler that throws or times out deletes nothing.
 *
 * Like Lambda, several batches are processed at once (`concurrency`, default 2), each batch is
 * filled up to `batchSize` within `maximumBatchingWindowMs`, and a response naming a message that
 * was not in the batch fails the whole batch.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';

// biome-ignore lint/suspicious/noConfusingVoidType: a Lambda SQS handler may resolve to nothing at all (every record succeeded).
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void | null | undefined>;

export interface SqsPollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  readonly handler: SqsHandler;
  /** Lambda's BatchSize (1–10 for a standard queue here). */
  readonly batchSize?: number;
  /** Lambda's MaximumBatchingWindowInSeconds, in ms: how long to keep filling a batch. */
  readonly maximumBatchingWindowMs?: number;
  /** Long-poll wait of each ReceiveMessage; short so that stop() is quick. */
  readonly waitTimeSeconds?: number;
  /** Batches in flight at once (Lambda runs several pollers and invocations). */
  readonly concurrency?: number;
  /** The function's Timeout: `getRemainingTimeInMillis` counts down from it and the invocation ends there. */
  readonly functionTimeoutMs?: number;
  readonly functionName?: string;
  /** FunctionResponseTypes: [ReportBatchItemFailures]; when false the response is ignored. */
  readonly reportBatchItemFailures?: boolean;
  /** Called after every invocation (logs, tests, benchmarks). */
  readonly onBatch?: (result: BatchResult) => void;
  /** Called when the queue cannot be read or written (the poller backs off and goes on). */
  readonly onError?: (error: unknown) => void;
}

export interface BatchResult {
  readonly messageIds: readonly string[];
  /** Records left on the queue for redelivery (all of them when the handler threw). */
  readonly failedMessageIds: readonly string[];
  readonly deleted: number;
  readonly durationMs: number;
  /** Set when the invocation itself failed (threw, timed out, invalid response). */
  readonly error?: unknown;
}

export interface PollerStats {
  batches: number;
  received: number;
  deleted: number;
  failed: number;
  invocationErrors: number;
}

export interface SqsPoller {
  start(): void;
  /** Stops receiving: waits for the pending long polls (≤ waitTimeSeconds) and the batches in flight. */
  stop(): Promise<void>;
  /**
   * Resolves when the queue has no visible, in-flight or delayed message and no batch is being
   * processed (failures still waiting for their visibility timeout count as not drained).
   */
  waitUntilDrained(options?: { timeoutMs?: number; intervalMs?: number }): Promise<void>;
  readonly stats: Readonly<PollerStats>;
  readonly inFlight: number;
}

export function createSqsPoller(options: SqsPollerOptions): SqsPoller {
  const batchSize = Math.min(10, Math.max(1, options.batchSize ?? 10));
  const windowMs = options.maximumBatchingWindowMs ?? 0;
  const waitTimeSeconds = options.waitTimeSeconds ?? 1;
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const timeoutMs = options.functionTimeoutMs ?? 30_000;
  const functionName = options.functionName ?? 'ProcessFunction';
  const report = options.reportBatchItemFailures ?? true;
  const stats: PollerStats = { batches: 0, received: 0, deleted: 0, failed: 0, invocationErrors: 0 };
  let running = false;
  let loops: Promise<void>[] = [];
  let inFlight = 0;

  const receive = async (max: number, wait: number): Promise<Message[]> => {
    const out = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: wait,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    return out.Messages ?? [];
  };

  /** One batch as Lambda builds it: the first long poll, then fill up within the batching window. */
  const nextBatch = async (): Promise<Message[]> => {
    const messages = await receive(batchSize, waitTimeSeconds);
    if (messages.length === 0 || windowMs <= 0) return messages;
    const until = Date.now() + windowMs;
    while (running && messages.length < batchSize && Date.now() < until) {
      const more = await receive(batchSize - messages.length, 0);
      if (more.length === 0) await sleep(Math.min(50, until - Date.now()));
      messages.push(...more);
    }
    return messages;
  };

  const invoke = async (messages: readonly Message[]): Promise<void> => {
    const records = messages.map((m) => toRecord(m, options.queueArn, options.region));
    const ids = new Set(records.map((r) => r.messageId));
    const startedMs = Date.now();
    let failed: Set<string>;
    let error: unknown;
    try {
      const context = createLambdaContext({ functionName, timeoutMs, region: options.region });
      const response = await withTimeout(options.handler({ Records: records }, context), timeoutMs, `${functionName}`);
      failed = report ? failuresOf(response, ids) : new Set();
    } catch (caught) {
      // Lambda deletes nothing when the invocation fails: every record comes back.
      error = caught;
      failed = ids;
      stats.invocationErrors++;
    }
    const toDelete = records.filter((r) => !failed.has(r.messageId));
    let deleted = 0;
    if (toDelete.length > 0) {
      try {
        const out = await options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: toDelete.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
          }),
        );
        deleted = out.Successful?.length ?? 0;
        if ((out.Failed?.length ?? 0) > 0) options.onError?.(new Error(`DeleteMessageBatch failed for ${out.Failed?.length} entries`));
      } catch (deleteError) {
        options.onError?.(deleteError);
      }
    }
    stats.batches++;
    stats.received += records.length;
    stats.deleted += deleted;
    stats.failed += failed.size;
    options.onBatch?.({
      messageIds: [...ids],
      failedMessageIds: [...failed],
      deleted,
      durationMs: Date.now() - startedMs,
      ...(error === undefined ? {} : { error }),
    });
  };

  const loop = async (): Promise<void> => {
    while (running) {
      let messages: Message[];
      try {
        messages = await nextBatch();
      } catch (error) {
        if (!running) return;
        options.onError?.(error);
        await sleep(500);
        continue;
      }
      if (messages.length === 0) continue;
      inFlight++;
      try {
        await invoke(messages);
      } finally {
        inFlight--;
      }
    }
  };

  const depth = async (): Promise<number> => {
    const out = await options.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: options.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    const a = out.Attributes ?? {};
    return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
  };

  return {
    start() {
      if (running) return;
      running = true;
      loops = Array.from({ length: concurrency }, () => loop());
    },
    async stop() {
      // Pending long polls are not aborted: the emulator would still hand them the next message
      // (as SQS may), and that message would then be lost to a poller that no longer exists.
      // Each loop ends after its current poll (≤ waitTimeSeconds) and the batch it may bring.
      running = false;
      await Promise.all(loops);
      loops = [];
    },
    async waitUntilDrained({ timeoutMs: limitMs = 20_000, intervalMs = 50 } = {}) {
      const until = Date.now() + limitMs;
      // Two empty readings in a row: a batch may be between ReceiveMessage and the handler.
      let empty = 0;
      while (empty < 2) {
        empty = inFlight === 0 && (await depth()) === 0 ? empty + 1 : 0;
        if (empty >= 2) return;
        if (Date.now() > until) throw new Error(`the queue was not drained within ${limitMs} ms (${inFlight} batches in flight, ${await depth()} messages)`);
        await sleep(intervalMs);
      }
    },
    stats,
    get inFlight() {
      return inFlight;
    },
  };
}

/**
 * The records to leave on the queue. Lambda treats a response naming a message that is not in the
 * batch (or an empty identifier) as a failure of the whole batch.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: what an SqsHandler resolves to.
function failuresOf(response: SQSBatchResponse | void | null | undefined, ids: ReadonlySet<string>): Set<string> {
  const items = response?.batchItemFailures;
  if (items === undefined || items === null) return new Set();
  const failed = new Set<string>();
  for (const item of items) {
    if (typeof item.itemIdentifier !== 'string' || !ids.has(item.itemIdentifier)) return new Set(ids);
    failed.add(item.itemIdentifier);
  }
  return failed;
}

/** ReceiveMessage's PascalCase message → the record Lambda delivers (camelCase, lower-case attribute fields). */
export function toRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) messageAttributes[name] = toRecordAttribute(value);
  const record: SQSRecord = {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: (message.Attributes ?? {}) as unknown as SQSRecordAttributes,
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
  return message.MD5OfMessageAttributes === undefined ? record : { ...record, md5OfMessageAttributes: message.MD5OfMessageAttributes };
}

function toRecordAttribute(value: MessageAttributeValue): SQSMessageAttributes[string] {
  return {
    ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
    ...(value.BinaryValue === undefined ? {} : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
    stringListValues: [],
    binaryListValues: [],
    dataType: value.DataType ?? 'String',
  };
}

// ---------------------------------------------------------------------------------------------
// Invoking a handler the way Lambda does (shared with the local HTTP API)

/** A Lambda `Context` whose `getRemainingTimeInMillis` counts down from the function's timeout. */
export function createLambdaContext(options: { functionName: string; timeoutMs: number; region: string; memoryMb?: number }): Context {
  const deadline = Date.now() + options.timeoutMs;
  const requestId = randomUUID();
  const unsupported = () => {
    throw new Error('callback-style completion is not supported locally; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${options.region}:000000000000:function:${options.functionName}`,
    memoryLimitInMB: String(options.memoryMb ?? 512),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** Races `work` against the function timeout, as Lambda ends an invocation that runs too long. */
export async function withTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
