/**
 * ReconcileFunction: on its EventBridge schedule, one reconciliation pass per provider named in
 * RECONCILE_PROVIDERS (functions/reconcile/app.ts). Publishes EventsRecovered and ReconcileLag.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { own } from '../../lib/own.ts';
import { loadReconcileConfig } from '../../lib/config.ts';
import { helpdeskConfigSource } from '../shared/helpdesk-config.ts';
import { createLogger, createMetrics, withLambdaContext } from '../shared/observability.ts';
import { createReconcileHandler } from './app.ts';

const config = loadReconcileConfig();
const helpdeskConfig = helpdeskConfigSource(config);
const logger = createLogger();
const metrics = createMetrics({ detailed: config.detailedMetrics });
const reconcile = createReconcileHandler({
  providers: config.providers,
  dynamodb: new DynamoDBClient({}),
  sqs: new SQSClient({}),
  queueUrl: config.queueUrl,
  tableName: config.ledgerTable,
  settingsFor: async (provider) => {
    const config = await helpdeskConfig.get();
    return config === undefined ? undefined : own(config, provider);
  },
  limits: { maxPages: config.maxPages, overlapSeconds: config.overlapSeconds, lookbackSeconds: config.lookbackSeconds, leaseSeconds: config.leaseSeconds },
  now: Date.now,
  logger,
  metrics,
});

export const handler = withLambdaContext(logger, async (event: unknown, context: Context): Promise<{ reports: Record<string, unknown>[] }> => {
  try {
    return await reconcile(event, context);
  } finally {
    metrics.publishStoredMetrics();
  }
});
