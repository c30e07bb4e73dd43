/**
 * Where `npm run reconcile` and `npm run backfill` find the queue, the Ledger and the helpdesk
 * settings: the environment, over `.local/stack.json` of a running `npm start` (like redrive), or
 * the outputs of an AWS stack (`--stack NAME`, read with the AWS CLI).
 */
import { execFileSync } from 'node:child_process';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_RECONCILE_LIMITS, type ReconcileDeps } from '../functions/reconcile/app.ts';
import { parseHelpdeskConfig, type HelpdeskConfig } from '../lib/config.ts';
import { PROVIDER_NAMES, type ProviderName } from '../lib/providers/types.ts';
import type { PassReport } from '../lib/reconcile/pass.ts';
import { jsonSource } from '../lib/secrets.ts';
import { withLocalStackEnv } from './local-stack-file.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface ToolTarget {
  readonly deps: ReconcileDeps;
  close(): void;
}

export function resolveToolTarget(
  stack: string | undefined,
  processEnv: Env,
  stackOutputs: (stack: string) => Record<string, string> = awsCliStackOutputs,
  stackFile?: string,
): ToolTarget {
  const env = withLocalStackEnv(processEnv, stack, stackFile);
  const name = stack ?? env.STACK_NAME;
  const outputs = name === undefined ? {} : stackOutputs(name);
  const queueUrl = env.QUEUE_URL ?? outputs.TicketQueueUrl;
  const tableName = env.LEDGER_TABLE ?? outputs.LedgerTableName;
  if (queueUrl === undefined || tableName === undefined) {
    throw new Error('no stack found: start one with `npm start` (it writes .local/stack.json), or name an AWS stack with --stack NAME (or QUEUE_URL and LEDGER_TABLE)');
  }
  const sqsEndpoint = env.AWS_ENDPOINT_URL_SQS;
  const dynamodbEndpoint = env.AWS_ENDPOINT_URL_DYNAMODB;
  const local = [sqsEndpoint, dynamodbEndpoint].some((e) => e !== undefined && /^http:\/\/(127\.0\.0\.1|localhost)/.test(e));
  const base = {
    ...(env.AWS_REGION === undefined ? (local ? { region: 'us-east-1' } : {}) : { region: env.AWS_REGION }),
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  };
  const sqs = new SQSClient({ ...base, ...(sqsEndpoint === undefined ? {} : { endpoint: sqsEndpoint }) });
  const dynamodb = new DynamoDBClient({ ...base, ...(dynamodbEndpoint === undefined ? {} : { endpoint: dynamodbEndpoint }) });
  let secretsManager: SecretsManagerClient | undefined;
  const inline = env.HELPDESK_CONFIG?.trim() ? parseHelpdeskConfig(env.HELPDESK_CONFIG, 'HELPDESK_CONFIG') : undefined;
  const secretArn = env.HELPDESK_CONFIG_ARN ?? outputs.HelpdeskConfigSecretArn;
  const helpdesk = jsonSource<HelpdeskConfig | undefined>('HELPDESK_CONFIG', { inline, secretArn }, parseHelpdeskConfig, {
    client: () => (secretsManager ??= new SecretsManagerClient(base)),
    cacheSeconds: 300,
    fallback: undefined,
  });
  return {
    deps: {
      dynamodb,
      sqs,
      queueUrl,
      tableName,
      settingsFor: async (provider) => (await helpdesk.get())?.[provider],
      limits: DEFAULT_RECONCILE_LIMITS,
      now: Date.now,
    },
    close() {
      sqs.destroy();
      dynamodb.destroy();
      secretsManager?.destroy();
    },
  };
}

export function providerArg(value: string | undefined): ProviderName {
  if (value === undefined || !(PROVIDER_NAMES as readonly string[]).includes(value)) {
    throw new Error(`--provider is ${value === undefined ? 'missing' : `"${value}"`}: name one of ${PROVIDER_NAMES.join(', ')}`);
  }
  return value as ProviderName;
}

/** An ISO 8601 time with its zone (`2026-12-03T15:00:00Z`), or a duration ago (`90m`, `1h`, `2d`). */
export function timeArg(flag: string, value: string, nowMs: number): number {
  const ago = /^(\d+)\s*(s|m|h|d)$/.exec(value.trim());
  if (ago !== null) return nowMs - Number(ago[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[ago[2] as 's' | 'm' | 'h' | 'd'];
  const ms = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(value.trim()) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new Error(`${flag} "${value}" is not a time: give an ISO 8601 time with its zone (2026-12-03T15:00:00Z), a date, or a duration ago (90m, 1h, 2d)`);
  if (ms > nowMs) throw new Error(`${flag} ${value} is in the future`);
  return ms;
}

export function positiveIntegerArg(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new Error(`${flag} must be a whole number ≥ 1, got "${value}"`);
  return Number(value);
}

function awsCliStackOutputs(stack: string): Record<string, string> {
  const json = execFileSync('aws', ['cloudformation', 'describe-stacks', '--stack-name', stack, '--query', 'Stacks[0].Outputs', '--output', 'json'], { encoding: 'utf8' });
  const outputs = JSON.parse(json) as { OutputKey: string; OutputValue: string }[] | null;
  return Object.fromEntries((outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
}

/** The options `npm run reconcile` and `npm run backfill` share (parseArgs' form). */
export const PASS_OPTIONS = {
  provider: { type: 'string' },
  since: { type: 'string' },
  'dry-run': { type: 'boolean' },
  stack: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs one command's pass against the target, prints its report, and always closes the target's clients. */
export async function passOnTarget(
  t: ToolTarget,
  print: (line: string) => void,
  format: (report: PassReport) => string[],
  pass: (deps: ToolTarget['deps']) => Promise<PassReport>,
): Promise<PassReport> {
  try {
    const report = await pass(t.deps);
    for (const line of format(report)) print(line);
    return report;
  } finally {
    t.close();
  }
}

/** The entry point of a pass command run as a script: errors become one line and exit code 1. */
export function runPassCommand(name: string, command: (argv: readonly string[], print: (line: string) => void, target: (stack: string | undefined) => ToolTarget) => Promise<unknown>): void {
  command(process.argv.slice(2), (line) => console.log(line), (stack) => resolveToolTarget(stack, process.env)).catch((error: unknown) => {
    console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
