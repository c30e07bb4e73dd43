import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/bridge-harness.ts';
import { computeFigures, createConsumer, createRecorder, eventIdOfMessage, genericEventId, pollOnce, printFigures, readAll, runPollers, signGeneric, ticketBody } from '../support/fault-kit.ts';

const STEPS = ['classify', 'route', 'sentiment'] as const;

describe('fault: permanent failures', () => {
  let h: Harness;
  const recorder = createRecorder({ timeoutMs: 2_000 });
  beforeAll(async () => {
    h = await startHarness({ simpli: recorder.simpli, helpdesk: recorder.helpdesk, maxReceiveCount: 5 });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('parks a Simpli 422 and an unknown ticket (helpdesk 404) at once with reason and step; the rest of their batch is unaffected', async () => {
    recorder.misbehaveSimpli(({ service, ticketId }) => (service === 'classify' && ticketId === 'P-3' ? { status: 422, json: { error_code: 'VALIDATION_ERROR' } } : undefined));
    recorder.misbehaveHelpdesk(({ ticketId }) => (ticketId === 'P-7' ? { status: 404, json: { error: 'RecordNotFound' } } : undefined));
    const tickets = new Map<string, string>();
    for (let i = 0; i < 10; i++) {
      const body = ticketBody(`P-${i}`);
      const response = await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': signGeneric(body) });
      expect(response.statusCode).toBe(202);
      tickets.set(`P-${i}`, genericEventId(`P-${i}`));
    }
    const consumer = createConsumer(h, { maxReceiveCount: 5 });
    // All ten in one batch: the two failures are reported done (parked), not as batch failures.
    expect(await pollOnce(h, consumer, { maxMessages: 10 })).toBe(10);
    expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
    await runPollers(h, consumer);

    const parked = await readAll(h.sqs, h.deadLetterQueueUrl);
    const figures = computeFigures({ sent: 10, accepted: 10, tickets, recorder, plannedSteps: STEPS, deadLettered: parked });
    printFigures('permanent failure', figures);

    expect(figures.lost).toBe(0);
    expect(figures.processedTwice).toBe(0);
    expect(figures.processed).toBe(8);
    expect(parked.map(eventIdOfMessage).sort()).toEqual([genericEventId('P-3'), genericEventId('P-7')]);
    const byId = new Map(parked.map((m) => [eventIdOfMessage(m), m.MessageAttributes ?? {}]));
    expect(byId.get(genericEventId('P-3'))?.reason?.StringValue).toBe('http_422');
    expect(byId.get(genericEventId('P-3'))?.step?.StringValue).toBe('classify');
    expect(byId.get(genericEventId('P-3'))?.provider?.StringValue).toBe('generic');
    expect(byId.get(genericEventId('P-7'))?.reason?.StringValue).toBe('http_404');
    expect(byId.get(genericEventId('P-7'))?.step?.StringValue).toBe('write-back:put:classify+route+sentiment');
    // Permanent means one delivery, no retries burning Simpli calls.
    for (const id of ['P-3', 'P-7']) {
      const record = await h.ledger.get(genericEventId(id));
      expect(record).toMatchObject({ status: 'failed', attempts: 1 });
    }
    expect((await h.ledger.get(genericEventId('P-3')))?.lastError).toMatchObject({ reason: 'http_422', step: 'classify' });
    // The 422'd event still got what succeeded beside it (sentiment), nothing from triage.
    expect(recorder.ok('route', 'P-3')).toHaveLength(0);
    for (const id of ['P-0', 'P-1', 'P-2', 'P-4', 'P-5', 'P-6', 'P-8', 'P-9']) {
      expect((await h.ledger.get(genericEventId(id)))?.status).toBe('done');
      expect(recorder.ok('helpdesk', id)).toHaveLength(1);
    }
  });
});
