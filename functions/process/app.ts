/**
 * ProcessFunction's adapter, dependencies injected: SQS batch → `processBatch` → partial batch
 * response. `handler.ts` wires it to the environment; tests and the local stack call it directly.
 */
import { randomUUID } from 'node:crypto';
import type { Logger, Metrics } from '../shared/observability.ts';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DeadLetterEntry } from '../../lib/dead-letter.ts';
import { createHttpClient, type FetchFn, type RetryPolicy } from '../../lib/http.ts';
import type { Ledger } from '../../lib/ledger.ts';
import { processEvent, type DryRunSink } from '../../lib/pipeline.ts';
import { processBatch } from '../../lib/process-batch.ts';
import { connectorProcess, isConnector } from '../../lib/providers/connector/index.ts';
import type { ProviderName, ProviderProcess, ProviderSettings } from '../../lib/providers/types.ts';
import { createSimpliClient } from '../../lib/simpli/client.ts';
import type { SimpliConfig } from '../../lib/config.ts';
import { createMetricBatch } from '../shared/metric-batch.ts';
import { createEventLog } from './event-log.ts';

export interface ProcessAppDeps {
  readonly providers: Readonly<Partial<Record<ProviderName, ProviderProcess>>>;
  readonly ledger: Ledger;
  readonly simpli: SimpliConfig;
  settingsFor(provider: ProviderName): Promise<ProviderSettings | undefined>;
  readonly dryRun?: DryRunSink | undefined;
  deadLetter(entry: DeadLetterEntry): Promise<void>;
  readonly maxReceiveCount: number;
  readonly leaseSeconds: number;
  readonly ttlSeconds: number;
  readonly confidenceThreshold: number;
  readonly now: () => number;
  readonly logger: Logger;
  readonly metrics?: Metrics | undefined;
  readonly fetch?: FetchFn | undefined;
  readonly retry?: RetryPolicy | undefined;
}

/** Stop starting new calls this long before Lambda's timeout, to leave time to write the Ledger. */
const SAFETY_MARGIN_MS = 5_000;

export function createProcessHandler(deps: ProcessAppDeps) {
  return async (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> => {
    const invokedMs = deps.now();
    const remainingMs = context?.getRemainingTimeInMillis() ?? 60_000;
    const deadlineMs = invokedMs + remainingMs - SAFETY_MARGIN_MS;
    // The invocation's metrics, one EMF document per dimension set at the end (functions/shared/metric-batch.ts).
    const metrics = createMetricBatch(deps.metrics);
    const { response } = await processBatch(event.Records, {
      now: deps.now,
      processEvent: async (queued, record) => {
        const log = deps.logger.createChild({
          persistentKeys: {
            correlationId: queued.requestId,
            provider: queued.provider,
            eventType: queued.eventType,
            eventId: queued.eventId,
            ticketId: queued.ticketId,
            messageId: record.messageId,
          },
        });
        const settings = await deps.settingsFor(queued.provider);
        const provider =
          deps.providers[queued.provider] ?? (isConnector(queued.provider, settings) ? connectorProcess(queued.provider) : undefined);
        if (provider === undefined) throw new Error(`provider ${queued.provider} is not deployed`);
        const onStage = createEventLog(log, metrics, queued.provider);
        const http = createHttpClient({
          deadlineMs,
          now: deps.now,
          ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
          ...(deps.retry === undefined ? {} : { retry: deps.retry }),
          onRetry: ({ service, attempt, delayMs, error }) =>
            log.info('retry', { stage: 'call', service, attempt, delayMs, reason: error.reason }),
        });
        const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
        return processEvent(queued, {
          ledger: deps.ledger,
          simpli: createSimpliClient(deps.simpli, http),
          http,
          provider,
          settings,
          dryRun: deps.dryRun,
          deadLetter: (e, error) => deps.deadLetter({ body: record.body, eventId: e.eventId, provider: e.provider, error }),
          now: deps.now,
          owner: `${record.messageId}:${receiveCount}:${randomUUID()}`,
          receiveCount,
          maxReceiveCount: deps.maxReceiveCount,
          leaseSeconds: deps.leaseSeconds,
          ttlSeconds: deps.ttlSeconds,
          draftReplies: deps.simpli.draftReplies,
          confidenceThreshold: deps.confidenceThreshold,
          reset: isForced(record),
          deadlineMs,
          onStage,
        });
      },
      deadLetterRaw: (record, error) => deps.deadLetter({ body: record.body, eventId: undefined, provider: undefined, error }),
      onRecord: (outcome) => {
        if (outcome.outcome === 'retry' || outcome.eventId === undefined) {
          deps.logger.warn('record', { stage: 'record', messageId: outcome.messageId, eventId: outcome.eventId, outcome: outcome.outcome, reason: outcome.reason });
        }
      },
    });
    metrics.publish();
    return response;
  };
}

/** `npm run redrive -- --force` marks messages whose finished steps must run again. */
function isForced(record: SQSRecord): boolean {
  return record.messageAttributes?.force?.stringValue === 'true';
}
