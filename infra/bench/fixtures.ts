/**
 * Benchmark inputs: generic-provider tickets of a given size, signed as the Simpli guide's bridge
 * signs them, as API Gateway events and as SQS records.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, SQSRecord } from 'aws-lambda';
import { encodeQueuedEvent } from '../../lib/queue-message.ts';
import type { QueuedEvent } from '../../lib/providers/types.ts';
import { signGeneric } from '../sign/generic.ts';
import { endpointEvent } from '../../test/support/bridge-harness.ts';

export const BENCH_SECRET = 'local-dev-secret';

/** A generic `ticket.created` body of about `bytes` bytes (the description is padded). */
export function ticketBody(ticketId: string, bytes: number): Buffer {
  const base = { event: 'ticket.created', ticket_id: ticketId, subject: 'Charged twice', customer_id: 'C-42', channel: 'email', body: '' };
  const pad = Math.max(1, bytes - Buffer.byteLength(JSON.stringify(base)));
  const sentence = 'I was charged twice for my subscription this month, please refund the second charge. ';
  const body = sentence.repeat(Math.ceil(pad / sentence.length)).slice(0, pad);
  return Buffer.from(JSON.stringify({ ...base, body }));
}

/**
 * The API Gateway (HTTP API 2.0) event of a signed POST /webhooks/generic. HTTP API passes an
 * application/json body as text (`isBase64Encoded: false`), as infra/local-api.ts does.
 */
export function signedWebhookEvent(body: Buffer, secret = BENCH_SECRET): APIGatewayProxyEventV2 {
  const { headers } = signGeneric({ method: 'POST', url: 'https://bridge.example.com/webhooks/generic', body, secret, nowMs: Date.now() });
  return { ...endpointEvent('/webhooks/generic', '', body, headers), body: body.toString('utf8'), isBase64Encoded: false };
}

/** The queue message ingest would send for a ticket body (same shape, same size). */
export function queuedTicket(ticketId: string, bytes: number): QueuedEvent {
  return {
    provider: 'generic',
    eventType: 'ticket.created',
    eventId: `generic:ticket.created:${ticketId}`,
    ticketId,
    payload: JSON.parse(ticketBody(ticketId, bytes).toString('utf8')) as unknown,
    receivedAt: new Date().toISOString(),
    requestId: randomUUID(),
  };
}

/** An SQS record as Lambda's event source delivers it. */
export function sqsRecord(event: QueuedEvent, receiveCount = 1): SQSRecord {
  return {
    messageId: randomUUID(),
    receiptHandle: randomUUID(),
    body: encodeQueuedEvent(event),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(Date.now()),
      SenderId: 'bench',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:TicketQueue',
    awsRegion: 'us-east-1',
  };
}
