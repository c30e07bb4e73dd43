/**
 * One Logger and one Metrics per container (JSON lines / EMF to stdout, as Powertools writes them:
 * functions/shared/json-logger.ts and emf-metrics.ts, our own small classes since issue #10). Log
 * level from POWERTOOLS_LOG_LEVEL; no bodies, secrets or message text are ever logged — only ids,
 * provider, event, outcomes and timings.
 */
import { JsonLogger } from './json-logger.ts';
import { EmfMetrics } from './emf-metrics.ts';

export { withLambdaContext, type Logger } from './json-logger.ts';
export { MetricUnit, type Metrics } from './emf-metrics.ts';

export const SERVICE_NAME = 'simpli-webhook-bridge';

export function createLogger(): JsonLogger {
  return new JsonLogger({ serviceName: SERVICE_NAME, compactKeys: true });
}

/** `detailed` false: the metric lines without their EMF directive (template.yaml, DetailedMetrics). */
export function createMetrics(options: { readonly detailed?: boolean } = {}): EmfMetrics {
  return new EmfMetrics({ namespace: 'SimpliWebhookBridge', serviceName: SERVICE_NAME, emf: options.detailed ?? true });
}
