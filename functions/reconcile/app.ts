/**
 * Reconciliation and backfill over injected clients: what ReconcileFunction, `npm run reconcile`,
 * `npm run backfill` and `npm start`'s timer all run. One pass per provider (lib/reconcile/pass.ts).
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '../shared/observability.ts';
import { MetricUnit, type Metrics } from '../shared/observability.ts';
import { createEnqueue } from '../../lib/enqueue.ts';
import { ConfigError } from '../../lib/errors.ts';
import { createHttpClient, type HttpClient } from '../../lib/http.ts';
import type { ProviderName, ProviderSettings } from '../../lib/providers/types.ts';
import { knownEventIds } from '../../lib/reconcile/known.ts';
import { listers } from '../../lib/reconcile/listers.ts';
import { runPass, type PassProgress, type PassReport } from '../../lib/reconcile/pass.ts';
import { createWatermarkStore } from '../../lib/reconcile/watermark.ts';
import { createMetricBatch } from '../shared/metric-batch.ts';

export interface ReconcileLimits {
  /** Pages per pass (RECONCILE_MAX_PAGES). */
  readonly maxPages: number;
  /** The window re-listed before the watermark (RECONCILE_OVERLAP_SECONDS). */
  readonly overlapSeconds: number;
  /** How far the first pass of a provider looks back (RECONCILE_LOOKBACK_SECONDS). */
  readonly lookbackSeconds: number;
  /** The watermark lease; longer than a pass may run. */
  readonly leaseSeconds: number;
}

export const DEFAULT_RECONCILE_LIMITS: ReconcileLimits = { maxPages: 50, overlapSeconds: 300, lookbackSeconds: 3600, leaseSeconds: 900 };

export interface ReconcileDeps {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly tableName: string;
  readonly settingsFor: (provider: ProviderName) => Promise<ProviderSettings | undefined>;
  readonly limits: ReconcileLimits;
  readonly now: () => number;
  readonly http?: (deadlineMs: number) => HttpClient;
  readonly logger?: Logger | undefined;
  readonly metrics?: Metrics | undefined;
}

export interface RunOptions {
  readonly sinceMs?: number | undefined;
  readonly dryRun?: boolean | undefined;
  /** Epoch ms; no page is requested after it (a Lambda's remaining time less a margin). */
  readonly deadlineMs?: number | undefined;
  readonly maxPages?: number | undefined;
  readonly onPage?: ((progress: PassProgress) => void) | undefined;
}

export interface BackfillOptions extends RunOptions {
  readonly sinceMs: number;
  readonly untilMs?: number | undefined;
  readonly openOnly?: boolean | undefined;
  readonly limit?: number | undefined;
}

/** The providers reconciliation can list, for messages. */
export const LISTABLE_PROVIDERS = Object.keys(listers) as ProviderName[];

async function prepare(deps: ReconcileDeps, provider: ProviderName) {
  const lister = listers[provider];
  if (lister === undefined) {
    throw new ConfigError('not_listable', `reconciliation cannot list ${provider} tickets yet: it supports ${LISTABLE_PROVIDERS.join(', ')}`);
  }
  const settings = await deps.settingsFor(provider);
  if (settings === undefined) {
    throw new ConfigError('missing_settings', `HELPDESK_CONFIG.${provider} is not set: reconciliation needs the helpdesk's API settings (see the README, "Reconciliation")`);
  }
  return { lister, settings };
}

function common(deps: ReconcileDeps, provider: ProviderName, options: RunOptions) {
  const deadlineMs = options.deadlineMs ?? Number.POSITIVE_INFINITY;
  return {
    provider,
    http: deps.http?.(deadlineMs) ?? createHttpClient({ deadlineMs, now: deps.now }),
    known: (ids: readonly string[]) => knownEventIds(deps.dynamodb, deps.tableName, ids),
    enqueue: createEnqueue(deps.sqs, deps.queueUrl),
    now: deps.now,
    runId: randomUUID(),
    dryRun: options.dryRun,
    maxPages: options.maxPages ?? deps.limits.maxPages,
    deadlineMs,
    overlapMs: deps.limits.overlapSeconds * 1000,
    initialLookbackMs: deps.limits.lookbackSeconds * 1000,
    leaseSeconds: deps.limits.leaseSeconds,
    onPage: options.onPage,
  };
}

/** One reconciliation pass for one provider; publishes EventsRecovered and ReconcileLag. */
export async function reconcileProvider(deps: ReconcileDeps, provider: ProviderName, options: RunOptions = {}): Promise<PassReport> {
  const { lister, settings } = await prepare(deps, provider);
  const report = await runPass({
    ...common(deps, provider, options),
    mode: 'reconcile',
    lister,
    settings,
    watermarks: createWatermarkStore(deps.dynamodb, deps.tableName),
    sinceMs: options.sinceMs,
  });
  if (!report.dryRun) publish(deps, report);
  deps.logger?.info('reconciled', summaryOf(report));
  return report;
}

/** One backfill of a period for one provider: no watermark, idempotent through the Ledger. */
export async function backfillProvider(deps: ReconcileDeps, provider: ProviderName, options: BackfillOptions): Promise<PassReport> {
  const { lister, settings } = await prepare(deps, provider);
  return runPass({
    ...common(deps, provider, { ...options, maxPages: options.maxPages ?? Number.MAX_SAFE_INTEGER }),
    mode: 'backfill',
    lister,
    settings,
    sinceMs: options.sinceMs,
    untilMs: options.untilMs,
    openOnly: options.openOnly,
    limit: options.limit,
  });
}

function publish(deps: ReconcileDeps, report: PassReport): void {
  // One EMF document with both metrics under the provider (functions/shared/metric-batch.ts):
  // singleMetric() published ReconcileLag without the provider it had cleared after EventsRecovered.
  const metrics = createMetricBatch(deps.metrics);
  const byProvider = metrics.group({ provider: report.provider });
  // Recovered = enqueued by reconciliation: events no webhook brought (the alarm's metric).
  byProvider.addMetric('EventsRecovered', MetricUnit.Count, report.enqueued);
  if (report.lagSeconds !== undefined) byProvider.addMetric('ReconcileLag', MetricUnit.Seconds, report.lagSeconds);
  metrics.publish();
}

export function summaryOf(report: PassReport): Record<string, unknown> {
  const { events: _events, ...summary } = report;
  return summary;
}

/**
 * ReconcileFunction's core: one pass per provider named in RECONCILE_PROVIDERS (the template's
 * per-provider switches). A provider that fails does not stop the others; the invocation fails
 * (and the schedule's next run retries) when any did.
 */
export function createReconcileHandler(deps: ReconcileDeps & { readonly providers: readonly ProviderName[] }) {
  return async (_event: unknown, context: { getRemainingTimeInMillis(): number }): Promise<{ reports: Record<string, unknown>[] }> => {
    // Stop asking for pages 10 s before the function's timeout: the current page is still enqueued.
    const deadlineMs = deps.now() + context.getRemainingTimeInMillis() - 10_000;
    const reports: Record<string, unknown>[] = [];
    const failures: string[] = [];
    for (const provider of deps.providers) {
      try {
        reports.push(summaryOf(await reconcileProvider(deps, provider, { deadlineMs })));
      } catch (error) {
        failures.push(`${provider}: ${error instanceof Error ? error.message : String(error)}`);
        deps.logger?.error('reconcile failed', { provider, error: error as Error });
      }
    }
    if (failures.length > 0) throw new Error(`reconciliation failed for ${failures.join('; ')}`);
    return { reports };
  };
}
