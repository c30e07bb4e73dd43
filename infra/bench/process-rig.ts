/**
 * ProcessFunction as handler.ts wires it (withLambdaContext, the functions’ logger and
 * metrics, the generic provider with DRAFT_REPLIES=true, the real Ledger) on dynalite + fauxqs in
 * another process, with a fake Simpli and a fake helpdesk answering after fixed latencies. Every
 * AWS request is counted per client and command (SDK middleware), for the Ledger-cost figure.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createProcessHandler } from '../../functions/process/app.ts';
import { createLogger, createMetrics, withLambdaContext } from '../../functions/shared/observability.ts';
import type { SimpliConfig } from '../../lib/config.ts';
import { createDeadLetter } from '../../lib/dead-letter.ts';
import { createLedger, type Ledger, type LedgerRecord } from '../../lib/ledger.ts';
import { genericProvider } from '../../lib/providers/generic.ts';
import { defaultSimpli } from '../../test/support/bridge-harness.ts';
import { startFakeServer, type FakeServer } from '../../test/support/fake-server.ts';
import { startRemoteEmulators, type RemoteEmulators } from './common.ts';
import { benchIngestHandler } from './ingest-handler.ts';
import { lambdaContext } from './lambda-context.ts';

/** The issue's latencies: Simpli per endpoint, and the helpdesk's write-back. */
export interface Latencies {
  readonly classify: number;
  readonly route: number;
  readonly sentiment: number;
  readonly draft: number;
  readonly helpdesk: number;
  /** QA /evaluate (ticket.resolved); 0 when absent. */
  readonly qa?: number;
}

export const ISSUE_LATENCIES: Latencies = { classify: 120, route: 60, sentiment: 150, draft: 200, helpdesk: 50 };
export const ZERO_LATENCIES: Latencies = { classify: 0, route: 0, sentiment: 0, draft: 0, helpdesk: 0 };

/** ticket.created's critical path: max(classify → route, sentiment, draft) + the write-back. */
export function criticalPathMs(l: Latencies): number {
  return Math.max(l.classify + l.route, l.sentiment, l.draft) + l.helpdesk;
}

/** What a bridge calling everything one after the other pays. */
export function sequentialMs(l: Latencies): number {
  return l.classify + l.route + l.sentiment + l.draft + l.helpdesk;
}

const PATH_LATENCY: Readonly<Record<string, keyof Latencies>> = {
  '/classify': 'classify',
  '/route': 'route',
  '/analyze': 'sentiment',
  '/api/v1/draft': 'draft',
  '/evaluate': 'qa',
};

interface ConsumedCapacity {
  readonly ReadCapacityUnits?: number;
  readonly WriteCapacityUnits?: number;
  readonly CapacityUnits?: number;
}

/** Adds one response's ConsumedCapacity: reads and writes apart when given, else by the command. */
function addCapacity(into: { read: number; write: number }, consumed: ConsumedCapacity | undefined, command: string): void {
  if (consumed === undefined) return;
  if (consumed.ReadCapacityUnits !== undefined || consumed.WriteCapacityUnits !== undefined) {
    into.read += consumed.ReadCapacityUnits ?? 0;
    into.write += consumed.WriteCapacityUnits ?? 0;
  } else if (/^(Get|BatchGet|Query|Scan)/.test(command)) into.read += consumed.CapacityUnits ?? 0;
  else into.write += consumed.CapacityUnits ?? 0;
}

/** AWS requests by `client:Command`. */
export type RequestCounts = Map<string, number>;

/** Any SDK v3 client: its middleware stack takes an initialize-step middleware. */
interface Countable {
  readonly middlewareStack: SQSClient['middlewareStack'];
}

function countRequests(client: Countable, name: string, counts: RequestCounts): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const key = `${name}:${context.commandName ?? 'unknown'}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );
}

export interface ProcessRig {
  readonly emulators: RemoteEmulators;
  readonly ledger: Ledger;
  readonly simpli: FakeServer;
  readonly helpdesk: FakeServer;
  readonly queueUrl: string;
  /** The SQS client Lambda's event source would use (receive + delete), counted as `eventSource`. */
  readonly eventSourceSqs: SQSClient;
  readonly counts: RequestCounts;
  /** DynamoDB capacity units consumed, as the emulator reports them (ReturnConsumedCapacity: TOTAL). */
  readonly capacity: { read: number; write: number };
  process(event: SQSEvent): Promise<SQSBatchResponse>;
  ingest(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2>;
  stop(): Promise<void>;
}

/**
 * A Ledger that answers at once from memory: takes DynamoDB (here dynalite, one single-threaded
 * emulator on a shared machine) out of a measurement, to show what the emulator costs.
 */
export function memoryLedger(): Ledger {
  const records = new Map<string, LedgerRecord>();
  const stats = { reads: 0, writes: 0, conditionalFailures: 0 };
  return {
    stats,
    async claim(input) {
      stats.writes++;
      const record: LedgerRecord = {
        eventId: input.eventId,
        status: 'processing',
        provider: input.provider,
        eventType: input.eventType,
        ticketId: input.ticketId,
        attempts: 1,
        leaseOwner: input.owner,
        leaseUntilMs: input.nowMs + input.leaseSeconds * 1000,
        steps: {},
        stepTimes: {},
        pushed: [],
        lastError: undefined,
        receivedAt: input.receivedAt,
        createdAt: undefined,
        updatedAt: undefined,
        completedAt: undefined,
      };
      records.set(input.eventId, record);
      return { kind: 'claimed', record };
    },
    checkpoint: async () => {
      stats.writes++;
    },
    saveSteps: async () => {
      stats.writes++;
    },
    finish: async () => {
      stats.writes++;
    },
    release: async () => {
      stats.writes++;
    },
    get: async (eventId) => records.get(eventId),
  };
}

export async function startProcessRig(
  latencies: Latencies,
  options: { readonly ledger?: 'dynamodb' | 'memory'; readonly draftReplies?: boolean } = {},
): Promise<ProcessRig> {
  const emulators = await startRemoteEmulators();
  const aws = emulators.clientConfig;
  const counts: RequestCounts = new Map();
  const dynamodb = new DynamoDBClient({ ...aws, endpoint: emulators.dynamodbEndpoint });
  const processSqs = new SQSClient({ ...aws, endpoint: emulators.sqsEndpoint });
  const ingestSqs = new SQSClient({ ...aws, endpoint: emulators.sqsEndpoint, maxAttempts: 2 });
  const eventSourceSqs = new SQSClient({ ...aws, endpoint: emulators.sqsEndpoint });
  const setup = new SQSClient({ ...aws, endpoint: emulators.sqsEndpoint });
  const tableName = 'Ledger';
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: 'eventId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'eventId', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const { QueueUrl: deadLetterQueueUrl = '' } = await setup.send(new CreateQueueCommand({ QueueName: 'DeadLetterQueue' }));
  const { QueueUrl: queueUrl = '' } = await setup.send(new CreateQueueCommand({ QueueName: 'TicketQueue', Attributes: { VisibilityTimeout: '60' } }));
  setup.destroy();
  // Both stacks have the same shape; only their input/output type parameters differ.
  countRequests(dynamodb as unknown as Countable, 'dynamodb', counts);
  const capacity = { read: 0, write: 0 };
  dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity ??= 'TOTAL';
      try {
        const result = await next(args);
        addCapacity(capacity, (result.output as { ConsumedCapacity?: ConsumedCapacity }).ConsumedCapacity, context.commandName ?? '');
        return result;
      } catch (error) {
        // A refused conditional write is billed too; the error carries no ConsumedCapacity, so count 1 WCU.
        if ((error as { name?: string }).name === 'ConditionalCheckFailedException') capacity.write += 1;
        throw error;
      }
    },
    { step: 'initialize', name: 'benchConsumedCapacity' },
  );
  countRequests(processSqs, 'processSqs', counts);
  countRequests(ingestSqs, 'ingestSqs', counts);
  countRequests(eventSourceSqs, 'eventSource', counts);

  const simpli = await startFakeServer(async (request) => {
    const reply = await defaultSimpli(request);
    const latency = PATH_LATENCY[request.path];
    return latency === undefined ? reply : { ...reply, delayMs: latencies[latency] ?? 0 };
  });
  const helpdesk = await startFakeServer(() => ({ status: 200, json: { ok: true }, delayMs: latencies.helpdesk }));
  const ledger = options.ledger === 'memory' ? memoryLedger() : createLedger(dynamodb, tableName);
  const logger = createLogger();
  const metrics = createMetrics();
  const settings = { generic: { updateUrl: `${helpdesk.url}/tickets/{ticket_id}`, token: 'helpdesk-token' } };
  const simpliConfig: SimpliConfig = {
    triageUrl: simpli.url,
    sentimentUrl: simpli.url,
    qaUrl: simpli.url,
    replyUrl: simpli.url,
    apiKey: 'simpli-key',
    draftReplies: options.draftReplies ?? true,
    draftStyle: 'friendly',
    draftLanguage: 'en',
    timeoutMs: 10_000,
    qaTimeoutMs: 30_000,
  };
  const providers = { generic: genericProvider };
  const processHandler = withLambdaContext(
      logger,
      createProcessHandler({
        providers,
        ledger,
        simpli: simpliConfig,
        settingsFor: async (p) => settings[p as 'generic'],
        deadLetter: createDeadLetter(processSqs, deadLetterQueueUrl),
        maxReceiveCount: 5,
        leaseSeconds: 120,
        ttlSeconds: 30 * 86_400,
        confidenceThreshold: 0.6,
        now: Date.now,
        logger,
        metrics,
      }),
    );
  const ingestHandler = benchIngestHandler(ingestSqs, queueUrl, logger, metrics);

  return {
    emulators,
    ledger,
    simpli,
    helpdesk,
    queueUrl,
    eventSourceSqs,
    counts,
    capacity,
    process: (event) => processHandler(event, lambdaContext('ProcessFunction', 90_000)),
    ingest: (event) => ingestHandler(event, lambdaContext('IngestFunction', 10_000)),
    async stop() {
      await Promise.all([simpli.stop(), helpdesk.stop()]);
      for (const client of [dynamodb, processSqs, ingestSqs, eventSourceSqs]) client.destroy();
      await emulators.stop();
    },
  };
}
