/**
 * Every character JSON allows reaches the consumer through the real emulator (fauxqs refuses
 * characters above U+FFFF, which real SQS accepts), ids that are not valid Unicode get 422, and an
 * event whose ESCAPED message is over SQS's 256 KiB gets 413 (red-team finding 14, issue #13).
 */
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { genericProvider } from '../../lib/providers/generic.ts';
import { DEFAULT_SECRET, startHarness, type Harness } from '../support/bridge-harness.ts';

const sign = (body: string) => createHmac('sha256', DEFAULT_SECRET).update(body).digest('hex');

describe('Unicode through the queue (real fauxqs + dynalite)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ providers: { generic: genericProvider } });
  });
  afterAll(async () => {
    await h.stop();
  });
  afterEach(() => h.reset());

  it('accepts emoji and other astral characters (raw and \\u-escaped) and hands them to Simpli unchanged', async () => {
    const subject = 'Refund 😀 please 𝕏';
    const text = 'Charged twice 💳💳 — 𠀋 — \uFFFF';
    const body = `{"ticket_id":"T-EMOJI","subject":${JSON.stringify(subject)},"body":"${text.slice(0, -1)}\\uFFFF \\ud83d\\ude00","customer_id":"C-1","channel":"email"}`;
    const response = await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': sign(body) });
    expect(response.statusCode).toBe(202);
    await h.drain();
    expect(h.simpli.calls('POST', '/classify')[0]?.body).toMatchObject({ subject, body: `${text} 😀` });
    expect(h.helpdesk.calls('PUT', '/tickets/T-EMOJI')).toHaveLength(1);
  });

  it('refuses a ticket id holding a lone surrogate with 422 and a reason, and queues nothing', async () => {
    const body = '{"ticket_id":"T-\\ud800","subject":"s","body":"b","customer_id":"C-1","channel":"email"}';
    const response = await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': sign(body) });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('surrogate');
    expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('answers 413 when the escaped message is over 256 KiB though the raw body is under the body limit', async () => {
    // 60,000 emoji: 240,000 raw bytes (under 240 KiB), 720,000 bytes once each is two \uXXXX escapes.
    const body = JSON.stringify({ ticket_id: 'T-BIG', subject: 's', body: '😀'.repeat(60_000), customer_id: 'C-1', channel: 'email' });
    expect(Buffer.byteLength(body)).toBeLessThan(240 * 1024);
    const response = await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': sign(body) });
    expect(response.statusCode).toBe(413);
    expect(response.body).toContain('at most 262144');
    expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
  });
});
