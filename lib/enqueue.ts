/**
 * Sends events to the TicketQueue with SendMessageBatch: up to 10 entries and 256 KiB per call,
 * failed entries retried once. Any event still unsent → QueueUnavailableError (503), and the
 * helpdesk's retry is deduplicated by the Ledger.
 */
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import { PayloadTooLargeError, QueueUnavailableError } from './errors.ts';
import { encodeQueuedEvent } from './queue-message.ts';
import type { QueuedEvent } from './providers/types.ts';

const MAX_ENTRIES = 10;
const MAX_BATCH_BYTES = 256 * 1024;
/** SQS's limit for one message, body and attributes together (SendMessage, "MessageBody"). */
export const MAX_MESSAGE_BYTES = 256 * 1024;

export function createEnqueue(sqs: SQSClient, queueUrl: string): (events: readonly QueuedEvent[]) => Promise<void> {
  return async (events) => {
    const entries = events.map((event, i): SendMessageBatchRequestEntry & { bytes: number } => {
      const body = encodeQueuedEvent(event);
      const attributes = {
        provider: { DataType: 'String', StringValue: event.provider },
        eventType: { DataType: 'String', StringValue: event.eventType },
        requestId: { DataType: 'String', StringValue: event.requestId || '-' },
      };
      // An attribute counts its name, type and value toward the message size (SQS developer guide, "message metadata").
      const attributeBytes = Object.entries(attributes).reduce(
        (n, [name, a]) => n + Buffer.byteLength(name) + Buffer.byteLength(a.DataType) + Buffer.byteLength(a.StringValue),
        0,
      );
      return { Id: String(i), MessageBody: body, MessageAttributes: attributes, bytes: Buffer.byteLength(body) + attributeBytes };
    });
    // Escaping (queue-message.ts) can grow a body past the limit that ingest checked on the raw
    // bytes (a `"` becomes `\"`, an emoji 12 bytes): check what SQS will really receive, before
    // sending anything, so the caller gets 413 and nothing is half-enqueued.
    const tooLarge = entries.find((e) => e.bytes > MAX_MESSAGE_BYTES);
    if (tooLarge !== undefined) {
      throw new PayloadTooLargeError(
        'message_too_large',
        `the event encodes to ${tooLarge.bytes} bytes in the queue (escapes included); SQS carries at most ${MAX_MESSAGE_BYTES}: send a smaller body`,
      );
    }
    await Promise.all(chunk(entries).map((batch) => sendAll(sqs, queueUrl, batch)));
  };
}

function chunk<T extends { bytes: number }>(entries: readonly T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (current.length === MAX_ENTRIES || (current.length > 0 && bytes + entry.bytes > MAX_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

async function sendAll(sqs: SQSClient, queueUrl: string, batch: readonly (SendMessageBatchRequestEntry & { bytes: number })[]): Promise<void> {
  let pending = batch.map(({ bytes: _bytes, ...entry }) => entry);
  for (let attempt = 1; pending.length > 0; attempt++) {
    let failedIds: Set<string>;
    try {
      const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
      failedIds = new Set((out.Failed ?? []).map((f) => f.Id ?? ''));
    } catch (cause) {
      throw new QueueUnavailableError('queue_unavailable', 'the queue did not accept the events', { cause });
    }
    pending = pending.filter((entry) => failedIds.has(entry.Id ?? ''));
    if (pending.length > 0 && attempt >= 2) {
      throw new QueueUnavailableError('queue_rejected_entries', `the queue refused ${pending.length} of the events`);
    }
  }
}
