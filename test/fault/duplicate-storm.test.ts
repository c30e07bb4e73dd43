import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/bridge-harness.ts';
import {
  computeFigures,
  createConsumer,
  createRecorder,
  genericEventId,
  pollOnce,
  postAll,
  printFigures,
  readAll,
  runPollers,
  seededRandom,
  shuffle,
  signGeneric,
  ticketBody,
} from '../support/fault-kit.ts';

const LONG = process.env.FAULT_LONG === '1';
const EVENTS = LONG ? 1000 : 200;
const COPIES = 5;
const SEED = Number(process.env.FAULT_SEED ?? 20_261_127);
const STEPS = ['classify', 'route', 'sentiment'] as const;

describe('fault: duplicate storm', () => {
  let h: Harness;
  const recorder = createRecorder({ timeoutMs: 2_000 });
  beforeAll(async () => {
    h = await startHarness({ simpli: recorder.simpli, helpdesk: recorder.helpdesk, maxReceiveCount: 5 });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it(`classifies and writes back ${EVENTS} distinct events exactly once when each is delivered ${COPIES} times, interleaved and concurrent`, async () => {
    const consumer = createConsumer(h, { maxReceiveCount: 5 });
    const tickets = new Map<string, string>();
    let sent = 0;
    let accepted = 0;
    const deliver = async (ticketId: string) => {
      const body = ticketBody(ticketId);
      sent++;
      const response = await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': signGeneric(body) });
      if (response.statusCode === 202) {
        accepted++;
        tickets.set(ticketId, genericEventId(ticketId));
      }
    };
    const ids = Array.from({ length: EVENTS }, (_, i) => `D-${i}`);

    // The same event twice in one batch: D-0..D-4, each twice in a row, then one batch of ten.
    for (const id of ids.slice(0, 5)) {
      await deliver(id);
      await deliver(id);
    }
    await pollOnce(h, consumer, { maxMessages: 10 });
    // The same events in two concurrent batches: D-5..D-9 twice over, two invocations at once.
    for (const id of [...ids.slice(5, 10), ...ids.slice(5, 10)]) await deliver(id);
    await Promise.all([pollOnce(h, consumer, { maxMessages: 5 }), pollOnce(h, consumer, { maxMessages: 5 })]);

    // The storm: every remaining copy, shuffled, posted 16 at a time while 3 consumers poll.
    const remaining = ids.flatMap((id, i) => Array.from({ length: i < 10 ? COPIES - 2 : COPIES }, () => id));
    shuffle(remaining, seededRandom(SEED));
    let posting = true;
    const consuming = runPollers(h, consumer, { concurrency: 3, timeoutMs: LONG ? 600_000 : 100_000, keepGoing: () => posting, retryVisibilitySeconds: 1 }).catch((e: unknown) => e);
    await postAll(remaining, 16, deliver);
    posting = false;
    const failure = await consuming;
    if (failure instanceof Error) throw failure;

    const figures = computeFigures({ sent, accepted, tickets, recorder, plannedSteps: STEPS, deadLettered: await readAll(h.sqs, h.deadLetterQueueUrl) });
    printFigures('duplicate storm', figures, { seed: SEED });

    expect(sent).toBe(EVENTS * COPIES);
    expect(accepted).toBe(sent);
    expect(figures.lost).toBe(0);
    expect(figures.processedTwice).toBe(0);
    expect(figures.inDlq).toBe(0);
    expect(figures.processed).toBe(EVENTS);
    expect(recorder.calls.filter((c) => c.service === 'classify' && c.outcome === 'ok')).toHaveLength(EVENTS);
    expect(recorder.calls.filter((c) => c.service === 'helpdesk' && c.outcome === 'ok')).toHaveLength(EVENTS);
    expect(figures.duplicatesSuppressed).toBe(EVENTS * (COPIES - 1));
  });
});
