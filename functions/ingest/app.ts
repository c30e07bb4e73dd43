/**
 * IngestFunction's adapter, dependencies injected: function URL event → `ingest` → response.
 * `handler.ts` wires it to the environment; tests and the local stack call it directly.
 */
import type { Logger } from '../shared/observability.ts';
import { MetricUnit, type Metrics } from '../shared/observability.ts';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { errorToHttpResponse, routeMiss, routePath, toHttpResponse, toIngestInput } from '../../lib/endpoint.ts';
import { BridgeError, reasonOf } from '../../lib/errors.ts';
import { ingest, type IngestDeps } from '../../lib/ingest.ts';
import { shown } from '../../lib/log-safe.ts';
import { isConnector } from '../../lib/providers/connector/index.ts';
import type { ProviderName } from '../../lib/providers/types.ts';

export interface IngestAppDeps extends Omit<IngestDeps, 'nowMs'> {
  readonly publicBaseUrl: string | undefined;
  readonly now: () => number;
  readonly logger: Logger;
  readonly metrics?: Metrics | undefined;
}

export function createIngestHandler(deps: IngestAppDeps) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const startedMs = deps.now();
    const input = toIngestInput(event, deps.publicBaseUrl);
    const miss = routeMiss(routePath(event), input.request.method);
    if (miss !== undefined) {
      deps.logger.debug('not a webhook route', { status: miss.statusCode, method: shown(input.request.method), path: shown(event.rawPath) });
      return miss;
    }
    // The endpoint's request id is the correlation id; it travels in every queue message.
    // The route's provider segment is the caller's text: logged only when it is a name we know.
    deps.logger.appendKeys({ correlationId: input.requestId, provider: knownProvider(input.provider.toLowerCase(), deps) ?? shown(input.provider) });
    const metrics = deps.metrics;
    try {
      const result = await ingest(input, { ...deps, nowMs: startedMs });
      const durationMs = deps.now() - startedMs;
      if (result.kind === 'ignored') {
        deps.logger.info('ignored', { stage: 'ignored', reason: result.reason, durationMs });
        metrics?.addDimensions({ provider: result.provider });
        metrics?.addMetric('WebhooksIgnored', MetricUnit.Count, 1);
      } else {
        for (const e of result.events) {
          deps.logger.info('accepted', { stage: 'accepted', eventType: e.eventType, eventId: e.eventId, ticketId: e.ticketId, durationMs });
        }
        metrics?.addDimensions({ provider: result.provider });
        metrics?.addMetric('WebhooksAccepted', MetricUnit.Count, 1);
        metrics?.addMetric('EventsEnqueued', MetricUnit.Count, result.events.length);
      }
      return toHttpResponse(result, deps.providers[result.provider]);
    } catch (error) {
      const response = errorToHttpResponse(error);
      const log = response.statusCode >= 500 ? deps.logger.error.bind(deps.logger) : deps.logger.warn.bind(deps.logger);
      log('rejected', {
        stage: 'rejected',
        status: response.statusCode,
        reason: reasonOf(error),
        // The detail (which check failed) is for the operator only; bridge errors carry no secrets.
        detail: error instanceof BridgeError ? error.message : undefined,
        ...(error instanceof BridgeError ? {} : { error }),
        durationMs: deps.now() - startedMs,
      });
      const provider = knownProvider(input.provider, deps) ?? (await declaredConnector(input.provider, deps));
      // By provider only (issue #10, cost): each reason as a dimension was a custom-metric series of
      // its own ($0.30 a month each) that no alarm or widget reads (the dashboard graphs
      // WebhooksRejectedTotal). The reason stays in the document, for Logs Insights.
      metrics?.addDimensions({ provider: provider ?? 'unknown' });
      metrics?.addMetadata('reason', reasonOf(error));
      metrics?.addMetric('WebhooksRejected', MetricUnit.Count, 1);
      return response;
    } finally {
      metrics?.publishStoredMetrics();
      deps.logger.resetKeys();
    }
  };
}

function knownProvider(name: string, deps: IngestAppDeps): ProviderName | undefined {
  return Object.hasOwn(deps.providers, name) ? (name as ProviderName) : undefined;
}

/** A connector HELPDESK_CONFIG declares gets its own dimension; any other name stays "unknown" (bounded cardinality). */
async function declaredConnector(name: string, deps: IngestAppDeps): Promise<ProviderName | undefined> {
  try {
    return isConnector(name, await deps.settingsFor(name)) ? name : undefined;
  } catch {
    return undefined;
  }
}
