/**
 * One Logger and one Metrics per container (Powertools, JSON / EMF to stdout). Log level from
 * POWERTOOLS_LOG_LEVEL; no bodies, secrets or message text are ever logged — only ids, provider,
 * event, outcomes and timings.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const SERVICE_NAME = 'simpli-webhook-bridge';

export function createLogger(): Logger {
  return new Logger({ serviceName: SERVICE_NAME });
}

export function createMetrics(): Metrics {
  return new Metrics({ namespace: 'SimpliWebhookBridge', serviceName: SERVICE_NAME });
}
