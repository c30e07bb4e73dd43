/**
 * Issue #10: the bundles are minified WITHOUT KeepNames (no `__name` wrappers: fewer bytes, less
 * load time), so a class's own name is a minified identifier at run time. lib/errors.ts therefore
 * names every error class with a string literal. Each function is built as `sam build` builds it
 * (infra/build.ts over template.yaml's BuildProperties), keepNames forced off whatever the template
 * says, and run by the Lambda runtime's Node in a fresh process:
 * - a cold start with a missing variable throws our ConfigError: its `name` is what the Lambda
 *   runtime reports as `errorType` of an init error and what the stack header shows;
 * - a queue message that is not a bridge event is parked in the DeadLetterQueue (fauxqs, a real
 *   SQS emulator) with its `error` attribute `String(error)`, which names the class.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunction, templateFunctions, type BuiltBundle } from '../../infra/build.ts';
import { FUNCTION_ENV, NODE24 } from '../../infra/bench/cold-start.ts';
import { startEmulators, type Emulators } from '../../infra/emulators.ts';

const run = promisify(execFile);

/** Imports the bundle (its cold start) and calls the handler with EVENT; prints what was thrown. */
const SCRIPT = `
let m;
try {
  m = await import(process.env.BUNDLE);
} catch (error) {
  console.log(JSON.stringify({ phase: 'init', name: error.name, reason: error.reason, header: String(error.stack).split('\\n')[0] }));
  process.exit(0);
}
const result = await m.handler(JSON.parse(process.env.EVENT), { awsRequestId: 'error-names-test', getRemainingTimeInMillis: () => 5000 });
console.log(JSON.stringify({ phase: 'invoke', result }));`;

let dir = '';
let emulators: Emulators | undefined;
const bundles = new Map<string, BuiltBundle>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'error-names-'));
  for (const f of templateFunctions()) {
    if (f.name !== 'IngestFunction' && f.name !== 'ProcessFunction') continue;
    bundles.set(f.name, await buildFunction(f.name, f.entryPoint, { ...f.options, keepNames: false }, join(dir, f.name)));
  }
  emulators = await startEmulators();
}, 120_000);

afterAll(async () => {
  await emulators?.stop();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

async function runBundle(name: string, env: Record<string, string>, event: unknown): Promise<Record<string, unknown>> {
  const bundle = bundles.get(name);
  expect(bundle, `${name} is an esbuild function of template.yaml`).toBeDefined();
  const { stdout } = await run(NODE24, ['--input-type=module', '-e', SCRIPT], {
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      ...env,
      BUNDLE: pathToFileURL(String(bundle?.file)).href,
      EVENT: JSON.stringify(event),
    },
  });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as Record<string, unknown>;
}

describe('error names in the bundles built without KeepNames', () => {
  for (const [name, variable] of [
    ['IngestFunction', 'QUEUE_URL'],
    ['ProcessFunction', 'LEDGER_TABLE'],
  ] as const) {
    it(`${name}: a cold start without ${variable} fails with an error named ConfigError`, async () => {
      const env = Object.fromEntries(Object.entries(FUNCTION_ENV[name] ?? {}).filter(([key]) => key !== variable));
      const outcome = await runBundle(name, env, {});
      expect(outcome).toEqual({
        phase: 'init',
        name: 'ConfigError',
        reason: 'missing_variable',
        header: expect.stringMatching(new RegExp(`^ConfigError: ${variable} is not set`)),
      });
    }, 60_000);
  }

  it('ProcessFunction: a message that is not a bridge event is dead-lettered naming PermanentEventError', async () => {
    if (emulators === undefined) throw new Error('the emulators did not start');
    const sqs = new SQSClient({ ...emulators.clientConfig, endpoint: emulators.sqsEndpoint });
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'error-names-dlq' }));
      const record = {
        messageId: 'm-1',
        receiptHandle: 'r-1',
        body: 'this is not JSON',
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:TicketQueue',
        awsRegion: 'us-east-1',
      };
      const outcome = await runBundle(
        'ProcessFunction',
        { ...FUNCTION_ENV.ProcessFunction, DEAD_LETTER_QUEUE_URL: String(QueueUrl), AWS_ENDPOINT_URL_SQS: emulators.sqsEndpoint },
        { Records: [record] },
      );
      expect(outcome).toEqual({ phase: 'invoke', result: { batchItemFailures: [] } });
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 1 }));
      expect(Messages?.[0]?.Body).toBe('this is not JSON');
      expect(Messages?.[0]?.MessageAttributes?.reason?.StringValue).toBe('invalid_message');
      expect(Messages?.[0]?.MessageAttributes?.error?.StringValue).toBe('PermanentEventError: the queue message is not JSON');
    } finally {
      sqs.destroy();
    }
  }, 60_000);
});
