/**
 * A ProcessFunction container for the crash test, run as its own process so the test can SIGKILL
 * it mid-event: receives one batch from the parent's emulated queue, invokes the real handler
 * (functions/process/app.ts), and would delete what succeeded — if it lived that long.
 *
 * Config comes as one JSON argument (endpoints, queue URLs, table, fake server URLs, LEASE_SECONDS).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { createProcessHandler } from '../../functions/process/app.ts';
import { createDeadLetter } from '../../lib/dead-letter.ts';
import { createLedger } from '../../lib/ledger.ts';
import { providers } from '../../lib/providers/registry.ts';
import { toRecord } from '../support/bridge-harness.ts';

export interface CrashConsumerConfig {
  readonly sqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly tableName: string;
  readonly simpliUrl: string;
  readonly helpdeskUrl: string;
  readonly leaseSeconds: number;
  readonly visibilitySeconds: number;
  readonly maxReceiveCount: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as CrashConsumerConfig;
const aws = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const sqs = new SQSClient({ ...aws, endpoint: config.sqsEndpoint });
const dynamodb = new DynamoDBClient({ ...aws, endpoint: config.dynamodbEndpoint });
const settings = { generic: { updateUrl: `${config.helpdeskUrl}/tickets/{ticket_id}`, token: 'helpdesk-token' } };

const handler = createProcessHandler({
  providers,
  ledger: createLedger(dynamodb, config.tableName),
  simpli: {
    triageUrl: config.simpliUrl,
    sentimentUrl: config.simpliUrl,
    qaUrl: config.simpliUrl,
    replyUrl: config.simpliUrl,
    apiKey: 'simpli-key',
    draftReplies: false,
    draftStyle: 'friendly',
    draftLanguage: 'en',
    timeoutMs: 60_000,
    qaTimeoutMs: 60_000,
  },
  settingsFor: async (p) => (p === 'generic' ? settings.generic : undefined),
  deadLetter: createDeadLetter(sqs, config.deadLetterQueueUrl),
  maxReceiveCount: config.maxReceiveCount,
  leaseSeconds: config.leaseSeconds,
  ttlSeconds: 86_400,
  confidenceThreshold: 0.6,
  now: Date.now,
  logger: new Logger({ serviceName: 'crash-consumer', logLevel: 'SILENT' }),
  retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 50 },
});

const out = await sqs.send(
  new ReceiveMessageCommand({
    QueueUrl: config.queueUrl,
    MaxNumberOfMessages: 10,
    VisibilityTimeout: config.visibilitySeconds,
    MessageSystemAttributeNames: ['All'],
    MessageAttributeNames: ['All'],
  }),
);
const messages = out.Messages ?? [];
process.stdout.write(`received ${messages.length}\n`);
const response = await handler({ Records: messages.map(toRecord) }, { getRemainingTimeInMillis: () => 120_000 });
const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
if (done.length > 0) {
  await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: config.queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })) }));
}
process.stdout.write('finished\n');
sqs.destroy();
dynamodb.destroy();
