/**
 * Every character JSON allows reaches the consumer through the real emulator (fauxqs refuses
 * characters above U+FFFF, which real SQS accepts), ids that are not valid Unicode get 422, and an
 * event whose ESCAPED message is over SQS's 256 KiB gets 413 (red-team finding 14, issue #13).
 */
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { genericProvider } from '../../lib/providers/generic.ts';
import { DEFAULT_SECRET, defaultSimpli, startHarness, type Harness } from '../support/bridge-harness.ts';

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

describe('X-Request-ID on every Simpli call (real fauxqs + dynalite)', () => {
  it('sends one id per event, the same on every call, retry and redelivery, and another for another event', async () => {
    let analyzeCalls = 0;
    const h = await startHarness({
      providers: { generic: genericProvider },
      simpli: (r) => {
        // Sentiment fails once (503): the event is redelivered and only sentiment runs again.
        if (r.path === '/analyze' && ++analyzeCalls === 1) return { status: 503, json: { error_code: 'INTERNAL_ERROR' } };
        return defaultSimpli(r);
      },
    });
    try {
      for (const id of ['T-RID-1', 'T-RID-2']) {
        const body = JSON.stringify({ ticket_id: id, subject: 's', body: 'b', customer_id: 'C-1', channel: 'email' });
        expect((await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': sign(body) })).statusCode).toBe(202);
        await h.drain();
      }
      const first = h.simpli.requests.slice(0, 4); // classify, route, analyze (503), analyze again
      expect(first.map((r) => r.path).sort()).toEqual(['/analyze', '/analyze', '/classify', '/route']);
      const ids = new Set(first.map((r) => r.headers['x-request-id']));
      expect(ids.size).toBe(1);
      const [id] = [...ids];
      expect(id).toMatch(/^bridge-[0-9a-f]{32}$/);
      const second = h.simpli.requests.slice(4);
      expect(second).toHaveLength(3);
      expect(new Set(second.map((r) => r.headers['x-request-id']))).toEqual(new Set([second[0]?.headers['x-request-id']]));
      expect(second[0]?.headers['x-request-id']).not.toBe(id);
    } finally {
      await h.stop();
    }
  });
});
