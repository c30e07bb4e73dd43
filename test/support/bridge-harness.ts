/**
 * Both real handlers on real emulated SQS and DynamoDB, with fake Simpli and helpdesk servers:
 * what the integration tests drive. `deliver()` plays the SQS event source once (receive a batch,
 * invoke the consumer, delete what succeeded) so tests control time instead of sleeping.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, SQSEvent, SQSRecord } from 'aws-lambda';
import { createIngestHandler } from '../../functions/ingest/app.ts';
import { createProcessHandler } from '../../functions/process/app.ts';
import type { SimpliConfig } from '../../lib/config.ts';
import { createDeadLetter } from '../../lib/dead-letter.ts';
import { createEnqueue } from '../../lib/enqueue.ts';
import { createLedger, type Ledger } from '../../lib/ledger.ts';
import type { DryRunSink } from '../../lib/pipeline.ts';
import type { Provider, ProviderName, ProviderSettings, QueuedEvent } from '../../lib/providers/types.ts';
import { startEmulators, type Emulators } from '../../infra/emulators.ts';
import { startFakeServer, type FakeServer, type Responder } from './fake-server.ts';
import { helpdeskContract } from './helpdesk-contracts.ts';
import { type SimulatedEndpoint, validateSimpliRequest, validationErrorBody } from '../../infra/simpli-simulator.ts';
import { createLedgerTable } from './ledger-table.ts';
import { simpliConfigAt } from './simpli-config.ts';

const SIMULATOR_PATHS: Readonly<Record<string, SimulatedEndpoint>> = {
  '/classify': 'classify',
  '/route': 'route',
  '/analyze': 'analyze',
  '/api/v1/draft': 'draft',
  '/evaluate': 'evaluate',
};

export interface HarnessOptions {
  readonly providers?: Readonly<Partial<Record<ProviderName, Provider>>>;
  readonly secrets?: Readonly<Partial<Record<ProviderName, readonly string[]>>>;
  /** provider → settings; `helpdeskUrl` in a string value is replaced by the fake helpdesk's URL. */
  readonly settings?: (helpdeskUrl: string) => Readonly<Partial<Record<ProviderName, ProviderSettings>>>;
  readonly simpli?: Responder;
  readonly helpdesk?: Responder;
  readonly maxReceiveCount?: number;
  readonly draftReplies?: boolean;
  readonly dryRun?: DryRunSink;
  readonly now?: () => number;
  /** In-invocation retries (default: 1 attempt, so SQS-level retries are visible to tests). */
  readonly retryAttempts?: number;
  /** Defaults to a silent logger; pass one to capture the handlers' log lines. */
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

export interface Harness {
  readonly emulators: Emulators;
  readonly sqs: SQSClient;
  readonly ledger: Ledger;
  readonly simpli: FakeServer;
  readonly helpdesk: FakeServer;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly tableName: string;
  /** Invokes the real ingest handler with a function URL (payload 2.0) event built from the arguments. */
  post(path: string, body: string | Buffer, headers?: Record<string, string>, method?: string): Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;
  /** Receives one batch and invokes the consumer; returns how many records it carried. */
  deliver(options?: { maxMessages?: number }): Promise<number>;
  /** Delivers until the queue is empty (messages reported failed are made visible again at once). */
  drain(maxRounds?: number): Promise<void>;
  queueDepth(): Promise<{ visible: number; inFlight: number }>;
  /** Forgets recorded requests and restores the responders the harness started with. */
  reset(): void;
  deadLetters(): Promise<Message[]>;
  stop(): Promise<void>;
}

export const DEFAULT_SECRET = 'local-dev-secret';

/** API settings for every built-in helpdesk, all pointed at one fake API at `url`. */
export function allHelpdeskSettings(url: string): Readonly<Partial<Record<ProviderName, ProviderSettings>>> {
  return {
    zendesk: { baseUrl: url, email: 'bridge@example.com', apiToken: 'zd-token' },
    freshdesk: { baseUrl: url, apiKey: 'fd-api-key' },
    intercom: { baseUrl: url, accessToken: 'ic-token', adminId: '814860' },
    hubspot: { baseUrl: url, accessToken: 'hs-token' },
    salesforce: { instanceUrl: url, accessToken: 'sf-token' },
  };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const emulators = await startEmulators();
  const sqs = new SQSClient({ ...emulators.clientConfig, endpoint: emulators.sqsEndpoint });
  const dynamodb = new DynamoDBClient({ ...emulators.clientConfig, endpoint: emulators.dynamodbEndpoint });
  const maxReceiveCount = options.maxReceiveCount ?? 3;
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'DeadLetterQueue' }));
  const deadLetterQueueUrl = dlq.QueueUrl ?? '';
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'TicketQueue',
      Attributes: {
        VisibilityTimeout: '30',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:DeadLetterQueue', maxReceiveCount }),
      },
    }),
  );
  const queueUrl = queue.QueueUrl ?? '';
  const tableName = 'Ledger';
  await createLedgerTable(dynamodb, tableName);
  const simpliResponder = options.simpli ?? defaultSimpli;
  const helpdeskResponder: Responder = options.helpdesk ?? (() => ({ status: 200, json: { ok: true } }));
  const simpli = await startFakeServer(simpliResponder);
  // Every helpdesk request is checked against its vendor's published contract.
  const helpdesk = await startFakeServer(helpdeskResponder, { contract: helpdeskContract });
  const ledger = createLedger(dynamodb, tableName);
  const providers = options.providers ?? (await import('../../lib/providers/registry.ts')).providers;
  const secrets: Readonly<Partial<Record<ProviderName, readonly string[]>>> = options.secrets ?? Object.fromEntries(Object.keys(providers).map((p) => [p, [DEFAULT_SECRET]]));
  const settings = options.settings?.(helpdesk.url) ?? { generic: { updateUrl: `${helpdesk.url}/tickets/{ticket_id}`, token: 'helpdesk-token' } };
  const now = options.now ?? Date.now;
  const logger = options.logger ?? new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const metrics = options.metrics;

  const ingestHandler = createIngestHandler({
    providers,
    secretsFor: async (p) => secrets[p] ?? [],
    settingsFor: async (p) => settings[p] ?? {},
    enqueue: createEnqueue(sqs, queueUrl),
    maxBodyBytes: 240 * 1024,
    publicBaseUrl: undefined,
    now,
    logger,
    metrics,
  });
  const simpliConfig: SimpliConfig = simpliConfigAt(simpli.url, { apiKey: 'simpli-key', draftReplies: options.draftReplies ?? false });
  const processHandler = createProcessHandler({
    providers,
    ledger,
    simpli: simpliConfig,
    settingsFor: async (p) => settings[p],
    dryRun: options.dryRun,
    deadLetter: createDeadLetter(sqs, deadLetterQueueUrl),
    maxReceiveCount,
    leaseSeconds: 60,
    ttlSeconds: 86_400,
    confidenceThreshold: 0.6,
    now,
    logger,
    metrics,
    retry: { maxAttempts: options.retryAttempts ?? 1, baseDelayMs: 10, maxDelayMs: 50 },
  });

  async function deliver({ maxMessages = 10 } = {}): Promise<number> {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: maxMessages,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
        WaitTimeSeconds: 0,
      }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) return 0;
    const event: SQSEvent = { Records: messages.map(toRecord) };
    const response = await processHandler(event, { getRemainingTimeInMillis: () => 60_000 });
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
    if (done.length > 0) {
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })) }));
    }
    const retry = messages.filter((m) => failed.has(m.MessageId ?? ''));
    if (retry.length > 0) {
      // Stand-in for the visibility timeout expiring.
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: retry.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '', VisibilityTimeout: 0 })),
        }),
      );
    }
    return messages.length;
  }

  async function queueDepth() {
    const out = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return {
      visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  }

  return {
    emulators,
    sqs,
    ledger,
    simpli,
    helpdesk,
    queueUrl,
    deadLetterQueueUrl,
    tableName,
    async post(path, body, headers = {}, method = 'POST') {
      const raw = typeof body === 'string' ? Buffer.from(body) : body;
      const [rawPath = path, rawQueryString = ''] = path.split('?');
      const event = endpointEvent(rawPath, rawQueryString, raw, headers, method);
      const result = await ingestHandler(event);
      return {
        statusCode: result.statusCode ?? 200,
        headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)])),
        body: result.body ?? '',
      };
    },
    deliver,
    async drain(maxRounds = 50) {
      for (let round = 0; round < maxRounds; round++) {
        const n = await deliver();
        if (n === 0) {
          const depth = await queueDepth();
          if (depth.visible === 0 && depth.inFlight === 0) return;
        }
      }
      throw new Error(`queue not drained after ${maxRounds} rounds`);
    },
    queueDepth,
    reset() {
      simpli.requests.length = 0;
      helpdesk.requests.length = 0;
      simpli.respond(simpliResponder);
      helpdesk.respond(helpdeskResponder);
      // After the cleanup, so the next test starts clean even when this one broke a contract.
      helpdesk.assertNoViolations();
    },
    async deadLetters() {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: deadLetterQueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 0 }),
      );
      return out.Messages ?? [];
    },
    async stop() {
      await Promise.all([simpli.stop(), helpdesk.stop()]);
      sqs.destroy();
      dynamodb.destroy();
      await emulators.stop();
      helpdesk.assertNoViolations();
    },
  };
}

/** A payload 2.0 event, as a function URL (or the HTTP API's $default route) builds it from a request. */
export function endpointEvent(rawPath: string, rawQueryString: string, body: Buffer, headers: Record<string, string>, method = 'POST'): APIGatewayProxyEventV2 {
  const lower = Object.fromEntries(Object.entries({ 'content-type': 'application/json', ...headers }).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers: { host: 'bridge.example.com', ...lower },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'bridge.example.com',
      domainPrefix: 'bridge',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
}

export function toRecord(m: Message): SQSRecord {
  const attributes = m.Attributes ?? {};
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? '0',
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '0',
    },
    messageAttributes: Object.fromEntries(
      Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
        k,
        { dataType: v.DataType ?? 'String', stringValue: v.StringValue, stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:TicketQueue',
    awsRegion: 'us-east-1',
  };
}

/** Parses the queue messages of a DLQ read. */
export function queuedEventOf(message: Message): QueuedEvent {
  return JSON.parse(message.Body ?? '{}') as QueuedEvent;
}

/** A fake Simpli answering every documented endpoint with plausible values. */
/** Answers like the simulator's fixed values, and refuses (422, simpli-core's body) what the real services would. */
export const defaultSimpli: Responder = (request) => {
  const endpoint = SIMULATOR_PATHS[request.path];
  const errors = endpoint === undefined ? [] : validateSimpliRequest(endpoint, request.body);
  if (errors.length > 0) return { status: 422, json: validationErrorBody(errors, null) };
  switch (request.path) {
    case '/classify':
      return { json: { category: 'billing', urgency: 'high', sentiment: 'negative', confidence: 0.87 } };
    case '/route':
      return { json: { team: 'billing-team', agent: 'A-012', reason: 'billing expertise' } };
    case '/analyze':
      return { json: { score: -0.6, label: 'negative', escalation_risk: 0.7, triggers: ['refund'] } };
    case '/api/v1/draft':
      return { json: { draft_id: 'd-1', draft: 'Sorry about that — refund on its way.', confidence: 0.8, suggested_template: null, language: 'en' } };
    case '/evaluate':
      return { json: { score: 0.92, summary: 'Resolved with empathy.' } };
    default:
      return { status: 404, json: { detail: 'Not Found' } };
  }
};
