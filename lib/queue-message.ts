/**
 * The SQS message between ingest and the consumer: one business event, its identity and its raw
 * data. Versioned so a deploy that changes it can still read messages already in the queue.
 */
import * as z from 'zod/mini';
import { PermanentEventError } from './errors.ts';
import { EVENT_TYPES, PROVIDER_NAMES, type QueuedEvent } from './providers/types.ts';

const queuedEventSchema = z.object({
  v: z.literal(1),
  provider: z.enum(PROVIDER_NAMES),
  eventType: z.enum(EVENT_TYPES),
  eventId: z.string().check(z.minLength(1)),
  ticketId: z.string().check(z.minLength(1)),
  receivedAt: z.string(),
  requestId: z.string(),
  payload: z.unknown(),
});

export function encodeQueuedEvent(event: QueuedEvent): string {
  const { payload, payloadJson, ...fields } = event;
  const json =
    payloadJson === undefined
      ? JSON.stringify({ v: 1, ...fields, payload })
      : // The received text was parsed as JSON, so it can stand as the value as it is.
        `${JSON.stringify({ v: 1, ...fields }).slice(0, -1)},"payload":${payloadJson}}`;
  // SQS refuses U+FFFE and U+FFFF in a message, which JSON allows raw inside strings (and valid
  // JSON has them nowhere else): escape them, or such a webhook would get 503 forever.
  return json.replace(/[\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** Throws PermanentEventError for a message no version of the consumer can read. */
export function decodeQueuedEvent(body: string): QueuedEvent {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw new PermanentEventError('invalid_message', 'the queue message is not JSON', { cause });
  }
  const result = queuedEventSchema.safeParse(value);
  if (!result.success) {
    const where = result.error.issues.map((i) => i.path.join('.') || '(top level)').join(', ');
    throw new PermanentEventError('invalid_message', `the queue message is not a bridge event (bad ${where})`);
  }
  const { v: _version, ...event } = result.data;
  return event;
}
