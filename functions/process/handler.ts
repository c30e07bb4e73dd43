/**
 * ProcessFunction: the SQS consumer (ReportBatchItemFailures). Runs each record through the
 * pipeline — claim in the Ledger, normalize, Simpli steps, write-back — concurrently.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { own } from '../../lib/own.ts';
import { loadProcessConfig } from '../../lib/config.ts';
import { createDeadLetter } from '../../lib/dead-letter.ts';
import { createJsonlDryRun } from '../../lib/dry-run.ts';
import { createLedger } from '../../lib/ledger.ts';
import { processProviders } from '../../lib/providers/process-registry.ts';
import { helpdeskConfigSource } from '../shared/helpdesk-config.ts';
import { createLogger, createMetrics, withLambdaContext } from '../shared/observability.ts';
import { installSourceMappedStacks } from '../shared/source-mapped-stack.ts';
import { createProcessHandler } from './app.ts';

// Stack traces name the .ts sources, from the shipped map, read only when a stack is formatted.
installSourceMappedStacks(import.meta.url);

const config = loadProcessConfig();
const dynamodb = new DynamoDBClient({});
const sqs = new SQSClient({});
const helpdeskConfig = helpdeskConfigSource(config);

const logger = createLogger();

export const handler = withLambdaContext(
  logger,
  createProcessHandler({
    providers: processProviders,
    ledger: createLedger(dynamodb, config.ledgerTable),
    simpli: config.simpli,
    settingsFor: async (provider) => {
    const config = await helpdeskConfig.get();
    return config === undefined ? undefined : own(config, provider);
  },
    dryRun: config.dryRunFile === undefined ? undefined : createJsonlDryRun(config.dryRunFile),
    deadLetter: createDeadLetter(sqs, config.deadLetterQueueUrl),
    maxReceiveCount: config.maxReceiveCount,
    leaseSeconds: config.leaseSeconds,
    ttlSeconds: config.ledgerTtlDays * 86_400,
    confidenceThreshold: config.confidenceThreshold,
    now: Date.now,
    logger,
    metrics: createMetrics({ detailed: config.detailedMetrics }),
  }),
);
