/**
 * The SQS message between ingest and the consumer: one business event, its identity and its raw
 * data. Versioned so a deploy that changes it can still read messages already in the queue.
 */
import * as z from './schema.ts';
import { PermanentEventError } from './errors.ts';
import { lazy } from './lazy.ts';
import { CONNECTOR_NAME } from './providers/connector/spec.ts';
import { EVENT_TYPES, PROVIDER_NAMES, type QueuedEvent } from './providers/types.ts';

// Built on first use (lib/lazy.ts), by the first record, not while the bundle loads (issue #10).
const queuedEventSchema = lazy(() =>
  z.object({
    v: z.literal(1),
    // A built-in or a connector's name (issue #12).
    provider: z.union([z.enum(PROVIDER_NAMES), z.string().check(z.regex(CONNECTOR_NAME))]),
    eventType: z.enum(EVENT_TYPES),
    eventId: z.string().check(z.minLength(1)),
    ticketId: z.string().check(z.minLength(1)),
    receivedAt: z.string(),
    requestId: z.string(),
    payload: z.unknown(),
    // Added after v1 shipped: absent in older messages, which keep the Ledger's TTL as before.
    rememberIdentity: z.optional(z.boolean()),
  }),
);

export function encodeQueuedEvent(event: QueuedEvent): string {
  const { payload, payloadJson, ...fields } = event;
  const json =
    payloadJson === undefined
      ? JSON.stringify({ v: 1, ...fields, payload })
      : // The received text was parsed as JSON, so it can stand as the value as it is.
        `${JSON.stringify({ v: 1, ...fields }).slice(0, -1)},"payload":${payloadJson}}`;
  return escapeForSqs(json);
}

/**
 * SQS accepts only #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF in a message
 * (SendMessage, MessageBody: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
 * JSON allows U+FFFE/U+FFFF raw inside strings, and fauxqs (the local emulator) also refuses every
 * character above U+FFFF that real SQS accepts. Valid JSON has non-ASCII characters only inside
 * strings, so each surrogate code unit (emoji are a pair) and U+FFFE/U+FFFF is written as its
 * `\uXXXX` escape: the message decodes to the same text and passes both. One linear pass.
 */
export function escapeForSqs(json: string): string {
  return json.replace(/[\uD800-\uDFFF\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** Throws PermanentEventError for a message no version of the consumer can read. */
export function decodeQueuedEvent(body: string): QueuedEvent {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw new PermanentEventError('invalid_message', 'the queue message is not JSON', { cause });
  }
  const result = queuedEventSchema().safeParse(value);
  if (!result.success) {
    const where = result.error.issues.map((i) => i.path.join('.') || '(top level)').join(', ');
    throw new PermanentEventError('invalid_message', `the queue message is not a bridge event (bad ${where})`);
  }
  const { v: _version, ...event } = result.data;
  return event;
}
