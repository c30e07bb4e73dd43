/**
 * IngestFunction: verify, parse, identify, enqueue (function URL or HTTP API → SQS).
 * Everything here runs once per container: config (fails the cold start with a clear message),
 * SDK clients, secret caches.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { own } from '../../lib/own.ts';
import { loadIngestConfig, parseIngestHelpdeskConfig, parseWebhookSecrets, type HelpdeskConfig, type WebhookSecrets } from '../../lib/config.ts';
import { createEnqueue } from '../../lib/enqueue.ts';
import { ingestProviders } from '../../lib/providers/ingest-registry.ts';
import { jsonSource } from '../../lib/secrets.ts';
import { createLogger, createMetrics, withLambdaContext } from '../shared/observability.ts';
import { installSourceMappedStacks } from '../shared/source-mapped-stack.ts';
import { createIngestHandler } from './app.ts';

// Stack traces name the .ts sources, from the shipped map, read only when a stack is formatted.
installSourceMappedStacks(import.meta.url);

const config = loadIngestConfig();
// SQS retries are ours to decide: one quick retry, then 503 so the helpdesk retries.
const sqs = new SQSClient({ maxAttempts: 2 });
let secretsManager: SecretsManagerClient | undefined;
const secretsClient = () => (secretsManager ??= new SecretsManagerClient({}));
const cacheSeconds = config.secretsCacheSeconds;
const webhookSecrets = jsonSource<WebhookSecrets>('WEBHOOK_SECRETS', config.webhookSecrets, parseWebhookSecrets, {
  client: secretsClient,
  cacheSeconds,
  fallback: {},
});
const helpdeskConfig = jsonSource<HelpdeskConfig>('HELPDESK_CONFIG', config.helpdeskConfig, parseIngestHelpdeskConfig, {
  client: secretsClient,
  cacheSeconds,
  fallback: {},
});

const logger = createLogger();

export const handler = withLambdaContext(
  logger,
  createIngestHandler({
    providers: ingestProviders,
    secretsFor: async (provider) => (await webhookSecrets.get())[provider] ?? [],
    settingsFor: async (provider) => own(await helpdeskConfig.get(), provider) ?? {},
    enqueue: createEnqueue(sqs, config.queueUrl),
    maxBodyBytes: config.maxBodyBytes,
    ledgerTtlDays: config.ledgerTtlDays,
    publicBaseUrl: config.publicBaseUrl,
    now: Date.now,
    logger,
    metrics: createMetrics({ detailed: config.detailedMetrics }),
  }),
);
