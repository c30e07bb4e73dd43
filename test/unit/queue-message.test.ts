import { describe, expect, it } from 'vitest';
import { PermanentEventError } from '../../lib/errors.ts';
import type { QueuedEvent } from '../../lib/providers/types.ts';
import { decodeQueuedEvent, encodeQueuedEvent } from '../../lib/queue-message.ts';

const event: QueuedEvent = {
  provider: 'generic',
  eventType: 'ticket.created',
  eventId: 'generic:ticket.created:T-1',
  ticketId: 'T-1',
  payload: { ticket_id: 'T-1', body: 'héllo' },
  receivedAt: '2026-11-27T10:00:00.000Z',
  requestId: 'r-1',
};

describe('the queue message', () => {
  it('round-trips an event', () => {
    expect(decodeQueuedEvent(encodeQueuedEvent(event))).toEqual(event);
  });

  it('embeds the received JSON text as it is, spacing included, and decodes to the same payload', () => {
    const text = '{ "ticket_id" : "T-1",\n  "body": "h\\u00e9llo" }';
    const encoded = encodeQueuedEvent({ ...event, payloadJson: text });
    expect(encoded).toContain(text);
    expect(decodeQueuedEvent(encoded)).toEqual(event);
  });

  it('escapes the two characters SQS refuses (U+FFFE, U+FFFF), which JSON allows raw', () => {
    const payload = { body: 'a\uFFFFb\uFFFEc' };
    for (const encoded of [encodeQueuedEvent({ ...event, payload }), encodeQueuedEvent({ ...event, payload, payloadJson: JSON.stringify(payload) })]) {
      expect(encoded).not.toMatch(/[\uFFFE\uFFFF]/);
      expect(decodeQueuedEvent(encoded).payload).toEqual(payload);
    }
  });

  it('refuses a message that is not a bridge event, permanently', () => {
    expect(() => decodeQueuedEvent('{"v":2}')).toThrow(PermanentEventError);
    expect(() => decodeQueuedEvent('not json')).toThrow(PermanentEventError);
  });
});

describe('astral characters in the queue message', () => {
  it('writes every surrogate as a \\u escape, so the message is pure BMP and decodes to the same text', () => {
    const payload = { body: 'emoji 😀, math 𝕏, CJK ext-B 𠀋, lone \uD800 end' };
    for (const encoded of [encodeQueuedEvent({ ...event, payload }), encodeQueuedEvent({ ...event, payload, payloadJson: JSON.stringify(payload) })]) {
      expect(encoded).not.toMatch(/[\uD800-\uDFFF]/);
      expect(encoded).toContain('\\ud83d\\ude00');
      expect(decodeQueuedEvent(encoded).payload).toEqual(payload);
    }
  });
});
