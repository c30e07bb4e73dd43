import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/bridge-harness.ts';
import {
  computeFigures,
  createConsumer,
  createRecorder,
  genericEventId,
  postAll,
  printFigures,
  readAll,
  runPollers,
  seededRandom,
  signGeneric,
  ticketBody,
} from '../support/fault-kit.ts';

const LONG = process.env.FAULT_LONG === '1';
const EVENTS = LONG ? 1000 : 200;
const SEED = Number(process.env.FAULT_SEED ?? 7);
/**
 * Client timeout of a Simpli call. Everything (emulators, fake servers, four consumers) shares one
 * event loop here, so a tight timeout would expire on answers already sent, and a call Simpli
 * answered but the bridge never saw is, rightly, called again (it cannot know it was paid).
 */
const TIMEOUT_MS = 1_500;
const STEPS = ['classify', 'route', 'sentiment'] as const;
/** Deliveries per event before SQS parks it; high enough that 40 % failing calls still finish. */
const MAX_RECEIVE_COUNT = 8;

describe('fault: flaky services', () => {
  let h: Harness;
  const recorder = createRecorder({ timeoutMs: TIMEOUT_MS });
  beforeAll(async () => {
    h = await startHarness({ simpli: recorder.simpli, helpdesk: recorder.helpdesk, maxReceiveCount: MAX_RECEIVE_COUNT });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it(`ends all ${EVENTS} events done, none in the DLQ, when Simpli answers 503 to 30 % and times out on 10 % of calls and the helpdesk answers 429 + Retry-After to its first writes`, async () => {
    const random = seededRandom(SEED);
    let simpliFaults = 0;
    recorder.misbehaveSimpli(() => {
      const roll = random();
      if (roll < 0.3) {
        simpliFaults++;
        return { status: 503, json: { error_code: 'EXTERNAL_SERVICE_ERROR' } };
      }
      if (roll < 0.4) {
        simpliFaults++;
        return 'timeout';
      }
      return undefined;
    });
    let throttled = 0;
    recorder.misbehaveHelpdesk(() => (throttled++ < 20 ? { status: 429, json: { error: 'rate limited' }, headers: { 'retry-after': '1' } } : undefined));

    // Retries inside the invocation (with backoff, honouring Retry-After), then by SQS.
    const consumer = createConsumer(h, {
      maxReceiveCount: MAX_RECEIVE_COUNT,
      timeoutMs: TIMEOUT_MS,
      retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 200 },
    });
    const tickets = new Map<string, string>();
    let accepted = 0;
    const ids = Array.from({ length: EVENTS }, (_, i) => `F-${i}`);
    await postAll(ids, 16, async (id) => {
      const body = ticketBody(id);
      const response = await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': signGeneric(body) });
      if (response.statusCode === 202) {
        accepted++;
        tickets.set(id, genericEventId(id));
      }
    });
    const startedMs = Date.now();
    await runPollers(h, consumer, { concurrency: 4, timeoutMs: LONG ? 900_000 : 110_000 });

    const figures = computeFigures({ sent: EVENTS, accepted, tickets, recorder, plannedSteps: STEPS, deadLettered: await readAll(h.sqs, h.deadLetterQueueUrl) });
    const ledgerAttempts = await Promise.all(ids.slice(0, 50).map(async (id) => (await h.ledger.get(genericEventId(id)))?.attempts ?? 0));
    printFigures('flaky services', figures, {
      seed: SEED,
      simpliFaults,
      helpdesk429s: Math.min(throttled, 20),
      maxDeliveriesOfOneEvent: Math.max(...ledgerAttempts),
      processingMs: Date.now() - startedMs,
    });

    expect(throttled).toBeGreaterThanOrEqual(20);
    expect(simpliFaults).toBeGreaterThan(EVENTS * 0.3);
    expect(figures.lost).toBe(0);
    expect(figures.processedTwice).toBe(0);
    expect(figures.inDlq).toBe(0);
    expect(figures.processed).toBe(EVENTS);
    for (const id of ids.slice(0, 50)) expect((await h.ledger.get(genericEventId(id)))?.status).toBe('done');
  });
});
