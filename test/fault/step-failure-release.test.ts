/**
 * A step fails after two others succeeded (README, "The Ledger"): no step was written on its own,
 * so the release that hands the event back to SQS must carry the two results, and the retry must
 * pay only for the failed step. Simpli calls are counted at the fake server; real ingest, fauxqs,
 * dynalite and the ProcessFunction handler.
 */
import { describe, expect, it } from 'vitest';
import { createConsumer, faultSuite, genericEventId, pollOnce, signGeneric, ticketBody } from '../support/fault-kit.ts';

describe('fault: a step fails after two others succeeded', () => {
  const suite = faultSuite();
  const { recorder } = suite;

  it('releases the event with classify and sentiment stored, and the retry calls only /route', async () => {
    // /route answers 500 the first time: not retried in the invocation (the service may have done
    // the work, lib/simpli/client.ts), so the event goes back to SQS.
    const { h } = suite;
    recorder.misbehaveSimpli(({ service, nth }) => (service === 'route' && nth === 1 ? { status: 500, json: { detail: 'boom' } } : undefined));
    const body = ticketBody('R-1');
    expect((await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': signGeneric(body) })).statusCode).toBe(202);
    const consumer = createConsumer(h, { maxReceiveCount: 5 });
    const eventId = genericEventId('R-1');

    const writesBefore = h.ledger.stats.writes;
    expect(await pollOnce(h, consumer)).toBe(1);
    const released = await h.ledger.get(eventId);
    expect(released).toMatchObject({ status: 'retrying', attempts: 1, lastError: { reason: 'http_500', step: 'route' } });
    expect(Object.keys(released?.steps ?? {}).sort()).toEqual(['classify', 'sentiment']);
    expect(Object.keys(released?.stepTimes ?? {}).sort()).toEqual(['classify', 'sentiment']);
    // claim, ticket lock, marks (classify + sentiment were written back), release: no write per step.
    expect(h.ledger.stats.writes - writesBefore).toBe(4);

    expect(await pollOnce(h, consumer)).toBe(1);
    expect(await h.ledger.get(eventId)).toMatchObject({ status: 'done', attempts: 2 });
    expect(recorder.calls.filter((c) => c.service === 'classify').map((c) => c.outcome)).toEqual(['ok']);
    expect(recorder.calls.filter((c) => c.service === 'sentiment').map((c) => c.outcome)).toEqual(['ok']);
    expect(recorder.calls.filter((c) => c.service === 'route').map((c) => c.outcome)).toEqual(['error', 'ok']);
    // The first write-back carried what was done; the retry's adds route.
    expect(recorder.ok('helpdesk', 'R-1').map((c) => c.carries)).toEqual(['classify+sentiment', 'classify+route+sentiment']);
  });
});
