/**
 * `npm start`: the whole bridge on this machine, without Docker or AWS.
 *
 *   fauxqs (SQS) + dynalite (DynamoDB), in-process
 *   → the queues and the Ledger table created from template.yaml
 *   → the local Simpli simulator for every Simpli URL that is not set
 *   → the REAL handlers (functions/ingest/handler.ts, functions/process/handler.ts), behind a
 *     local HTTP API and an SQS poller that invokes ProcessFunction as Lambda's event source does.
 *
 * Prints the URL, the routes and one readable line per processed event. LOG_FORMAT=json keeps the
 * handlers' raw JSON logs. `startLocalStack()` is the same stack for tests (port 0). The handler
 * modules read the environment when imported and keep their SDK clients, so ONE stack with
 * handlers can be started per process (vitest runs each test file in its own process).
 */
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { LOCAL_DEV_SECRET } from '../lib/config.ts';
import { PROVIDER_NAMES } from '../lib/providers/types.ts';
import { startEmulators, type Emulators } from './emulators.ts';
import { startLocalApi, type LocalApi } from './local-api.ts';
import { createSqsPoller, type BatchResult, type SqsPoller } from './poller.ts';
import { removeLocalStackFile, writeLocalStackFile } from './local-stack-file.ts';
import { createLocalResources, type LocalResources, type ResourceOverrides } from './resources.ts';
import { startReconcileTimer, type ReconcileTimer } from './reconcile-timer.ts';
import { startSimpliSimulator, type SimpliSimulator, type SimulatorOptions } from './simpli-simulator.ts';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The batching window the local poller uses: the template's, at most 1 s. Deployed, a longer window
 * fills batches at low traffic and so costs less (template.yaml, BatchingWindowSeconds); on one
 * developer's machine it would only make every `npm run send` wait that long.
 */
export const LOCAL_MAX_WINDOW_SECONDS = 1;
export function localWindowSeconds(deployedSeconds: number): number {
  return Math.min(deployedSeconds, LOCAL_MAX_WINDOW_SECONDS);
}

export const DEFAULT_DRY_RUN_FILE = '.local/helpdesk-updates.jsonl';
const SIMPLI_VARIABLES = ['TRIAGE_URL', 'SENTIMENT_URL', 'QA_URL', 'REPLY_URL'] as const;

/** `pretty`: one readable line per event (default); `json`: the handlers' raw logs; `silent`: nothing. */
export type LogFormat = 'pretty' | 'json' | 'silent';

export interface LocalStackOptions {
  /** 0 = any free port. */
  readonly port?: number;
  readonly host?: string;
  /** Variables that win over process.env (tests). `undefined` removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly templatePath?: string;
  /** E.g. a 1 s visibility timeout for retry tests. */
  readonly resources?: ResourceOverrides;
  readonly poller?: {
    readonly concurrency?: number;
    readonly waitTimeSeconds?: number;
    readonly maximumBatchingWindowMs?: number;
    readonly functionTimeoutMs?: number;
  };
  readonly simulator?: SimulatorOptions;
  readonly logFormat?: LogFormat;
  /** Where the banner and readable lines go (default: stdout). */
  readonly print?: (line: string) => void;
}

export interface LocalStack {
  readonly url: string;
  readonly emulators: Emulators;
  readonly resources: LocalResources;
  /** Undefined when every Simpli URL was set. */
  readonly simulator: SimpliSimulator | undefined;
  readonly poller: SqsPoller;
  readonly api: LocalApi;
  /** An SQS client on the emulator (tests inspect the queues with it). */
  readonly sqs: SQSClient;
  /** The variables the handlers were started with. */
  readonly env: Readonly<Record<string, string>>;
  readonly dryRunFile: string | undefined;
  /** What the banner said the stack defaulted (simulated services, local secret, dry run). */
  readonly notices: readonly string[];
  /** RECONCILE_INTERVAL_SECONDS > 0 and a listable provider with HELPDESK_CONFIG settings. */
  readonly reconcileTimer: ReconcileTimer | undefined;
  stop(): Promise<void>;
}

let handlersImported = false;

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  if (handlersImported) {
    throw new Error('a local stack with handlers already ran in this process: the handler modules read the environment once, at import');
  }
  handlersImported = true;
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const input: Record<string, string | undefined> = { ...process.env, ...options.env };
  const logFormat: LogFormat = options.logFormat ?? (input.LOG_FORMAT === 'json' ? 'json' : 'pretty');
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn();
    cleanups.length = 0;
  };

  try {
    const emulators = await startEmulators();
    cleanups.push(() => emulators.stop());
    const resources = await createLocalResources({
      emulators,
      ...(options.templatePath === undefined ? {} : { templatePath: options.templatePath }),
      ...(options.resources === undefined ? {} : { overrides: options.resources }),
    });

    const notices: string[] = [];
    const unsetSimpli = SIMPLI_VARIABLES.filter((name) => !input[name]?.trim());
    let simulator: SimpliSimulator | undefined;
    if (unsetSimpli.length > 0) {
      simulator = await startSimpliSimulator({ ...(input.SIMPLI_API_KEY?.trim() ? { apiKey: input.SIMPLI_API_KEY } : {}), ...options.simulator });
      cleanups.push(() => simulator?.stop());
      for (const name of unsetSimpli) input[name] = simulator.url;
      notices.push(`SIMULATED Simpli (local keyword heuristics, NOT the real services) at ${simulator.url} for ${unsetSimpli.join(', ')}`);
    }
    if (!input.WEBHOOK_SECRETS?.trim() && !input.WEBHOOK_SECRETS_ARN?.trim()) {
      input.WEBHOOK_SECRETS = JSON.stringify(Object.fromEntries(PROVIDER_NAMES.map((p) => [p, [LOCAL_DEV_SECRET]])));
      notices.push(`WEBHOOK_SECRETS unset: every provider accepts the documented local secret "${LOCAL_DEV_SECRET}" (never use it in AWS)`);
    }
    if (!input.HELPDESK_DRY_RUN_FILE?.trim()) input.HELPDESK_DRY_RUN_FILE = resolve(REPO_ROOT, DEFAULT_DRY_RUN_FILE);
    const dryRunFile = input.HELPDESK_DRY_RUN_FILE;
    notices.push(`providers without a HELPDESK_CONFIG entry: write-back is a DRY RUN appended to ${displayPath(dryRunFile)}`);

    const env = handlerEnvironment(input, emulators, resources);
    const previousEnv = applyEnvironment(env);
    cleanups.push(() => restoreEnvironment(previousEnv));

    const formatter = logFormat === 'json' ? undefined : interceptLogs(logFormat === 'pretty' ? print : () => {});
    if (formatter !== undefined) cleanups.push(() => formatter.restore());

    // The real handlers, imported only now: they read process.env at import.
    const ingest = (await import('../functions/ingest/handler.ts')).handler as unknown as (
      event: APIGatewayProxyEventV2,
      context: Context,
    ) => Promise<APIGatewayProxyStructuredResultV2>;
    const processHandler = (await import('../functions/process/handler.ts')).handler as unknown as (
      event: SQSEvent,
      context: Context,
    ) => Promise<SQSBatchResponse>;

    const api = await startLocalApi({
      handler: ingest,
      port: options.port ?? 3000,
      host: options.host ?? '127.0.0.1',
      timeoutMs: resources.ingestTimeoutSeconds * 1000,
      region: emulators.region,
      onResponse: ({ method, path, statusCode, durationMs }) => {
        if (logFormat === 'pretty') print(printable(`${clock()}  ${statusCode < 300 ? '→' : '✗'} ${method} ${path} ${statusCode} (${durationMs} ms)`));
      },
    });
    cleanups.push(() => api.stop());

    const sqs = new SQSClient({ ...emulators.clientConfig, endpoint: emulators.sqsEndpoint });
    cleanups.push(() => sqs.destroy());
    const poller = createSqsPoller({
      sqs,
      queueUrl: resources.queueUrl,
      queueArn: resources.queueArn,
      region: emulators.region,
      handler: processHandler,
      batchSize: resources.processFunction.batchSize,
      maximumBatchingWindowMs: options.poller?.maximumBatchingWindowMs ?? localWindowSeconds(resources.processFunction.maximumBatchingWindowSeconds) * 1000,
      waitTimeSeconds: options.poller?.waitTimeSeconds ?? 1,
      concurrency: options.poller?.concurrency ?? 2,
      functionTimeoutMs: options.poller?.functionTimeoutMs ?? resources.processFunction.functionTimeoutSeconds * 1000,
      functionName: resources.processFunction.functionLogicalId ?? 'ProcessFunction',
      reportBatchItemFailures: resources.processFunction.reportBatchItemFailures,
      onBatch: (batch: BatchResult) => {
        if (batch.error !== undefined && logFormat !== 'silent') {
          print(`${clock()}  ✗ ProcessFunction failed (${errorText(batch.error)}): ${batch.messageIds.length} records return after the visibility timeout`);
        }
      },
      onError: (error) => {
        if (logFormat !== 'silent') print(`${clock()}  ! SQS poller: ${errorText(error)}`);
      },
    });
    poller.start();
    cleanups.push(() => poller.stop());

    const reconcileTimer = startReconcileTimer({
      env,
      emulators,
      sqs,
      queueUrl: resources.queueUrl,
      tableName: resources.tableName,
      onReport: (report) => {
        if (logFormat !== 'silent' && report.enqueued > 0) {
          print(`${clock()}  ↺ reconcile ${report.provider}: ${report.enqueued} event(s) no webhook brought enqueued (${report.known} already known)`);
        }
      },
      onError: (provider, error) => {
        if (logFormat !== 'silent') print(`${clock()}  ! reconcile ${provider}: ${errorText(error)}`);
      },
    });
    if (reconcileTimer !== undefined) {
      cleanups.push(() => reconcileTimer.stop());
      notices.push(`reconciling ${reconcileTimer.providers.join(', ')} every ${reconcileTimer.intervalSeconds} s (RECONCILE_INTERVAL_SECONDS)`);
    }

    const stack: LocalStack = {
      url: api.url,
      emulators,
      resources,
      simulator,
      poller,
      api,
      sqs,
      env,
      dryRunFile,
      notices,
      reconcileTimer,
      stop: cleanup,
    };
    if (logFormat !== 'silent') print(banner(stack));
    return stack;
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * The variables both handlers read: the template's function environments, then the caller's,
 * then what only the local stack can know (emulator endpoints, resource names), which always wins.
 */
function handlerEnvironment(input: Record<string, string | undefined>, emulators: Emulators, resources: LocalResources): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variables of Object.values(resources.functionEnvironments)) Object.assign(env, variables);
  for (const [name, value] of Object.entries(input)) if (value !== undefined) env[name] = value;
  Object.assign(env, {
    QUEUE_URL: resources.queueUrl,
    DEAD_LETTER_QUEUE_URL: resources.deadLetterQueueUrl,
    LEDGER_TABLE: resources.tableName,
    MAX_RECEIVE_COUNT: String(resources.maxReceiveCount),
    // The AWS SDK v3 reads service-specific endpoints from these.
    AWS_ENDPOINT_URL_SQS: emulators.sqsEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamodbEndpoint,
    AWS_REGION: emulators.region,
    AWS_DEFAULT_REGION: emulators.region,
    // Dummy credentials: the emulators check none, and real ones must never reach them.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  delete env.AWS_SESSION_TOKEN;
  delete env.AWS_PROFILE;
  // EMF metrics are CloudWatch's business; locally they would only drown the readable lines.
  env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  return env;
}

function applyEnvironment(env: Record<string, string>): Record<string, string | undefined> {
  const previous: Record<string, string | undefined> = {};
  for (const name of new Set([...Object.keys(env), 'AWS_SESSION_TOKEN', 'AWS_PROFILE'])) {
    previous[name] = process.env[name];
    if (env[name] === undefined) delete process.env[name];
    else process.env[name] = env[name];
  }
  return previous;
}

function restoreEnvironment(previous: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(previous)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

// ---------------------------------------------------------------------------------------------
// Readable logs: the handlers log JSON (Powertools Logger) to stdout; each stdout line that parses
// as JSON is turned into at most one short line, everything else passes through.

interface EventTrace {
  firstSeenMs: number;
  steps: string[];
}

/**
 * Replaces stdout's and stderr's `write` (Powertools writes INFO to stdout, WARN and ERROR to
 * stderr) so that every line that parses as a JSON log record is printed as `readableLine` says.
 */
export function interceptLogs(print: (line: string) => void): { restore(): void } {
  const traces = new Map<string, EventTrace>();
  const restores = [process.stdout, process.stderr].map((stream) => {
    const original = stream.write;
    const send = original as (text: string, callback?: unknown) => boolean;
    let pending = '';
    const write = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
      pending += text;
      const passThrough: string[] = [];
      for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        const readable = readableLine(line, traces);
        if (readable === undefined) passThrough.push(`${line}\n`);
        else if (readable !== '') print(readable);
      }
      const done = typeof encoding === 'function' ? encoding : callback;
      if (passThrough.length > 0) return send.call(stream, passThrough.join(''), done);
      if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
      return true;
    };
    stream.write = write as typeof stream.write;
    return () => {
      if (stream.write === (write as typeof stream.write)) stream.write = original;
      if (pending !== '') send.call(stream, pending);
    };
  });
  return {
    restore() {
      for (const restore of restores) restore();
    },
  };
}

/**
 * Powertools Metrics' warning after every invocation that published nothing: always true locally,
 * where metrics are disabled (POWERTOOLS_METRICS_DISABLED). LOG_FORMAT=json shows it.
 */
const METRICS_NOISE = [/^No application metrics to publish/];

const OUTCOME_MARK: Readonly<Record<string, string>> = {
  done: '✓ done',
  duplicate: '= duplicate',
  retry: '↻ retry',
  leased: '… leased',
  'dead-lettered': '✗ dead-lettered',
};

/**
 * Control characters (newlines, ESC sequences that clear or recolour the terminal), C1 controls,
 * line separators and bidirectional overrides, written visibly: values in a readable line come from
 * requests (`POST /webhooks/x%0AFORGED…%1B[2J`, issue #13 finding 13) and must not forge lines.
 */
export function printable(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** undefined: not a log line (print as is); '': a log line with nothing worth a line of its own. */
export function readableLine(line: string, traces: Map<string, EventTrace>): string | undefined {
  const readable = readableLineOf(line, traces);
  return readable === undefined || readable === '' ? readable : printable(readable);
}

function readableLineOf(line: string, traces: Map<string, EventTrace>): string | undefined {
  if (METRICS_NOISE.some((noise) => noise.test(line))) return '';
  if (!line.startsWith('{')) return undefined;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (entry === null || typeof entry !== 'object') return undefined;
  if ('_aws' in entry) return ''; // an EMF metrics record
  // Only Powertools log records; any other JSON on stdout is someone's output.
  if (typeof entry.level !== 'string' || typeof entry.message !== 'string' || typeof entry.timestamp !== 'string') return undefined;
  const stage = typeof entry.stage === 'string' ? entry.stage : undefined;
  const eventId = typeof entry.eventId === 'string' ? entry.eventId : undefined;
  const level = String(entry.level ?? 'INFO');
  const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  const trace = eventId === undefined ? undefined : traces.get(eventId) ?? { firstSeenMs: Date.now(), steps: [] };
  if (eventId !== undefined && trace !== undefined) traces.set(eventId, trace);

  switch (stage) {
    case 'claimed':
      // A new attempt: list only its own steps. The time still counts from acceptance.
      if (trace !== undefined) trace.steps = [];
      return '';
    case 'step':
    case 'write-back': {
      const name = stage === 'write-back' ? (text(entry.step).startsWith('dry-run') ? 'dry-run' : 'write-back') : text(entry.step);
      trace?.steps.push(entry.outcome === 'ok' ? name : `${name}✗(${text(entry.reason)})`);
      return '';
    }
    case 'done':
    case 'duplicate':
    case 'retry':
    case 'leased':
    case 'dead-lettered': {
      if (entry.message !== stage) break; // the HTTP client's "retry" line has stage "call"
      const ms = typeof entry.durationMs === 'number' ? entry.durationMs : trace === undefined ? undefined : Date.now() - trace.firstSeenMs;
      // At DEBUG the stage lines were traced; at INFO the outcome line carries them (functions/process/event-log.ts).
      const traced = trace !== undefined && trace.steps.length > 0 ? trace.steps : outcomeSteps(entry);
      const steps = traced.length > 0 ? `  [${traced.join(', ')}]` : '';
      const reason = entry.reason === undefined ? '' : `  reason ${text(entry.reason)}${entry.step === undefined ? '' : ` at ${text(entry.step)}`}`;
      if (eventId !== undefined && stage !== 'leased') traces.delete(eventId);
      return `${clock()}  ${pad(OUTCOME_MARK[stage] ?? stage, 16)}${pad(text(entry.provider), 11)}${pad(text(entry.eventType), 17)}ticket ${pad(text(entry.ticketId), 10)}${pad(ms === undefined ? '' : `${ms} ms`, 9)}${steps}${reason}`;
    }
    case 'call':
      return `${clock()}    … ${text(entry.service)} attempt ${text(entry.attempt)} failed (${text(entry.reason)}), retrying in ${text(entry.delayMs)} ms`;
    case 'rejected':
      return `${clock()}    rejected ${text(entry.provider)}: ${text(entry.status)} ${text(entry.reason)}${entry.detail === undefined ? '' : ` — ${text(entry.detail)}`}`;
    case 'ignored':
      return `${clock()}    ignored ${text(entry.provider)}: ${text(entry.reason)}`;
    case 'accepted':
      if (trace !== undefined) trace.firstSeenMs = Date.now();
      return '';
  }
  if (level === 'WARN' || level === 'ERROR' || level === 'CRITICAL') {
    const error = entry.error as Record<string, unknown> | undefined;
    const detail = error === undefined ? text(entry.reason) : text(error.message ?? error.name);
    return `${clock()}  ${level} ${text(entry.message)}${detail === '' ? '' : `: ${detail}`}`;
  }
  return '';
}

/** The steps and write-backs an outcome line carries: `steps`/`writeBacks` (ok), `stepsFailed`/`writeBacksFailed` ("retry:<reason>"). */
function outcomeSteps(entry: Record<string, unknown>): string[] {
  const entries = (value: unknown) => (value !== null && typeof value === 'object' ? Object.entries(value as Record<string, unknown>) : []);
  const writeBack = (key: string) => (key.startsWith('dry-run') ? 'dry-run' : 'write-back');
  const failed = (name: string, why: unknown) => `${name}✗(${String(why).replace(/^(retry|failed):/, '')})`;
  return [
    ...entries(entry.steps).map(([name]) => name),
    ...entries(entry.stepsFailed).map(([name, why]) => failed(name, why)),
    ...entries(entry.writeBacks).map(([key]) => writeBack(key)),
    ...entries(entry.writeBacksFailed).map(([key, why]) => failed(writeBack(key), why)),
  ];
}

function pad(value: string, width: number): string {
  return value.length >= width ? `${value} ` : value.padEnd(width);
}

function clock(): string {
  return new Date().toISOString().slice(11, 23);
}

function errorText(error: unknown): string {
  if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
    return `${error.message} — another process (an earlier npm start?) uses that port: stop it, or run with PORT=<free port>`;
  }
  return error instanceof Error ? error.message : String(error);
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

function banner(stack: LocalStack): string {
  const r = stack.resources;
  const routes = r.httpRoutes.map((route) => `${route.method} ${stack.url}${route.path}`);
  const lines = [
    '',
    'Simpli Webhook Bridge — local stack (real handlers, emulated AWS)',
    '',
    `  Endpoint     ${stack.url} (every request to IngestFunction, as its function URL)`,
    ...routes.map((route, i) => `  ${i === 0 ? 'Routes      ' : '            '} ${route}`),
    `               {provider}: ${PROVIDER_NAMES.join(', ')}, or a connector in HELPDESK_CONFIG; {event}: ticket-created, message-created, ticket-resolved`,
    `  SQS          fauxqs ${stack.emulators.sqsEndpoint}: TicketQueue (visibility ${r.visibilityTimeoutSeconds} s, maxReceiveCount ${r.maxReceiveCount}) → DeadLetterQueue`,
    `  DynamoDB     dynalite ${stack.emulators.dynamodbEndpoint}: ${r.tableName} (no TTL locally)`,
    `  Poller       batch ${r.processFunction.batchSize}, window ${localWindowSeconds(r.processFunction.maximumBatchingWindowSeconds)} s${localWindowSeconds(r.processFunction.maximumBatchingWindowSeconds) === r.processFunction.maximumBatchingWindowSeconds ? '' : ` (${r.processFunction.maximumBatchingWindowSeconds} s deployed: BatchingWindowSeconds)`}, function timeout ${r.processFunction.functionTimeoutSeconds} s`,
    ...stack.notices.map((notice, i) => `  ${i === 0 ? 'NOTE        ' : '            '} ${notice}`),
    ...r.warnings.map((warning, i) => `  ${i === 0 ? 'Template    ' : '            '} ${warning}`),
    '',
    `  Try:  npm run send -- events/generic/ticket-created.json${stack.api.port === 3000 ? '' : ` --url ${stack.url}`}`,
    '  Logs: one line per processed event (LOG_FORMAT=json for the raw JSON logs). Ctrl-C stops.',
    '',
  ];
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT must be a port number, got "${process.env.PORT}"`);
  const stack = await startLocalStack({ port, host: process.env.HOST ?? '127.0.0.1' });
  // Tell `npm run redrive` / `npm run inspect` where this stack's queues and table are.
  writeLocalStackFile({
    AWS_ENDPOINT_URL_SQS: stack.env.AWS_ENDPOINT_URL_SQS ?? '',
    AWS_ENDPOINT_URL_DYNAMODB: stack.env.AWS_ENDPOINT_URL_DYNAMODB ?? '',
    AWS_REGION: stack.env.AWS_REGION ?? 'us-east-1',
    QUEUE_URL: stack.resources.queueUrl,
    DEAD_LETTER_QUEUE_URL: stack.resources.deadLetterQueueUrl,
    LEDGER_TABLE: stack.resources.tableName,
    WEBHOOK_URL: stack.url,
    // `npm run reconcile` / `backfill` read the helpdesk APIs with the same settings (.local is git-ignored).
    ...(stack.env.HELPDESK_CONFIG === undefined ? {} : { HELPDESK_CONFIG: stack.env.HELPDESK_CONFIG }),
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      process.stdout.write('\nforced exit\n');
      process.exit(130);
    }
    stopping = true;
    process.stdout.write(`\n${signal}: stopping (waiting for batches in flight; Ctrl-C again to force)…\n`);
    removeLocalStackFile();
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`local stack failed to start: ${errorText(error)}`);
    if (error instanceof Error && error.cause !== undefined) console.error(error.cause);
    process.exit(1);
  });
}
