/**
 * The IngestFunction handler as functions/ingest/handler.ts wires it — withLambdaContext, the
 * functions' JSON logger and EMF metrics, the ingest half of every provider — with
 * the bench secret and a given queue, for the figures that time it.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createIngestHandler } from '../../functions/ingest/app.ts';
import type { JsonLogger } from '../../functions/shared/json-logger.ts';
import { withLambdaContext, type Metrics } from '../../functions/shared/observability.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../../lib/config.ts';
import { createEnqueue } from '../../lib/enqueue.ts';
import { ingestProviders } from '../../lib/providers/ingest-registry.ts';
import { BENCH_SECRET } from './fixtures.ts';

export function benchIngestHandler(sqs: SQSClient, queueUrl: string, logger: JsonLogger, metrics: Metrics) {
  return withLambdaContext(
      logger,
      createIngestHandler({
        providers: ingestProviders,
        secretsFor: async () => [BENCH_SECRET],
        settingsFor: async () => ({}),
        enqueue: createEnqueue(sqs, queueUrl),
        maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
        publicBaseUrl: undefined,
        now: Date.now,
        logger,
        metrics,
      }),
    );
}
