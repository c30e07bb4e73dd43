/**
 * The IngestFunction handler as functions/ingest/handler.ts wires it — middy with
 * injectLambdaContext, Powertools Logger and Metrics, the ingest half of every provider — with
 * the bench secret and a given queue, for the figures that time it.
 */
import middy from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createIngestHandler } from '../../functions/ingest/app.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../../lib/config.ts';
import { createEnqueue } from '../../lib/enqueue.ts';
import { ingestProviders } from '../../lib/providers/ingest-registry.ts';
import { BENCH_SECRET } from './fixtures.ts';

export function benchIngestHandler(sqs: SQSClient, queueUrl: string, logger: Logger, metrics: Metrics) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(
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
