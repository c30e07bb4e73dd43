/**
 * ProcessFunction's memory as deployed (issue #10, lever 2): the bundle built as `sam build` builds
 * it (infra/build.ts, the template's BuildProperties), loaded in a fresh Node process as Lambda
 * loads it (ESM import, the template's literal environment), invoked twice (cold, warm) against
 * the rig's emulators, fake Simpli and fake helpdesk. The child reports its peak RSS — what
 * Lambda's REPORT line calls "Max Memory Used", the figure MemorySize must cover — and its heap.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SQSEvent } from 'aws-lambda';
import { buildFunction, templateFunctions } from '../build.ts';
import type { ProcessRig } from './process-rig.ts';

export interface MemoryProbe {
  /** RSS once the bundle is imported (the cold start's share). */
  readonly loadedRssMb: number;
  /** Peak RSS of the process over import + the invocation. */
  readonly peakRssMb: number;
  readonly heapUsedMb: number;
  /** CPU time (user + system) of the first invocation after import, and of a second one (warm), on this machine's core. */
  readonly firstCpuMs: number;
  readonly warmCpuMs: number;
  readonly records: number;
  readonly failures: number;
}

const MB = 1024 * 1024;

/** Runs in the child: import the bundle, invoke it once with the event on stdin, write the figures. */
const DRIVER = `
import { readFileSync, writeFileSync } from 'node:fs';
const [bundle, out] = process.argv.slice(1);
const [first, second] = JSON.parse(readFileSync(0, 'utf8'));
const { handler } = await import(bundle);
const loadedRssMb = process.memoryUsage().rss / ${MB};
const context = { functionName: 'ProcessFunction', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ProcessFunction', memoryLimitInMB: '512', awsRequestId: 'memory-probe', logGroupName: '/aws/lambda/ProcessFunction', logStreamName: 'probe', getRemainingTimeInMillis: () => 90000, callbackWaitsForEmptyEventLoop: false };
const invoke = async (event) => {
  const cpu = process.cpuUsage();
  const response = await handler(event, context);
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, failures: response.batchItemFailures.length };
};
const cold = await invoke(first);
const warm = await invoke(second);
writeFileSync(out, JSON.stringify({ firstCpuMs: cold.cpuMs, warmCpuMs: warm.cpuMs, loadedRssMb, peakRssMb: process.resourceUsage().maxRSS / 1024, heapUsedMb: process.memoryUsage().heapUsed / ${MB}, records: first.Records.length + second.Records.length, failures: cold.failures + warm.failures }));
process.exit(0);
`;

/** Two invocations of one fresh process: a cold one and a warm one (`events`: two batches). */
export async function processMemoryProbe(rig: ProcessRig, events: readonly [SQSEvent, SQSEvent], options: { readonly maxOldSpaceMb?: number } = {}): Promise<MemoryProbe> {
  const fn = templateFunctions().find((f) => f.name === 'ProcessFunction');
  if (fn === undefined) throw new Error('template.yaml has no ProcessFunction');
  const dir = mkdtempSync(join(tmpdir(), 'memory-probe-'));
  try {
    const bundle = await buildFunction(fn.name, fn.entryPoint, fn.options, join(dir, fn.name));
    const out = join(dir, 'result.json');
    const env = {
      PATH: process.env.PATH ?? '',
      ...fn.environment,
      AWS_REGION: rig.emulators.clientConfig.region,
      AWS_ACCESS_KEY_ID: rig.emulators.clientConfig.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: rig.emulators.clientConfig.credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: rig.emulators.dynamodbEndpoint,
      AWS_ENDPOINT_URL_SQS: rig.emulators.sqsEndpoint,
      TRIAGE_URL: rig.simpli.url,
      SENTIMENT_URL: rig.simpli.url,
      QA_URL: rig.simpli.url,
      REPLY_URL: rig.simpli.url,
      DRAFT_REPLIES: 'false',
      LEDGER_TABLE: 'Ledger',
      LEDGER_TTL_DAYS: '30',
      DEAD_LETTER_QUEUE_URL: rig.queueUrl,
      HELPDESK_CONFIG: JSON.stringify({ generic: { updateUrl: `${rig.helpdesk.url}/tickets/{ticket_id}`, token: 'helpdesk-token' } }),
      MAX_RECEIVE_COUNT: '5',
      // The template's !Ref parameters, at their defaults (the YAML reader keeps a !Ref as its name).
      CONFIDENCE_THRESHOLD: '0.6',
      SIMPLI_API_KEY: '',
      HELPDESK_CONFIG_ARN: '',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      DETAILED_METRICS: 'true',
    };
    // Without a limit V8 sizes its heap by this machine's memory and lets garbage pile up; a cap
    // makes it collect as it must in a container of MemorySize, so the peak is what is live.
    const heapFlags = options.maxOldSpaceMb === undefined ? [] : [`--max-old-space-size=${options.maxOldSpaceMb}`];
    const child = spawn(process.execPath, [...heapFlags, '--input-type=module', '-e', DRIVER, pathToFileURL(bundle.file).href, out], { env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.stdin.end(JSON.stringify(events));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`the memory probe exited with ${code}: ${stderr.slice(-2000)}`);
    return JSON.parse(readFileSync(out, 'utf8')) as MemoryProbe;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
