/**
 * The functions' own logger (functions/shared/json-logger.ts, issue #10) writes what Powertools'
 * Logger writes: the same calls go through both — Powertools as the reference, a devDependency of
 * the tests only — and the lines must be equal, key order included, with only the timestamps
 * normalised. The one deliberate difference (a child's cold_start) is pinned on its own.
 */
import { LogFormatter, LogItem, Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { injectLambdaContext as powertoolsContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JsonLogger, withLambdaContext, type Logger } from '../../functions/shared/json-logger.ts';
import { captureOutput, type WrittenLine } from '../support/capture-output.ts';

type Line = WrittenLine;
const capture = captureOutput;

/** Timestamps differ between the two runs; everything else must not. */
const normalised = (lines: readonly Line[]) =>
  lines.map(({ stream, text }) => ({ stream, text: text.replace(/"timestamp":"[^"]+"/, '"timestamp":"T"') }));

const CONTEXT = {
  functionName: 'IngestFunction',
  memoryLimitInMB: '512',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:IngestFunction',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 5000,
};

// One Error instance for both runs, so that stacks and locations are the same text.
const failure = Object.assign(new Error('SendMessageBatch failed', { cause: new TypeError('socket hang up') }), { reason: 'queue_unavailable', retryable: true });
const circular: Record<string, unknown> = { id: 'x' };
circular.self = circular;

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * The calls the apps make (functions/*\/app.ts), over two invocations, through `wrap`: Powertools'
 * injectLambdaContext middleware in middy (the reference), or our withLambdaContext.
 */
async function scenario(logger: Logger, wrap: (handler: Handler) => Handler): Promise<void> {
  const handler = wrap(async () => {
    logger.appendKeys({ correlationId: 'req-1', provider: 'zendesk' });
    logger.info('accepted', { stage: 'accepted', eventType: 'ticket.created', durationMs: 3, skipped: undefined, empty: '', none: null });
    logger.debug('not at INFO', { stage: 'debug' });
    const child = logger.createChild({ persistentKeys: { eventId: 'zendesk:ticket.created:42', ticketId: '42' } });
    child.info('step', { stage: 'step', step: 'classify', outcome: 'ok', count: 12n, nested: { a: [1, { b: 2 }] } });
    child.warn('retry', { stage: 'call', service: 'triage', attempt: 1 });
    child.error('write-back', { stage: 'write-back', error: failure, loop: circular });
    logger.error('rejected', failure);
    logger.warn('reserved', { level: 'mine', message: 'mine', kept: true });
    logger.info('with text', 'an extra string');
  });
  await handler({}, CONTEXT as never);
  logger.info('between invocations');
  await handler({}, { ...CONTEXT, awsRequestId: 'second-request' } as never);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

/**
 * The reference for `compactKeys`: Powertools' own formatter less the keys every line of a log group
 * shares (function_arn, function_name, function_memory_size, sampling_rate; cold_start unless true).
 */
class CompactLogFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additionalLogAttributes: LogAttributes): LogItem {
    const context = attributes.lambdaContext;
    const base: LogAttributes = {
      level: attributes.logLevel,
      message: attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      ...(context?.coldStart === true ? { cold_start: true } : {}),
      function_request_id: context?.awsRequestId,
      xray_trace_id: attributes.xRayTraceId,
    };
    return new LogItem({ attributes: base }).addAttributes(additionalLogAttributes);
  }
}

async function bothWith(env: Record<string, string | undefined>, compactKeys = false): Promise<{ ours: Line[]; powertools: Line[] }> {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const powertools = await capture(async () => {
    const logger = new PowertoolsLogger({ serviceName: 'simpli-webhook-bridge', ...(compactKeys ? { logFormatter: new CompactLogFormatter() } : {}) });
    await scenario(logger, (handler) => middy(handler).use(powertoolsContext(logger, { resetKeys: true })));
  });
  const ours = await capture(async () => {
    const logger = new JsonLogger({ serviceName: 'simpli-webhook-bridge', compactKeys });
    await scenario(logger, (handler) => withLambdaContext(logger, handler));
  });
  return { ours, powertools };
}

const BASE_ENV = {
  POWERTOOLS_LOG_LEVEL: 'INFO',
  AWS_LAMBDA_LOG_LEVEL: undefined,
  LOG_LEVEL: undefined,
  POWERTOOLS_DEV: undefined,
  POWERTOOLS_LOGGER_SAMPLE_RATE: undefined,
  AWS_LAMBDA_INITIALIZATION_TYPE: undefined,
  _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
};

describe('the functions’ logger writes Powertools’ lines', () => {
  it('keys, order, context, children, errors, bigints, cycles, empty values and reserved keys as Powertools', async () => {
    const { ours, powertools } = await bothWith(BASE_ENV);
    expect(powertools.length).toBeGreaterThan(10);
    expect(normalised(ours)).toEqual(normalised(powertools));
    // What the comparison covers, read from Powertools' own output:
    const first = JSON.parse(powertools[0]?.text ?? '{}') as Record<string, unknown>;
    expect(Object.keys(first).slice(0, 11)).toEqual([
      'level', 'message', 'timestamp', 'service', 'cold_start', 'function_arn', 'function_memory_size', 'function_name', 'function_request_id', 'sampling_rate', 'xray_trace_id',
    ]);
    expect(powertools.filter((l) => l.stream === 'stderr').length).toBeGreaterThan(2);
  });

  it('with compactKeys (as deployed), the lines of Powertools with a formatter that drops the keys a log group shares', async () => {
    const { ours, powertools } = await bothWith(BASE_ENV, true);
    expect(powertools.length).toBeGreaterThan(10);
    expect(normalised(ours)).toEqual(normalised(powertools));
    const first = JSON.parse(powertools[0]?.text ?? '{}') as Record<string, unknown>;
    for (const key of ['function_arn', 'function_name', 'function_memory_size', 'sampling_rate']) expect(first).not.toHaveProperty(key);
    expect(first).toHaveProperty('function_request_id');
  });

  it('the same level rules: POWERTOOLS_LOG_LEVEL, LOG_LEVEL, Lambda’s AWS_LAMBDA_LOG_LEVEL above both, and debug sampling', async () => {
    for (const env of [
      { ...BASE_ENV, POWERTOOLS_LOG_LEVEL: 'WARN' },
      { ...BASE_ENV, POWERTOOLS_LOG_LEVEL: 'DEBUG' },
      { ...BASE_ENV, POWERTOOLS_LOG_LEVEL: undefined, LOG_LEVEL: 'ERROR' },
      { ...BASE_ENV, POWERTOOLS_LOG_LEVEL: 'DEBUG', AWS_LAMBDA_LOG_LEVEL: 'WARN' },
      { ...BASE_ENV, POWERTOOLS_LOG_LEVEL: 'warn' },
      // Sampling at rate 1 is deterministic: every invocation at DEBUG, announced by a DEBUG line.
      { ...BASE_ENV, POWERTOOLS_LOGGER_SAMPLE_RATE: '1' },
      { ...BASE_ENV, POWERTOOLS_LOGGER_SAMPLE_RATE: '1', AWS_LAMBDA_LOG_LEVEL: 'INFO' },
    ]) {
      const { ours, powertools } = await bothWith(env);
      expect(normalised(ours), JSON.stringify(env)).toEqual(normalised(powertools));
    }
  });

  it('reports the container’s cold start once, children included (Powertools gives each child its own)', async () => {
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    const logger = new JsonLogger({ serviceName: 's' });
    const handler = withLambdaContext(logger, async () => {
      logger.info('root');
      logger.createChild({ persistentKeys: { eventId: 'e' } }).info('child');
    });
    const lines = await capture(async () => {
      for (let i = 0; i < 2; i++) await handler({}, CONTEXT as never);
    });
    expect(lines.map((l) => JSON.parse(l.text) as { message: string; cold_start: boolean }).map((l) => [l.message, l.cold_start])).toEqual([
      ['root', true],
      ['child', true],
      ['root', false],
      ['child', false],
    ]);
  });
});
