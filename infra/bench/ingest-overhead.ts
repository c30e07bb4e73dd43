/**
 * Figure 2 — ingest overhead. The warm IngestFunction handler, wired as handler.ts wires it (middy
 * + injectLambdaContext, the functions’ logger and metrics, the generic provider, SendMessageBatch to
 * fauxqs), against a baseline handler that only sends the same queue message to fauxqs. Same
 * payload mix (1 KB, 16 KB, 200 KB bodies), same SQS client settings, same concurrency; short
 * rounds alternate so that drift hits both alike. fauxqs runs in another process, so the CPU counted here
 * is the function's. Target: throughput ≥ 0.8× baseline. Run alone: prints its rows.
 */
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, DeleteQueueCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createLogger, createMetrics } from '../../functions/shared/observability.ts';
import { encodeQueuedEvent } from '../../lib/queue-message.ts';
import { figureMain, isMain, median, progress, ratioRow, startRemoteEmulators, type BenchRow, type FigureResult } from './common.ts';
import { queuedTicket, signedWebhookEvent, ticketBody } from './fixtures.ts';
import { benchIngestHandler } from './ingest-handler.ts';
import { lambdaContext } from './lambda-context.ts';

export const SIZES = [1024, 16 * 1024, 200 * 1024] as const;
/**
 * Lambda gives a container one request at a time, so a container's throughput is 1 / duration:
 * the target is measured with one caller. A saturated run (several callers, CPU-bound) is
 * reported beside it.
 */
const CONCURRENCY = 1;
const SATURATED_CONCURRENCY = 8;
/**
 * Short rounds, alternated ABBA: the machine is shared and its load swings within seconds, so
 * baseline and function must sample the same moments. Each figure is the median round.
 */
const ROUND_MS = 250;
const MIX_ROUNDS = 16;
const SIZE_ROUNDS = 8;

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

interface Sample {
  readonly requests: number;
  readonly elapsedMs: number;
  readonly cpuUs: number;
}

/** Drives `handler` with CONCURRENCY callers for `durationMs`, cycling through `events`. */
async function drive(handler: Handler, events: readonly APIGatewayProxyEventV2[], durationMs: number, concurrency: number): Promise<Sample> {
  const context = lambdaContext('IngestFunction');
  let next = 0;
  let requests = 0;
  const cpu = process.cpuUsage();
  const startedMs = performance.now();
  const endMs = startedMs + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < endMs) {
        const event = events[next++ % events.length];
        if (event === undefined) return;
        const response = await handler(event, context);
        if (response.statusCode !== 202) throw new Error(`the handler answered ${response.statusCode}: ${response.body}`);
        requests++;
      }
    }),
  );
  const elapsedMs = performance.now() - startedMs;
  const used = process.cpuUsage(cpu);
  return { requests, elapsedMs, cpuUs: used.user + used.system };
}

const throughput = (samples: readonly Sample[]) => median(samples.map((s) => (s.requests * 1000) / s.elapsedMs));
const cpuPerRequest = (samples: readonly Sample[]) =>
  samples.reduce((sum, s) => sum + s.cpuUs, 0) / Math.max(1, samples.reduce((sum, s) => sum + s.requests, 0));

export async function ingestOverhead(): Promise<FigureResult> {
  const emulators = await startRemoteEmulators();
  const sqs = new SQSClient({ ...emulators.clientConfig, endpoint: emulators.sqsEndpoint, maxAttempts: 2 });
  const logger = createLogger();
  const metrics = createMetrics();

  // A fresh queue per round keeps fauxqs's memory flat (200 KB messages add up).
  async function withQueue<T>(body: (queueUrl: string) => Promise<T>): Promise<T> {
    const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: `bench-${randomUUID()}` }));
    try {
      return await body(QueueUrl);
    } finally {
      await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    }
  }

  const ingestHandler = (queueUrl: string): Handler => benchIngestHandler(sqs, queueUrl, logger, metrics);

  /** Sends the message ingest would send for each body, and nothing else. */
  const baselineHandler = (queueUrl: string, bodies: ReadonlyMap<string, string>): Handler => {
    return async (event) => {
      const messageBody = bodies.get(event.body ?? '') ?? '';
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: [
            {
              Id: '0',
              MessageBody: messageBody,
              MessageAttributes: {
                provider: { DataType: 'String', StringValue: 'generic' },
                eventType: { DataType: 'String', StringValue: 'ticket.created' },
                requestId: { DataType: 'String', StringValue: event.requestContext.requestId },
              },
            },
          ],
        }),
      );
      return { statusCode: 202, body: '{"status":"accepted"}' };
    };
  };

  const eventsBySize = new Map(SIZES.map((size) => [size, [0, 1, 2, 3].map((i) => signedWebhookEvent(ticketBody(`T-${size}-${i}`, size)))]));
  const bodies = new Map<string, string>();
  for (const [size, events] of eventsBySize) {
    for (const [i, event] of events.entries()) {
      bodies.set(event.body ?? '', encodeQueuedEvent({ ...queuedTicket(`T-${size}-${i}`, size), requestId: event.requestContext.requestId }));
    }
  }
  const mix = [0, 1, 2, 3].flatMap((i) => SIZES.map((size) => eventsBySize.get(size)?.[i])).filter((e) => e !== undefined);

  const measure = async (events: readonly APIGatewayProxyEventV2[], rounds: number, concurrency = CONCURRENCY, roundMs = ROUND_MS) => {
    const samples = { ingest: [] as Sample[], baseline: [] as Sample[] };
    for (let round = 0; round < rounds; round++) {
      // Alternate which goes first, so neither always runs on a warmer machine.
      const order = round % 2 === 0 ? (['baseline', 'ingest'] as const) : (['ingest', 'baseline'] as const);
      for (const which of order) {
        const sample = await withQueue((url) => drive(which === 'ingest' ? ingestHandler(url) : baselineHandler(url, bodies), events, roundMs, concurrency));
        samples[which].push(sample);
      }
    }
    return samples;
  };

  progress('ingest overhead: warm-up');
  await measure(mix, 2);
  progress(`ingest overhead: mix of ${SIZES.map((s) => `${s / 1024} KB`).join(' / ')}, ${MIX_ROUNDS} × ${ROUND_MS} ms rounds each, ${CONCURRENCY} concurrent`);
  const mixed = await measure(mix, MIX_ROUNDS);
  progress(`ingest overhead: mix, saturated (${SATURATED_CONCURRENCY} concurrent callers)`);
  const saturated = await measure(mix, SIZE_ROUNDS, SATURATED_CONCURRENCY);
  const perSize = [];
  for (const size of SIZES) {
    progress(`ingest overhead: ${size / 1024} KB bodies only`);
    perSize.push({ size, samples: await measure(eventsBySize.get(size) ?? [], SIZE_ROUNDS) });
  }
  sqs.destroy();
  await emulators.stop();

  const rows: BenchRow[] = [
    ratioRow(
      { figure: '2 ingest overhead', metric: 'throughput, payload mix (1 caller, as a Lambda container)', unit: 'req/s', measured: throughput(mixed.ingest), baseline: throughput(mixed.baseline) },
      0.8,
      true,
    ),
    {
      figure: '2 ingest overhead',
      metric: 'CPU per request, payload mix',
      unit: 'µs',
      measured: cpuPerRequest(mixed.ingest),
      baseline: cpuPerRequest(mixed.baseline),
      ratio: cpuPerRequest(mixed.ingest) / cpuPerRequest(mixed.baseline),
    },
  ];
  rows.push({
    figure: '2 ingest overhead',
    metric: `throughput, payload mix, ${SATURATED_CONCURRENCY} concurrent (CPU-bound)`,
    unit: 'req/s',
    measured: throughput(saturated.ingest),
    baseline: throughput(saturated.baseline),
    ratio: throughput(saturated.ingest) / throughput(saturated.baseline),
  });
  for (const { size, samples } of perSize) {
    rows.push({
      figure: '2 ingest overhead',
      metric: `throughput, ${size / 1024} KB bodies`,
      unit: 'req/s',
      measured: throughput(samples.ingest),
      baseline: throughput(samples.baseline),
      ratio: throughput(samples.ingest) / throughput(samples.baseline),
    });
    rows.push({
      figure: '2 ingest overhead',
      metric: `CPU per request, ${size / 1024} KB bodies`,
      unit: 'µs',
      measured: cpuPerRequest(samples.ingest),
      baseline: cpuPerRequest(samples.baseline),
      ratio: cpuPerRequest(samples.ingest) / cpuPerRequest(samples.baseline),
    });
  }
  return {
    figure: '2 ingest overhead',
    rows,
    notes: [
      `in-process callers (${CONCURRENCY} for the target, as Lambda runs one request per container), ${ROUND_MS} ms rounds alternated with the baseline, median round; fauxqs in a separate process; CPU = process.cpuUsage() of the handler's process / requests (includes the SDK client and logging to stdout, which the bench discards)`,
    ],
    details: { mixed, saturated, perSize },
  };
}

if (isMain(import.meta.url)) await figureMain(ingestOverhead);
