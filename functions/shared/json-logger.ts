/**
 * The functions' logger: the JSON lines of Powertools' Logger, written by our own small class
 * (issue #10). `@aws-lambda-powertools/logger` with its commons added about 21 KB to every bundle
 * and Metrics 11 KB; with their construction at load they were about 3 % of each function's cold
 * start against its SDK floor (README, "Performance"), for the handful of methods the bridge calls. Same keys in the same order, same error shape, same
 * level rules, same streams (debug/info to stdout, warn/error to stderr), as Powertools v2 writes
 * them (node_modules/@aws-lambda-powertools/logger/lib/esm/Logger.js, formatter/*.js);
 * test/unit/json-logger.test.ts runs the same calls through both and compares the lines.
 *
 * Levels: AWS_LAMBDA_LOG_LEVEL (Lambda's advanced logging controls) wins, then the constructor's,
 * then POWERTOOLS_LOG_LEVEL or LOG_LEVEL, else INFO. POWERTOOLS_LOGGER_SAMPLE_RATE logs that share
 * of invocations at DEBUG. Not provided, as the bridge uses none of them: log buffering, custom
 * formatters and record order, logEvent, correlation-id paths, nested merging of appended keys,
 * timestamps in a TZ other than Lambda's UTC, POWERTOOLS_DEV's stack split into lines (its
 * indentation is kept).
 * One deliberate difference: a child logger reports its parent's `cold_start` (Powertools gives
 * every child `true` on its first line, so each record of a warm batch claimed a cold start).
 */
import { randomInt } from 'node:crypto';
import type { Context } from 'aws-lambda';

type Env = Readonly<Record<string, string | undefined>>;
export type LogAttributes = Record<string, unknown>;

/** What the handlers and apps call; Powertools' Logger has the same shape (tests pass either). */
export interface Logger {
  debug(message: string, ...extra: LogExtra[]): void;
  info(message: string, ...extra: LogExtra[]): void;
  warn(message: string, ...extra: LogExtra[]): void;
  error(message: string, ...extra: LogExtra[]): void;
  appendKeys(attributes: LogAttributes): void;
  resetKeys(): void;
  createChild(options?: { persistentKeys?: LogAttributes }): Logger;
}
export type LogExtra = LogAttributes | Error | string | undefined | null;

/** The Lambda context fields a line carries (aws-lambda's Context). */
export interface LambdaContextFields {
  readonly invokedFunctionArn?: string | undefined;
  readonly awsRequestId?: string | undefined;
  readonly memoryLimitInMB?: string | undefined;
  readonly functionName?: string | undefined;
  readonly tenantId?: string | undefined;
}

const LEVELS = { TRACE: 6, DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24, SILENT: 28 } as const;
type LevelName = keyof typeof LEVELS;
const RESERVED_KEYS: ReadonlySet<string> = new Set(['level', 'message', 'sampling_rate', 'service', 'timestamp']);

const levelOf = (value: string | undefined): LevelName | undefined =>
  value !== undefined && Object.hasOwn(LEVELS, value) ? (value as LevelName) : undefined;
const envString = (env: Env, key: string): string => env[key]?.trim() ?? '';
const TRUTHY = new Set(['1', 'y', 'yes', 't', 'true', 'on']);

/** State one container's loggers share: the cold start is the container's, not each logger's. */
interface Shared {
  coldStart: boolean;
}

export interface JsonLoggerOptions {
  readonly serviceName?: string;
  readonly logLevel?: string;
  readonly persistentKeys?: LogAttributes;
  /** The environment (tests); process.env otherwise, read as Powertools reads it. */
  readonly env?: Env;
  /**
   * Leave out the keys that are the same on every line of a function's log group (issue #10, cost:
   * about 170 of a line's 600 bytes): `function_arn`, `function_name`, `function_memory_size`,
   * `sampling_rate`, and `cold_start` unless true. The log group names the function; the names of
   * the keys kept are Powertools', so queries written for Powertools' lines keep working.
   */
  readonly compactKeys?: boolean;
}

export class JsonLogger implements Logger {
  readonly #env: Env;
  readonly #service: string;
  readonly #persistent: LogAttributes;
  #temporary: LogAttributes = {};
  #context: (LambdaContextFields & { coldStart: boolean }) | undefined;
  readonly #initialLevel: number;
  /** Set by Lambda's advanced logging controls: then no sampling or option changes the level. */
  readonly #lambdaLevel: LevelName | undefined;
  #warnedLambdaLevel = false;
  #level: number;
  readonly #sampleRate: number;
  #invocations = 0;
  readonly #indent: number;
  readonly #shared: Shared;
  readonly #compact: boolean;

  constructor(options: JsonLoggerOptions = {}, shared?: Shared) {
    const env = options.env ?? process.env;
    this.#env = env;
    this.#service = options.serviceName || envString(env, 'POWERTOOLS_SERVICE_NAME') || 'service_undefined';
    this.#shared = shared ?? { coldStart: envString(env, 'AWS_LAMBDA_INITIALIZATION_TYPE') === 'on-demand' };
    const alcRaw = envString(env, 'AWS_LAMBDA_LOG_LEVEL');
    const alc = levelOf(alcRaw === 'FATAL' ? 'CRITICAL' : alcRaw);
    const chosen = alc ?? levelOf(options.logLevel?.toUpperCase()) ?? levelOf(envString(env, 'POWERTOOLS_LOG_LEVEL') || envString(env, 'LOG_LEVEL')) ?? 'INFO';
    this.#initialLevel = LEVELS[chosen];
    this.#lambdaLevel = alc;
    this.#level = this.#initialLevel;
    const rate = Number(env.POWERTOOLS_LOGGER_SAMPLE_RATE?.trim() || '0');
    this.#sampleRate = Number.isFinite(rate) && rate >= 0 && rate <= 1 ? rate : 0;
    this.#compact = options.compactKeys === true;
    this.#indent = TRUTHY.has(envString(env, 'POWERTOOLS_DEV').toLowerCase()) ? 4 : 0;
    this.#persistent = {};
    if (options.persistentKeys !== undefined) Object.assign(this.#persistent, this.#withoutReserved(options.persistentKeys));
    this.#sample();
  }

  debug(message: string, ...extra: LogExtra[]): void {
    this.#log('DEBUG', message, extra);
  }
  info(message: string, ...extra: LogExtra[]): void {
    this.#log('INFO', message, extra);
  }
  warn(message: string, ...extra: LogExtra[]): void {
    this.#log('WARN', message, extra);
  }
  error(message: string, ...extra: LogExtra[]): void {
    this.#log('ERROR', message, extra);
  }

  /** Keys on every line until resetKeys() (the middleware calls it after each invocation). */
  appendKeys(attributes: LogAttributes): void {
    Object.assign(this.#temporary, this.#withoutReserved(attributes));
  }

  resetKeys(): void {
    this.#temporary = {};
  }

  /** A logger with this one's level, context and keys, plus `persistentKeys` (first on its lines). */
  createChild(options: { persistentKeys?: LogAttributes } = {}): JsonLogger {
    const child = new JsonLogger(
      { serviceName: this.#service, logLevel: levelNameOf(this.#level), persistentKeys: { ...this.#persistent, ...options.persistentKeys }, env: this.#env, compactKeys: this.#compact },
      this.#shared,
    );
    child.#context = this.#context;
    child.appendKeys(this.#temporary);
    return child;
  }

  /** The invocation's context (withLambdaContext calls this before the handler). */
  addContext(context: LambdaContextFields): void {
    const coldStart = this.#shared.coldStart;
    this.#shared.coldStart = false;
    this.#context = { ...pick(context), coldStart };
  }

  /** Per invocation, after the first: log this one at DEBUG with POWERTOOLS_LOGGER_SAMPLE_RATE's odds. */
  refreshSampling(): void {
    if (this.#invocations++ === 0) return;
    this.#level = this.#initialLevel;
    this.#sample();
  }

  #sample(): void {
    if (this.#sampleRate > 0 && randomInt(0, 100) / 100 <= this.#sampleRate && this.#level > LEVELS.TRACE) {
      const alc = this.#lambdaLevel;
      if (alc === undefined) this.#level = LEVELS.DEBUG;
      else if (LEVELS[alc] > LEVELS.DEBUG && !this.#warnedLambdaLevel) {
        this.#warnedLambdaLevel = true; // once per logger, as Powertools warns
        this.warn(`Current log level (DEBUG) does not match AWS Lambda Advanced Logging Controls minimum log level (${alc}). This can lead to data loss, consider adjusting them.`);
      }
      this.debug('Setting log level to DEBUG due to sampling rate');
    }
  }

  #withoutReserved(attributes: LogAttributes): LogAttributes {
    const kept: LogAttributes = {};
    for (const [key, value] of Object.entries(attributes)) {
      if (RESERVED_KEYS.has(key)) this.warn(`The key "${key}" is a reserved key and will be dropped.`);
      else kept[key] = value;
    }
    return kept;
  }

  #log(level: LevelName, message: string, extra: readonly LogExtra[]): void {
    if (LEVELS[level] < this.#level) return;
    const c = this.#context;
    const line: LogAttributes = this.#compact
      ? {
          level,
          message,
          timestamp: new Date().toISOString(),
          service: this.#service,
          cold_start: c?.coldStart === true ? true : undefined,
          function_request_id: c?.awsRequestId,
          xray_trace_id: traceId(this.#env._X_AMZN_TRACE_ID),
          tenant_id: c?.tenantId,
        }
      : {
          level,
          message,
          timestamp: new Date().toISOString(),
          service: this.#service,
          cold_start: c?.coldStart,
          function_arn: c?.invokedFunctionArn,
          function_memory_size: c?.memoryLimitInMB,
          function_name: c?.functionName,
          function_request_id: c?.awsRequestId,
          sampling_rate: this.#sampleRate,
          xray_trace_id: traceId(this.#env._X_AMZN_TRACE_ID),
          tenant_id: c?.tenantId,
        };
    for (const [key, value] of Object.entries(this.#persistent)) if (value !== undefined) line[key] = value;
    for (const [key, value] of Object.entries(this.#temporary)) if (value !== undefined) line[key] = value;
    for (const item of extra) {
      if (item === undefined || item === null) continue;
      if (item instanceof Error) line.error = item;
      else if (typeof item === 'string') line.extra = item;
      else for (const [key, value] of Object.entries(this.#withoutReserved(item))) if (value !== undefined) line[key] = value;
    }
    // Top-level keys without a value are left out, as Powertools leaves them out.
    for (const [key, value] of Object.entries(line)) if (value === undefined || value === null || value === '') delete line[key];
    const text = `${JSON.stringify(line, jsonReplacer(), this.#indent)}\n`;
    (LEVELS[level] >= LEVELS.WARN ? process.stderr : process.stdout).write(text);
  }
}

function levelNameOf(level: number): LevelName {
  return (Object.keys(LEVELS) as LevelName[]).find((name) => LEVELS[name] === level) ?? 'INFO';
}

function pick(context: LambdaContextFields): LambdaContextFields {
  const { invokedFunctionArn, awsRequestId, memoryLimitInMB, functionName, tenantId } = context;
  return { invokedFunctionArn, awsRequestId, memoryLimitInMB, functionName, tenantId };
}

/** `Root=1-…;Parent=…;Sampled=1` → `1-…` (the trace id Lambda sets per invocation). */
function traceId(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, value] = part.split('=');
    if (key?.trim() === 'Root' && value !== undefined) return value.trim();
  }
  return undefined;
}

/** An Error as Powertools prints it: name, first `(file:line:col)` frame, message, stack, cause, own fields. */
export function formatError(error: Error): LogAttributes {
  const record = error as Error & Record<string, unknown>;
  const formatted: LogAttributes = {
    name: error.name,
    location: codeLocation(error.stack),
    message: error.message,
    stack: error.stack,
    cause: error.cause instanceof Error ? formatError(error.cause) : error.cause,
  };
  for (const key in record) if (key !== 'name' && key !== 'message' && key !== 'stack' && key !== 'cause') formatted[key] = record[key];
  return formatted;
}

function codeLocation(stack: string | undefined): string {
  for (const frame of (stack ?? '').split('\n')) {
    const match = /\(([^()]*?):(\d+?):(\d+?)\)\\?$/.exec(frame);
    if (match !== null) return `${match[1]}:${Number(match[2])}`;
  }
  return '';
}

/** Errors formatted, bigints as text, and a value that contains itself cut where it recurs. */
function jsonReplacer(): (this: unknown, key: string, value: unknown) => unknown {
  const path: unknown[] = [];
  return function (this: unknown, _key: string, value: unknown) {
    const replaced = value instanceof Error ? formatError(value) : value;
    if (typeof replaced === 'bigint') return replaced.toString();
    if (typeof replaced === 'object' && replaced !== null) {
      while (path.length > 0 && path.at(-1) !== this) path.pop();
      if (path.includes(replaced)) return undefined;
      path.push(replaced);
    }
    return replaced;
  };
}

/**
 * A handler with the invocation's context on every line, a fresh sampling decision, and the
 * appended keys dropped after the invocation, as Powertools' injectLambdaContext middleware with
 * `resetKeys` does (test/unit/json-logger.test.ts compares the two). A plain wrapper: middy, which
 * ran this one before/after hook, was 3 KB of every bundle (issue #10, cold start).
 */
export function withLambdaContext<E, R>(logger: JsonLogger, handler: (event: E, context: Context) => Promise<R>): (event: E, context: Context) => Promise<R> {
  return async (event, context) => {
    logger.refreshSampling();
    logger.addContext(context);
    try {
      return await handler(event, context);
    } finally {
      logger.resetKeys();
    }
  };
}
