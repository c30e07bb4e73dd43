/**
 * `npm run redrive` — moves parked events from the DeadLetterQueue back to the TicketQueue once
 * the cause is fixed: all of them, or those matching `--event-id`, `--provider` or `--reason`
 * (from the message attributes lib/dead-letter.ts writes; messages SQS moved itself after
 * maxReceiveCount carry no reason and match `--reason max_receive_count`).
 *
 * The body goes back unchanged, so the Ledger reuses every finished step and write-back (no second
 * charge for a Simpli call already paid). `--force` adds the `force=true` attribute, which
 * ProcessFunction turns into a Ledger reset: every step runs again. `--dry-run` only lists.
 *
 * Implemented as receive → filter → send → delete, because StartMessageMoveTask cannot filter
 * (and the local emulator lacks it). A message is deleted from the DLQ only after the queue has
 * accepted its copy: a crash in between leaves a duplicate, which the Ledger absorbs, never a loss.
 *
 *   npm run redrive -- [--dry-run] [--force] [--event-id ID]… [--provider P]… [--reason R]… [--limit N]
 *     AWS:    --queue-url URL --dlq-url URL, or QUEUE_URL / DEAD_LETTER_QUEUE_URL, or
 *             --stack NAME (reads the TicketQueueUrl / DeadLetterQueueUrl outputs with the AWS CLI)
 *     local:  --sqs-endpoint http://127.0.0.1:PORT (or AWS_ENDPOINT_URL_SQS) with the URLs above
 */
import { withLocalStackEnv } from './local-stack-file.ts';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';

/** Attributes lib/dead-letter.ts adds; they describe the failure and do not go back to the queue. */
const DEAD_LETTER_ATTRIBUTES = new Set(['reason', 'step', 'error', 'failedAt', 'eventId', 'force']);
/** The reason of a message SQS moved by itself (its redrive policy), which carries none. */
export const MAX_RECEIVE_COUNT_REASON = 'max_receive_count';

export interface RedriveFilter {
  readonly eventIds?: readonly string[];
  readonly providers?: readonly string[];
  readonly reasons?: readonly string[];
}

export interface RedriveOptions {
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly filter?: RedriveFilter;
  readonly dryRun?: boolean;
  readonly force?: boolean;
  /** Stop after this many matching messages. */
  readonly limit?: number;
  /** Seconds the scanned messages stay hidden from other readers during the run. */
  readonly visibilitySeconds?: number;
}

/** One parked event, as listed and moved. */
export interface ParkedEvent {
  readonly messageId: string;
  readonly eventId: string | undefined;
  readonly provider: string | undefined;
  readonly reason: string;
  readonly step: string | undefined;
  readonly error: string | undefined;
  readonly failedAt: string | undefined;
  readonly receiveCount: number | undefined;
}

export interface RedriveReport {
  readonly scanned: number;
  readonly matched: readonly ParkedEvent[];
  readonly moved: number;
  readonly dryRun: boolean;
  readonly force: boolean;
}

/** What a DLQ message says about itself, from its attributes or, failing those, its body. */
export function describeParked(message: Message): ParkedEvent {
  const attribute = (name: string) => {
    const value = message.MessageAttributes?.[name]?.StringValue;
    return value === undefined || value === '-' ? undefined : value;
  };
  let body: { eventId?: unknown; provider?: unknown } = {};
  try {
    const parsed: unknown = JSON.parse(message.Body ?? '');
    if (parsed !== null && typeof parsed === 'object') body = parsed as typeof body;
  } catch {
    // Not a bridge event: it can still be listed and moved by --reason.
  }
  const receiveCount = message.Attributes?.ApproximateReceiveCount;
  return {
    messageId: message.MessageId ?? '',
    eventId: attribute('eventId') ?? (typeof body.eventId === 'string' ? body.eventId : undefined),
    provider: attribute('provider') ?? (typeof body.provider === 'string' ? body.provider : undefined),
    reason: attribute('reason') ?? MAX_RECEIVE_COUNT_REASON,
    step: attribute('step'),
    error: attribute('error'),
    failedAt: attribute('failedAt'),
    receiveCount: receiveCount === undefined ? undefined : Number(receiveCount),
  };
}

export function matches(parked: ParkedEvent, filter: RedriveFilter = {}): boolean {
  const has = (list: readonly string[] | undefined, value: string | undefined) => list === undefined || list.length === 0 || (value !== undefined && list.includes(value));
  return has(filter.eventIds, parked.eventId) && has(filter.providers, parked.provider) && has(filter.reasons, parked.reason);
}

/** The attributes the copy carries: the original ones (provider, eventType, requestId), plus force. */
export function requeueAttributes(message: Message, force: boolean): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (DEAD_LETTER_ATTRIBUTES.has(name) || value.DataType === undefined) continue;
    attributes[name] = { DataType: value.DataType, ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }), ...(value.BinaryValue === undefined ? {} : { BinaryValue: value.BinaryValue }) };
  }
  if (force) attributes.force = { DataType: 'String', StringValue: 'true' };
  return attributes;
}

/**
 * Scans the whole DLQ (each message is hidden while scanned, so none is seen twice), moves the
 * matching ones, and makes the others — all of them on a dry run — visible again at once.
 */
export async function redrive(sqs: SQSClient, options: RedriveOptions): Promise<RedriveReport> {
  const dryRun = options.dryRun === true;
  const force = options.force === true;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const matched: ParkedEvent[] = [];
  const untouched: Message[] = [];
  let scanned = 0;
  let moved = 0;
  try {
    while (matched.length < limit) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.deadLetterQueueUrl,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
          VisibilityTimeout: options.visibilitySeconds ?? 120,
          WaitTimeSeconds: 0,
        }),
      );
      const batch = out.Messages ?? [];
      if (batch.length === 0) break;
      for (const message of batch) {
        scanned++;
        const parked = describeParked(message);
        if (matched.length >= limit || !matches(parked, options.filter)) {
          untouched.push(message);
          continue;
        }
        matched.push(parked);
        if (dryRun) {
          untouched.push(message);
          continue;
        }
        await sqs.send(
          new SendMessageCommand({ QueueUrl: options.queueUrl, MessageBody: message.Body ?? '', MessageAttributes: requeueAttributes(message, force) }),
        );
        await sqs.send(new DeleteMessageCommand({ QueueUrl: options.deadLetterQueueUrl, ReceiptHandle: message.ReceiptHandle ?? '' }));
        moved++;
      }
    }
  } finally {
    await release(sqs, options.deadLetterQueueUrl, untouched);
  }
  return { scanned, matched, moved, dryRun, force };
}

async function release(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const chunk = messages.slice(i, i + 10);
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle ?? '', VisibilityTimeout: 0 })),
      }),
    );
  }
}

export function formatReport(report: RedriveReport): string {
  const lines = report.matched.map(
    (p) =>
      `  ${p.eventId ?? '(not a bridge event)'}  provider=${p.provider ?? '-'}  reason=${p.reason}  step=${p.step ?? '-'}  failedAt=${p.failedAt ?? '-'}` +
      (p.error === undefined ? '' : `\n      ${p.error}`),
  );
  const verb = report.dryRun ? 'would move' : 'moved';
  const count = report.dryRun ? report.matched.length : report.moved;
  return [
    `${verb} ${count} of ${report.scanned} parked event(s)${report.force ? ' with --force (finished steps run again)' : ' (finished steps are reused)'}`,
    ...lines,
  ].join('\n');
}

/** Queue URLs and endpoint from flags, the environment, or the stack's outputs (AWS CLI). */
export function resolveTargets(
  values: { 'queue-url'?: string | undefined; 'dlq-url'?: string | undefined; stack?: string | undefined; 'sqs-endpoint'?: string | undefined; region?: string | undefined },
  env: Readonly<Record<string, string | undefined>>,
  stackOutputs: (stack: string) => Record<string, string> = awsCliStackOutputs,
): { queueUrl: string; deadLetterQueueUrl: string; endpoint: string | undefined; region: string | undefined } {
  const stack = values.stack ?? env.STACK_NAME;
  const outputs = stack === undefined || (values['queue-url'] !== undefined && values['dlq-url'] !== undefined) ? {} : stackOutputs(stack);
  const queueUrl = values['queue-url'] ?? env.QUEUE_URL ?? outputs.TicketQueueUrl;
  const deadLetterQueueUrl = values['dlq-url'] ?? env.DEAD_LETTER_QUEUE_URL ?? outputs.DeadLetterQueueUrl;
  if (queueUrl === undefined || deadLetterQueueUrl === undefined) {
    throw new Error('say which queues: --queue-url and --dlq-url (or QUEUE_URL / DEAD_LETTER_QUEUE_URL), or --stack NAME (or STACK_NAME)');
  }
  return { queueUrl, deadLetterQueueUrl, endpoint: values['sqs-endpoint'] ?? env.AWS_ENDPOINT_URL_SQS, region: values.region ?? env.AWS_REGION };
}

function awsCliStackOutputs(stack: string): Record<string, string> {
  const json = execFileSync('aws', ['cloudformation', 'describe-stacks', '--stack-name', stack, '--query', 'Stacks[0].Outputs', '--output', 'json'], { encoding: 'utf8' });
  const outputs = JSON.parse(json) as { OutputKey: string; OutputValue: string }[] | null;
  return Object.fromEntries((outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
}

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'dry-run': { type: 'boolean' },
      force: { type: 'boolean' },
      'event-id': { type: 'string', multiple: true },
      provider: { type: 'string', multiple: true },
      reason: { type: 'string', multiple: true },
      limit: { type: 'string' },
      'queue-url': { type: 'string' },
      'dlq-url': { type: 'string' },
      stack: { type: 'string' },
      'sqs-endpoint': { type: 'string' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    console.log('npm run redrive -- [--dry-run] [--force] [--event-id ID]… [--provider P]… [--reason R]… [--limit N] [--queue-url URL --dlq-url URL | --stack NAME] [--sqs-endpoint URL] [--region R]');
    return;
  }
  const targets = resolveTargets(values, withLocalStackEnv(process.env, values.stack));
  const local = targets.endpoint !== undefined && /^http:\/\/(127\.0\.0\.1|localhost)/.test(targets.endpoint);
  const sqs = new SQSClient({
    ...(targets.endpoint === undefined ? {} : { endpoint: targets.endpoint }),
    ...(targets.region === undefined ? (local ? { region: 'us-east-1' } : {}) : { region: targets.region }),
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  try {
    const report = await redrive(sqs, {
      queueUrl: targets.queueUrl,
      deadLetterQueueUrl: targets.deadLetterQueueUrl,
      filter: { eventIds: values['event-id'] ?? [], providers: values.provider ?? [], reasons: values.reason ?? [] },
      dryRun: values['dry-run'] === true,
      force: values.force === true,
      ...(values.limit === undefined ? {} : { limit: Number(values.limit) }),
    });
    console.log(formatReport(report));
  } finally {
    sqs.destroy();
  }
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`redrive: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
