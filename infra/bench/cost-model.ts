/**
 * Cost per million tickets at AWS list prices (issue #10): pure arithmetic over resource use that
 * infra/bench/cost.ts measures. No measurement happens here; test/bench/cost-model.test.ts checks
 * the sums by hand.
 *
 * Prices: US East (N. Virginia), on-demand list prices read 2026-12-03, first pricing tier, no
 * free tier:
 * - Lambda, Arm: $0.0000133334 per GB-second (first 7.5 billion GB-s/month), $0.20 per million
 *   requests; duration rounded up to the ms; INIT is billed too (https://aws.amazon.com/lambda/pricing/,
 *   tiers as quoted by https://cloudchipr.com/blog/aws-lambda-pricing).
 * - SQS standard: $0.40 per million requests, every 64 KB chunk of a payload one request
 *   (https://aws.amazon.com/sqs/pricing/, as quoted by https://cloudburn.io/blog/amazon-sqs-pricing, March 2026).
 * - DynamoDB on demand: $0.625 per million write request units, $0.125 per million read request
 *   units (https://aws.amazon.com/dynamodb/pricing/on-demand/, as quoted by
 *   https://airbyte.com/data-engineering-resources/dynamodb-pricing).
 * - Secrets Manager: $0.05 per 10,000 API calls, $0.40 per secret-month
 *   (https://aws.amazon.com/secrets-manager/pricing/, as quoted by hivebook.wiki's Secrets Manager page).
 * - CloudWatch: logs ingested $0.50 per GB, custom metrics $0.30 per metric-month (first 10,000);
 *   EMF metrics pay ingestion + per metric, no PutMetricData requests
 *   (https://aws.amazon.com/cloudwatch/pricing/; docs.aws.amazon.com/wellarchitected/latest/serverless-applications-lens/logging-ingestion-and-storage.html).
 * - API Gateway HTTP API: $1.00 per million requests (first 300 million), each 512 KB one request
 *   (https://aws.amazon.com/api-gateway/pricing/). Only with Endpoint=HttpApi: a Lambda function
 *   URL (the default) has no charge of its own ("Function URLs are included in Lambda's request
 *   and duration pricing", https://aws.amazon.com/lambda/pricing/).
 */

export interface Prices {
  readonly region: string;
  readonly readOn: string;
  readonly lambdaPerGbSecond: number;
  readonly lambdaPerRequest: number;
  readonly sqsPerRequest: number;
  readonly dynamoPerWriteUnit: number;
  readonly dynamoPerReadUnit: number;
  readonly secretsPerCall: number;
  readonly secretsPerSecretMonth: number;
  readonly logsPerGb: number;
  readonly metricPerMonth: number;
  readonly httpApiPerRequest: number;
}

export const US_EAST_1: Prices = {
  region: 'us-east-1',
  readOn: '2026-12-03',
  lambdaPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1e6,
  sqsPerRequest: 0.4 / 1e6,
  dynamoPerWriteUnit: 0.625 / 1e6,
  dynamoPerReadUnit: 0.125 / 1e6,
  secretsPerCall: 0.05 / 10_000,
  secretsPerSecretMonth: 0.4,
  logsPerGb: 0.5,
  metricPerMonth: 0.3,
  httpApiPerRequest: 1 / 1e6,
};

/** What one event of a type uses, measured (durations, counts, bytes) or derived from the template. */
export interface EventUsage {
  /** Lambda invocations per event (a batch of n records is 1/n) and each invocation's duration. */
  readonly lambda: ReadonlyArray<{ readonly name: string; readonly memoryMb: number; readonly invocations: number; readonly durationMs: number }>;
  readonly httpApiRequests: number;
  readonly sqsRequests: number;
  readonly dynamoWriteUnits: number;
  readonly dynamoReadUnits: number;
  /** Bytes written to CloudWatch Logs (JSON logs, EMF lines, Lambda's START/END/REPORT lines). */
  readonly logBytes: number;
}

/** What the stack costs per month whatever the traffic (within one container per function). */
export interface MonthlyUsage {
  readonly secrets: number;
  readonly secretsCalls: number;
  /** Distinct EMF metric series (name × dimension values). */
  readonly metricSeries: number;
  /** ReceiveMessage calls of Lambda's pollers on an empty queue. */
  readonly idleSqsRequests: number;
}

export type Breakdown = Readonly<Record<string, number>>;

const GB = 1024 ** 3;

/** Dollars per event of one type, by line item. */
export function eventCost(usage: EventUsage, prices: Prices = US_EAST_1): Breakdown {
  const lines: Record<string, number> = {};
  for (const fn of usage.lambda) {
    // Billed per invocation, rounded up to the ms.
    lines[`Lambda ${fn.name} duration`] = fn.invocations * (fn.memoryMb / 1024) * (Math.ceil(fn.durationMs) / 1000) * prices.lambdaPerGbSecond;
    lines[`Lambda ${fn.name} requests`] = fn.invocations * prices.lambdaPerRequest;
  }
  lines['API Gateway HTTP API'] = usage.httpApiRequests * prices.httpApiPerRequest;
  lines['SQS requests'] = usage.sqsRequests * prices.sqsPerRequest;
  lines['DynamoDB writes'] = usage.dynamoWriteUnits * prices.dynamoPerWriteUnit;
  lines['DynamoDB reads'] = usage.dynamoReadUnits * prices.dynamoPerReadUnit;
  lines['CloudWatch Logs ingestion'] = (usage.logBytes / GB) * prices.logsPerGb;
  return lines;
}

/** Dollars per month of the traffic-independent part, by line item. */
export function monthlyCost(usage: MonthlyUsage, prices: Prices = US_EAST_1): Breakdown {
  return {
    'Secrets Manager secrets': usage.secrets * prices.secretsPerSecretMonth,
    'Secrets Manager calls': usage.secretsCalls * prices.secretsPerCall,
    'CloudWatch custom metrics': usage.metricSeries * prices.metricPerMonth,
    'SQS idle polling': usage.idleSqsRequests * prices.sqsPerRequest,
  };
}

export const total = (breakdown: Breakdown): number => Object.values(breakdown).reduce((sum, v) => sum + v, 0);

/** Multiplies every line (e.g. by a million events). */
export const scale = (breakdown: Breakdown, factor: number): Breakdown =>
  Object.fromEntries(Object.entries(breakdown).map(([k, v]) => [k, v * factor]));

/** Adds breakdowns line by line. */
export function add(...breakdowns: readonly Breakdown[]): Breakdown {
  const out: Record<string, number> = {};
  for (const b of breakdowns) for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** Secrets Manager calls a month: each container refreshes each secret once per cache period. */
export function secretsCallsPerMonth(secretsPerContainer: number, containers: number, cacheSeconds: number, days = 30): number {
  return secretsPerContainer * containers * Math.ceil((days * 86_400) / cacheSeconds);
}

/** The shape of the architecture that no tuning changes (issue #10's floor). */
export interface FloorShape {
  /** API Gateway requests per webhook: 0 on the function URL, 1 with Endpoint=HttpApi. */
  readonly httpApiRequestsPerWebhook: number;
  /** Webhooks (= events) per ticket: ticket.created + ticket.resolved. */
  readonly eventsPerTicket: number;
  /** Records per ProcessFunction invocation (the event source's BatchSize). */
  readonly batchSize: number;
  /** Ledger writes no event can do without: claim + finish, 1 WCU each (items ≤ 1 KB). */
  readonly ledgerWritesPerEvent: number;
}

/**
 * Dollars per million tickets this architecture cannot go below, whatever its code does: one
 * IngestFunction invocation (and, with an HTTP API in front, one API Gateway request) per webhook, SQS send + receive + delete (the
 * receive and delete batched), the minimum Ledger writes, and 1/batchSize of a ProcessFunction
 * invocation per event. Lambda duration, logs and metrics are left out: they are what tuning moves.
 */
export function floorPerMillionTickets(shape: FloorShape, prices: Prices = US_EAST_1): Breakdown {
  const events = shape.eventsPerTicket * 1e6;
  return {
    'API Gateway HTTP API': events * shape.httpApiRequestsPerWebhook * prices.httpApiPerRequest,
    'SQS requests': events * (1 + 2 / shape.batchSize) * prices.sqsPerRequest,
    'DynamoDB writes': events * shape.ledgerWritesPerEvent * prices.dynamoPerWriteUnit,
    'Lambda requests': events * (1 + 1 / shape.batchSize) * prices.lambdaPerRequest,
  };
}

/** Seconds in the 30-day month the figure prices. */
const SECONDS_PER_MONTH = 30 * 86_400;

/** Events a second at `ticketsPerMonth`, each ticket `eventsPerTicket` webhooks, spread evenly. */
export function eventsPerSecond(ticketsPerMonth: number, eventsPerTicket: number): number {
  return (ticketsPerMonth * eventsPerTicket) / SECONDS_PER_MONTH;
}

/** The event source as template.yaml configures it. */
export interface Batching {
  readonly batchSize: number;
  readonly windowSeconds: number;
}

/**
 * Records per ProcessFunction invocation at a steady `eventsPerSecond`. For SQS, "the next batching
 * window begins as soon as the previous function invocation completes", and Lambda invokes when the
 * window ends, the batch is full or the payload reaches 6 MB
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html, "Batching
 * behavior"): a batch holds what arrived during one window, at least 1 and at most BatchSize. This
 * is an upper estimate: it counts one poller, and Lambda polls a queue with several, which can
 * split a slow stream between them.
 */
export function recordsPerBatch(eventsPerSecondValue: number, batching: Batching): number {
  return Math.min(batching.batchSize, Math.max(1, eventsPerSecondValue * batching.windowSeconds));
}

/**
 * A per-event breakdown at `records` per invocation, from two measured ones: at 1 record and at
 * `full` records per invocation. Every line is a per-event part plus a per-invocation part shared
 * by the batch (duration waiting on Simpli, the invocation request, receive and delete, the
 * batch's log lines), so each is linear in 1/records between the two measurements.
 */
export function breakdownAtBatch(atOne: Breakdown, atFull: Breakdown, full: number, records: number): Breakdown {
  if (full <= 1) return { ...atFull };
  const share = (1 / records - 1 / full) / (1 - 1 / full);
  const out: Record<string, number> = {};
  for (const name of new Set([...Object.keys(atOne), ...Object.keys(atFull)])) {
    const one = atOne[name] ?? 0;
    const many = atFull[name] ?? 0;
    out[name] = many + (one - many) * share;
  }
  return out;
}
