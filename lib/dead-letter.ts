/**
 * Parks an event in the DeadLetterQueue with why it failed. The message body stays the queue
 * message as it was, so `npm run redrive` can send it back unchanged once the cause is fixed.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LedgerError } from './ledger.ts';

export interface DeadLetterEntry {
  readonly body: string;
  readonly eventId: string | undefined;
  readonly provider: string | undefined;
  readonly error: LedgerError;
}

export function createDeadLetter(sqs: SQSClient, deadLetterQueueUrl: string): (entry: DeadLetterEntry) => Promise<void> {
  return async ({ body, eventId, provider, error }) => {
    const attribute = (value: string) => ({ DataType: 'String', StringValue: value.slice(0, 1024) || '-' });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: deadLetterQueueUrl,
        MessageBody: body,
        MessageAttributes: {
          reason: attribute(error.reason),
          step: attribute(error.step ?? '-'),
          error: attribute(error.message),
          failedAt: attribute(error.at),
          ...(eventId === undefined ? {} : { eventId: attribute(eventId) }),
          ...(provider === undefined ? {} : { provider: attribute(provider) }),
        },
      }),
    );
  };
}
