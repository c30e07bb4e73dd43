import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/bridge-harness.ts';
import { computeFigures, createConsumer, createRecorder, eventIdOfMessage, genericEventId, printFigures, readAll, runPollers, signGeneric, ticketBody } from '../support/fault-kit.ts';

const EVENTS = 20;
const MAX_RECEIVE_COUNT = 3;
const STEPS = ['classify', 'route', 'sentiment'] as const;

describe('fault: partial outage', () => {
  let h: Harness;
  const recorder = createRecorder({ timeoutMs: 2_000 });
  beforeAll(async () => {
    h = await startHarness({ simpli: recorder.simpli, helpdesk: recorder.helpdesk, maxReceiveCount: MAX_RECEIVE_COUNT });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('writes the triage results back while Sentiment is down for good, retries sentiment, then parks each event saying what is missing', async () => {
    recorder.misbehaveSimpli(({ service }) => (service === 'sentiment' ? { status: 503, json: { error_code: 'EXTERNAL_SERVICE_ERROR' } } : undefined));
    const tickets = new Map<string, string>();
    for (let i = 0; i < EVENTS; i++) {
      const body = ticketBody(`S-${i}`);
      expect((await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': signGeneric(body) })).statusCode).toBe(202);
      tickets.set(`S-${i}`, genericEventId(`S-${i}`));
    }
    await runPollers(h, createConsumer(h, { maxReceiveCount: MAX_RECEIVE_COUNT, retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } }), { concurrency: 2 });

    const parked = await readAll(h.sqs, h.deadLetterQueueUrl);
    const figures = computeFigures({ sent: EVENTS, accepted: EVENTS, tickets, recorder, plannedSteps: STEPS, deadLettered: parked });
    const triageWrittenBack = [...tickets.keys()].filter((id) => recorder.ok('helpdesk', id).some((c) => c.carries === 'classify+route')).length;
    const sentimentCalls = recorder.calls.filter((c) => c.service === 'sentiment').length;
    printFigures('partial outage', figures, { triageWrittenBack, sentimentCalls });

    expect(figures.lost).toBe(0);
    expect(figures.processedTwice).toBe(0);
    expect(figures.processed).toBe(0);
    expect(figures.inDlq).toBe(EVENTS);
    expect(triageWrittenBack).toBe(EVENTS);
    // Retried on every delivery (2 calls per delivery), triage never repeated.
    expect(sentimentCalls).toBe(EVENTS * MAX_RECEIVE_COUNT * 2);
    for (const id of tickets.keys()) {
      expect(recorder.ok('classify', id)).toHaveLength(1);
      expect(recorder.ok('route', id)).toHaveLength(1);
      expect(recorder.ok('helpdesk', id)).toHaveLength(1);
    }
    for (const message of parked) {
      expect(message.MessageAttributes?.step?.StringValue).toBe('sentiment');
      expect(message.MessageAttributes?.reason?.StringValue).toBe('http_503');
      expect(message.MessageAttributes?.error?.StringValue).toContain('missing: sentiment');
    }
    const record = await h.ledger.get(eventIdOfMessage(parked[0] ?? {}));
    expect(record).toMatchObject({ status: 'failed', attempts: MAX_RECEIVE_COUNT, pushed: ['put:classify+route', 'noted:classify', 'noted:route'] });
    expect(Object.keys(record?.steps ?? {}).sort()).toEqual(['classify', 'route']);
  });
});
