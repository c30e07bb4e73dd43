/**
 * `npm start`'s reconciliation timer: every RECONCILE_INTERVAL_SECONDS (0 or unset = off), one pass
 * per provider that reconciliation can list AND that has HELPDESK_CONFIG settings — what the
 * deployed ReconcileFunction does on its EventBridge schedule. Passes never overlap.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_RECONCILE_LIMITS, LISTABLE_PROVIDERS, reconcileProvider } from '../functions/reconcile/app.ts';
import { parseHelpdeskConfig } from '../lib/config.ts';
import type { ProviderName } from '../lib/providers/types.ts';
import type { PassReport } from '../lib/reconcile/pass.ts';
import type { Emulators } from './emulators.ts';

export interface ReconcileTimer {
  readonly providers: readonly ProviderName[];
  readonly intervalSeconds: number;
  /** Resolves after the pass in progress (if any) ends. */
  stop(): Promise<void>;
}

export function startReconcileTimer(options: {
  env: Readonly<Record<string, string | undefined>>;
  emulators: Emulators;
  sqs: SQSClient;
  queueUrl: string;
  tableName: string;
  onReport: (report: PassReport) => void;
  onError: (provider: ProviderName, error: unknown) => void;
}): ReconcileTimer | undefined {
  const raw = options.env.RECONCILE_INTERVAL_SECONDS?.trim() ?? '';
  if (raw === '' || raw === '0') return undefined;
  const intervalSeconds = Number(raw);
  if (!Number.isFinite(intervalSeconds) || intervalSeconds < 1) {
    throw new Error(`RECONCILE_INTERVAL_SECONDS must be a number of seconds ≥ 1 (0 = off), got "${raw}"`);
  }
  const config = options.env.HELPDESK_CONFIG?.trim() ? parseHelpdeskConfig(options.env.HELPDESK_CONFIG, 'HELPDESK_CONFIG') : {};
  const providers = LISTABLE_PROVIDERS.filter((p) => config[p] !== undefined);
  if (providers.length === 0) return undefined;
  const dynamodb = new DynamoDBClient({ ...options.emulators.clientConfig, endpoint: options.emulators.dynamodbEndpoint });
  const deps = {
    dynamodb,
    sqs: options.sqs,
    queueUrl: options.queueUrl,
    tableName: options.tableName,
    settingsFor: async (p: ProviderName) => config[p],
    limits: DEFAULT_RECONCILE_LIMITS,
    now: Date.now,
  };
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running !== undefined) return;
    running = (async () => {
      for (const provider of providers) {
        try {
          options.onReport(await reconcileProvider(deps, provider));
        } catch (error) {
          options.onError(provider, error);
        }
      }
    })().finally(() => {
      running = undefined;
    });
  };
  const timer = setInterval(tick, intervalSeconds * 1000);
  timer.unref();
  return {
    providers,
    intervalSeconds,
    async stop() {
      clearInterval(timer);
      await running;
      dynamodb.destroy();
    },
  };
}
