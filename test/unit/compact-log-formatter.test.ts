import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../functions/shared/observability.ts';
import { captureOutputSync } from '../support/capture-output.ts';

const context: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'stack-ProcessFunction-abc',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:stack-ProcessFunction-abc',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/stack-process',
  logStreamName: '2026/12/03/[$LATEST]abc',
  getRemainingTimeInMillis: () => 60_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
};

/** The JSON lines the function's Logger writes (Powertools writes through its own Console on stdout/stderr). */
function lines(run: () => void): Record<string, unknown>[] {
  return captureOutputSync(run).map((l) => l.text).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('the functions’ log lines (functions/shared/observability.ts, issue #10: bytes are billed)', () => {
  it('carry level, message, timestamp, service and the request id, not the keys every line of the log group shares', () => {
    const logged = lines(() => {
      const logger = createLogger();
      logger.addContext(context);
      logger.info('first', { stage: 'done' });
      logger.addContext(context);
      logger.warn('second', { stage: 'retry' });
    });
    expect(logged).toHaveLength(2);
    const [first, second] = logged;
    expect(first).toMatchObject({ level: 'INFO', message: 'first', service: 'simpli-webhook-bridge', function_request_id: context.awsRequestId, stage: 'done' });
    expect(first?.timestamp).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
    expect(second).toMatchObject({ level: 'WARN', message: 'second', function_request_id: context.awsRequestId });
    // Written only on a cold start (true); a warm invocation's `false` is not written.
    expect(second).not.toHaveProperty('cold_start');
    for (const line of logged) {
      for (const key of ['function_arn', 'function_name', 'function_memory_size', 'sampling_rate']) expect(line).not.toHaveProperty(key);
    }
  });

  it('formats errors as Powertools does (name, message, stack)', () => {
    const [line] = lines(() => createLogger().error('failed', { error: new TypeError('boom') }));
    expect(line?.error).toMatchObject({ name: 'TypeError', message: 'boom', stack: expect.stringContaining('TypeError: boom') });
  });
});

describe('the log level under Lambda’s JSON log format (template.yaml: ApplicationLogLevel = POWERTOOLS_LOG_LEVEL = LogLevel)', () => {
  const saved = { alc: process.env.AWS_LAMBDA_LOG_LEVEL, powertools: process.env.POWERTOOLS_LOG_LEVEL };
  afterEach(() => {
    for (const [name, value] of [['AWS_LAMBDA_LOG_LEVEL', saved.alc], ['POWERTOOLS_LOG_LEVEL', saved.powertools]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  const debugLines = () => lines(() => createLogger().debug('stage', { stage: 'claimed' })).length;

  it('Lambda’s application level rules: POWERTOOLS_LOG_LEVEL=DEBUG alone gives no DEBUG lines while Lambda says INFO', () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
    process.env.AWS_LAMBDA_LOG_LEVEL = 'INFO';
    expect(debugLines()).toBe(0);
  });

  it('LogLevel=DEBUG sets both, and the stages are logged', () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
    process.env.AWS_LAMBDA_LOG_LEVEL = 'DEBUG';
    expect(debugLines()).toBe(1);
  });
});
