import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { startHarness, type Harness } from '../support/bridge-harness.ts';
import { signGeneric } from '../support/fault-kit.ts';

/**
 * An authentic event whose ticket id is absurdly long can never be processed: the Ledger key
 * (DynamoDB: 2,048 bytes at most) or the queue message (the id is carried three times) cannot hold
 * it. It must be refused at once with 422 — not 503 (the helpdesk would retry it forever), and not
 * 202 followed by deliveries that fail until SQS parks it without a reason.
 */
describe('abuse: an event whose identity cannot be stored', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ maxReceiveCount: 2 });
    await h.sqs.send(new SetQueueAttributesCommand({ QueueUrl: h.queueUrl, Attributes: { MaximumMessageSize: String(256 * 1024) } }));
  });
  afterAll(async () => {
    await h?.stop();
  });

  it.each([
    ['3 KB (over the Ledger key limit)', 3_000],
    ['100 KB (over the queue message limit)', 100_000],
  ])('answers 422 to a ticket id of %s and enqueues nothing', async (_label, length) => {
    const body = JSON.stringify({ ticket_id: 'T'.repeat(length), subject: 's', body: 'b', customer_id: 'C-1' });
    const response = await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': signGeneric(body) });
    expect(response.statusCode).toBe(422);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'event_id_too_long' });
    expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('still accepts a long but storable ticket id (500 characters) and processes it', async () => {
    const id = 'L'.repeat(500);
    const body = JSON.stringify({ ticket_id: id, subject: 's', body: 'b', customer_id: 'C-1' });
    expect((await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': signGeneric(body) })).statusCode).toBe(202);
    await h.drain();
    expect(await h.ledger.get(`generic:ticket.created:${id}`)).toMatchObject({ status: 'done' });
  });
});
