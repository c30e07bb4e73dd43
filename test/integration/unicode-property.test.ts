/**
 * Property test (fast-check): random strings over all planes (emoji, CJK, RTL, combining marks,
 * U+FFFE/U+FFFF, NUL, ASCII) in every text field of a webhook → accepted and processed once, on the
 * real fauxqs + dynalite; a lone surrogate in the ticket id → 4xx and nothing queued. Generic provider
 * end to end; the queue message itself for any payload (every provider's events pass through it).
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genericProvider } from '../../lib/providers/generic.ts';
import type { QueuedEvent } from '../../lib/providers/types.ts';
import { decodeQueuedEvent, encodeQueuedEvent } from '../../lib/queue-message.ts';
import { DEFAULT_SECRET, startHarness, type Harness } from '../support/bridge-harness.ts';

const sign = (body: string) => createHmac('sha256', DEFAULT_SECRET).update(body).digest('hex');

/** Characters from every interesting range, mixed with ASCII. */
const char = fc.oneof(
  fc.constantFrom('😀', '👨\u200D👩\u200D👧', '🎟', '𝕏', '𠀋', '中', '文', 'ש', 'ل', '\u200F', 'e\u0301', '\u0301', '\uFFFE', '\uFFFF', '\u0000', '\uFEFF', '"', '\\', '\n'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
);
const text = fc.array(char, { minLength: 1, maxLength: 40 }).map((cs) => cs.join(''));

describe('Unicode property: every text field, all planes (real fauxqs + dynalite)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ providers: { generic: genericProvider } });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('accepts and processes each event exactly once, the text reaching Simpli unchanged', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(text, text, text, text, text, async (subject, body, customerId, message, agent) => {
        h.reset();
        const ticketId = `T-P${n++}-${subject}`;
        const payload = JSON.stringify({
          ticket_id: ticketId,
          subject,
          body,
          customer_id: customerId,
          channel: 'email',
          agent_id: agent,
          messages: [{ role: 'customer', content: message }],
        });
        const response = await h.post('/webhook/ticket-created', payload, { 'x-webhook-signature': sign(payload) });
        expect(response.statusCode).toBe(202);
        await h.drain();
        const classify = h.simpli.calls('POST', '/classify');
        expect(classify).toHaveLength(1);
        expect(classify[0]?.body).toMatchObject({ subject, body });
        expect(h.helpdesk.requests).toHaveLength(1);
        expect(await h.deadLetters()).toEqual([]);
      }),
      { numRuns: 12 },
    );
  }, 120_000);

  let lones = 0;
  it('accepts lone surrogates in text fields and sends Simpli valid Unicode (U+FFFD), processing once', async () => {
    await fc.assert(
      fc.asyncProperty(text, fc.constantFrom('\\ud800', '\\udfff', '\\ud83d'), async (prefix, lone) => {
        h.reset();
        const id = `T-LONE-${lones++}`;
        const subject = `${JSON.stringify(prefix).slice(1, -1)}${lone}`;
        const payload = `{"ticket_id":"${id}","subject":"${subject}","body":"b ${lone}","customer_id":"C-1","channel":"email"}`;
        const response = await h.post('/webhook/ticket-created', payload, { 'x-webhook-signature': sign(payload) });
        expect(response.statusCode).toBe(202);
        await h.drain();
        const classify = h.simpli.calls('POST', '/classify');
        expect(classify).toHaveLength(1);
        expect(classify[0]?.body).toMatchObject({ subject: `${prefix}\uFFFD`, body: 'b \uFFFD' });
        expect(h.helpdesk.requests).toHaveLength(1);
      }),
      { numRuns: 8 },
    );
  });

  it('refuses a lone surrogate in the ticket id with 4xx, queueing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(text, fc.constantFrom('\\ud800', '\\udfff', '\\ud83d'), async (prefix, lone) => {
        const payload = `{"ticket_id":${JSON.stringify(prefix).slice(0, -1)}${lone}","subject":"s","body":"b"}`;
        const response = await h.post('/webhook/ticket-created', payload, { 'x-webhook-signature': sign(payload) });
        expect(response.statusCode).toBeGreaterThanOrEqual(400);
        expect(response.statusCode).toBeLessThan(500);
        expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
      }),
      { numRuns: 10 },
    );
  });
});

describe('Unicode property: the queue message', () => {
  const base: QueuedEvent = {
    provider: 'zendesk',
    eventType: 'ticket.created',
    eventId: 'zendesk:e',
    ticketId: '1',
    payload: null,
    receivedAt: '2026-12-03T00:00:00.000Z',
    requestId: 'r',
  };
  it('carries any JSON (lone surrogates included) with no character SQS or fauxqs refuses, and decodes to it', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.string({ unit: 'binary' }), (value, s) => {
        const payload = { value, s };
        for (const event of [{ ...base, payload }, { ...base, payload, payloadJson: JSON.stringify(payload) }]) {
          const encoded = encodeQueuedEvent(event);
          expect(encoded).not.toMatch(/[\uD800-\uDFFF\uFFFE\uFFFF]/);
          expect(decodeQueuedEvent(encoded).payload).toEqual(JSON.parse(JSON.stringify(payload)));
        }
      }),
      { numRuns: 300 },
    );
  });
});
