/**
 * One Logger and one Metrics per container (Powertools, JSON / EMF to stdout). Log level from
 * POWERTOOLS_LOG_LEVEL; no bodies, secrets or message text are ever logged — only ids, provider,
 * event, outcomes and timings.
 */
import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const SERVICE_NAME = 'simpli-webhook-bridge';

/**
 * Powertools' standard keys, less the ones that are the same on every line of a log group
 * (issue #10, cost: about 170 of a line's 600 bytes). Each function has its own log group
 * (template.yaml LoggingConfig), which names the function; `function_arn`, `function_name`,
 * `function_memory_size` and `sampling_rate` (always 0 here) add nothing to it. Kept:
 * `function_request_id` (the invocation), `cold_start` (only when true), `xray_trace_id` (only
 * with tracing on), `service`. Field names as Powertools' PowertoolsLogFormatter writes them, so
 * queries written for Powertools logs keep working.
 */
export class CompactLogFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additionalLogAttributes: LogAttributes): LogItem {
    const context = attributes.lambdaContext;
    const base: LogAttributes = {
      level: attributes.logLevel,
      message: attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      ...(context?.coldStart === true ? { cold_start: true } : {}),
      function_request_id: context?.awsRequestId,
      xray_trace_id: attributes.xRayTraceId,
    };
    return new LogItem({ attributes: base }).addAttributes(additionalLogAttributes);
  }
}

export function createLogger(): Logger {
  return new Logger({ serviceName: SERVICE_NAME, logFormatter: new CompactLogFormatter() });
}

export function createMetrics(): Metrics {
  return new Metrics({ namespace: 'SimpliWebhookBridge', serviceName: SERVICE_NAME });
}
