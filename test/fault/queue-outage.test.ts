import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { createIngestHandler } from '../../functions/ingest/app.ts';
import { createEnqueue } from '../../lib/enqueue.ts';
import { providers } from '../../lib/providers/registry.ts';
import { endpointEvent, DEFAULT_SECRET, startHarness, type Harness } from '../support/bridge-harness.ts';
import { computeFigures, createConsumer, createRecorder, genericEventId, printFigures, readAll, runPollers, signGeneric, ticketBody } from '../support/fault-kit.ts';
import { startFaultProxy, type FaultProxy, type ProxyMode } from '../support/fault-proxy.ts';

const EVENTS = 60;
const STEPS = ['classify', 'route', 'sentiment'] as const;

describe('fault: queue outage at ingest', () => {
  let h: Harness;
  let proxy: FaultProxy;
  let sqsViaProxy: SQSClient;
  const recorder = createRecorder({ timeoutMs: 2_000 });
  beforeAll(async () => {
    h = await startHarness({ simpli: recorder.simpli, helpdesk: recorder.helpdesk });
    proxy = await startFaultProxy(h.emulators.sqsEndpoint);
    // As in functions/ingest/handler.ts: one quick SDK retry, then 503.
    sqsViaProxy = new SQSClient({ ...h.emulators.clientConfig, endpoint: proxy.endpoint, maxAttempts: 2 });
  });
  afterAll(async () => {
    sqsViaProxy?.destroy();
    await proxy?.stop();
    await h?.stop();
  });

  it('answers 503 + Retry-After while SQS is unreachable or its answers are lost; the helpdesk’s retries are accepted and each event is processed once', async () => {
    const ingest = createIngestHandler({
      providers,
      secretsFor: async () => [DEFAULT_SECRET],
      settingsFor: async () => ({}),
      enqueue: createEnqueue(sqsViaProxy, h.queueUrl),
      maxBodyBytes: 240 * 1024,
      publicBaseUrl: undefined,
      now: Date.now,
      logger: new Logger({ logLevel: 'SILENT' }),
    });
    const modeFor = (i: number): ProxyMode => (i < 20 ? 'up' : i < 35 ? 'down' : i < 45 ? 'drop-responses' : 'up');
    const tickets = new Map<string, string>();
    let sent = 0;
    let accepted = 0;
    const statuses: Record<string, number> = {};
    const retryAfters = new Set<string>();
    // The helpdesk: posts each event; on 503 it waits Retry-After (simulated) and posts again later.
    let pending = Array.from({ length: EVENTS }, (_, i) => i);
    for (let round = 0; pending.length > 0; round++) {
      expect(round).toBeLessThan(5);
      const retry: number[] = [];
      for (const i of pending) {
        proxy.setMode(round === 0 ? modeFor(i) : 'up');
        const id = `Q-${i}`;
        const body = ticketBody(id);
        sent++;
        const response = await ingest(endpointEvent('/webhook/ticket-created', '', Buffer.from(body), { 'x-webhook-signature': signGeneric(body) }));
        const status = response.statusCode ?? 0;
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 202) {
          accepted++;
          tickets.set(id, genericEventId(id));
        } else {
          expect(status).toBe(503);
          retryAfters.add(String(response.headers?.['retry-after']));
          retry.push(i);
        }
      }
      pending = retry;
    }
    proxy.setMode('up');
    const queued = (await h.queueDepth()).visible;
    await runPollers(h, createConsumer(h, { maxReceiveCount: 3 }), { concurrency: 2 });

    const figures = computeFigures({ sent, accepted, queued, tickets, recorder, plannedSteps: STEPS, deadLettered: await readAll(h.sqs, h.deadLetterQueueUrl) });
    printFigures('queue outage', figures, { statuses, queued });

    expect(statuses['503']).toBe(25);
    expect([...retryAfters]).toEqual(['30']);
    expect(tickets.size).toBe(EVENTS);
    // Lost SQS answers left extra copies in the queue: the Ledger absorbed them.
    expect(queued).toBeGreaterThan(EVENTS);
    expect(figures.lost).toBe(0);
    expect(figures.processedTwice).toBe(0);
    expect(figures.processed).toBe(EVENTS);
    expect(recorder.calls.filter((c) => c.service === 'helpdesk' && c.outcome === 'ok')).toHaveLength(EVENTS);
  });
});
