/**
 * infra/poller.ts against fauxqs, with queues created from template.yaml (1 s visibility timeout and
 * maxReceiveCount 2 by override): what Lambda's SQS event source does with a batch response.
 */
import { createHash } from 'node:crypto';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators, type Emulators } from '../../infra/emulators.ts';
import { createSqsPoller, type SqsHandler, type SqsPoller } from '../../infra/poller.ts';
import { createLocalResources, parseTemplate, type LocalResources } from '../../infra/resources.ts';

let emulators: Emulators;
let resources: LocalResources;
let sqs: SQSClient;
let poller: SqsPoller | undefined;

beforeAll(async () => {
  emulators = await startEmulators();
  resources = await createLocalResources({ emulators, overrides: { visibilityTimeoutSeconds: 1, maxReceiveCount: 2 } });
  sqs = new SQSClient({ ...emulators.clientConfig, endpoint: emulators.sqsEndpoint });
});

afterEach(async () => {
  await poller?.stop();
  poller = undefined;
});

afterAll(async () => {
  sqs?.destroy();
  await emulators?.stop();
});

function startPoller(handler: SqsHandler, functionTimeoutMs = 5_000): SqsPoller {
  poller = createSqsPoller({
    sqs,
    queueUrl: resources.queueUrl,
    queueArn: resources.queueArn,
    region: emulators.region,
    handler,
    waitTimeSeconds: 1,
    concurrency: 2,
    functionTimeoutMs,
  });
  poller.start();
  return poller;
}

async function send(body: string): Promise<string> {
  const out = await sqs.send(
    new SendMessageCommand({ QueueUrl: resources.queueUrl, MessageBody: body, MessageAttributes: { provider: { DataType: 'String', StringValue: 'generic' } } }),
  );
  return out.MessageId ?? '';
}

async function deadLetters(): Promise<string[]> {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: resources.deadLetterQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 0 }));
  return (out.Messages ?? []).map((m) => m.Body ?? '');
}

describe('template.yaml on the emulators', () => {
  it('gives the ticket queue the redrive policy with the real dead-letter queue ARN', async () => {
    const defaults = await createLocalResources({ emulators, stackName: 'defaults' });
    expect(defaults.maxReceiveCount).toBe(5);
    expect(defaults.visibilityTimeoutSeconds).toBe(600);
    expect(defaults.processFunction).toMatchObject({ batchSize: 10, functionTimeoutSeconds: 100, reportBatchItemFailures: true });
    expect(resources.maxReceiveCount).toBe(2);
    expect(resources.visibilityTimeoutSeconds).toBe(1);
    expect(resources.deadLetterQueueArn).toMatch(/^arn:aws:sqs:.*:simpli-webhook-bridge-local-DeadLetterQueue$/);
  });

  it('parses CloudFormation short forms, and keeps an unknown tag as a warning', () => {
    const { template, warnings } = parseTemplate(
      'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy: { deadLetterTargetArn: !GetAtt D.Arn, maxReceiveCount: !FindInMap [T, Q, M] }\n      Name: !Sub "${AWS::StackName}-q"\n      Odd: !NotACloudFormationTag x\n',
    );
    expect(template.Resources.Q?.Properties).toEqual({
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['D', 'Arn'] }, maxReceiveCount: { 'Fn::FindInMap': ['T', 'Q', 'M'] } },
      Name: { 'Fn::Sub': '${AWS::StackName}-q' },
      Odd: 'x',
    });
    expect(warnings.join()).toContain('!NotACloudFormationTag');
  });
});

describe('the SQS poller', () => {
  it('hands the handler a Lambda-shaped SQSEvent and a context that counts down from the function timeout', async () => {
    const seen: { event: SQSEvent; remainingMs: number }[] = [];
    startPoller(async (event: SQSEvent, context: Context) => {
      seen.push({ event, remainingMs: context.getRemainingTimeInMillis() });
    }, 7_000);
    const id = await send('{"hello":"world"}');
    await poller?.waitUntilDrained();
    const record = seen[0]?.event.Records[0] as SQSRecord;
    expect(record).toMatchObject({
      messageId: id,
      body: '{"hello":"world"}',
      md5OfBody: createHash('md5').update('{"hello":"world"}').digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: resources.queueArn,
      awsRegion: emulators.region,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: expect.any(String) },
      messageAttributes: { provider: { stringValue: 'generic', dataType: 'String', stringListValues: [], binaryListValues: [] } },
    });
    expect(record.receiptHandle).not.toBe('');
    expect(seen[0]?.remainingMs).toBeGreaterThan(6_000);
    expect(seen[0]?.remainingMs).toBeLessThanOrEqual(7_000);
  });

  it('deletes the successes, redelivers a reported failure after the visibility timeout, and dead-letters it after maxReceiveCount', async () => {
    const receives: { body: string; count: string; atMs: number }[] = [];
    const startedMs = Date.now();
    startPoller(async (event): Promise<SQSBatchResponse> => {
      for (const r of event.Records) receives.push({ body: r.body, count: r.attributes.ApproximateReceiveCount, atMs: Date.now() - startedMs });
      return { batchItemFailures: event.Records.filter((r) => r.body === 'fail').map((r) => ({ itemIdentifier: r.messageId })) };
    });
    await send('ok');
    await send('fail');
    await poller?.waitUntilDrained({ timeoutMs: 15_000 });

    expect(receives.filter((r) => r.body === 'ok')).toHaveLength(1);
    const failures = receives.filter((r) => r.body === 'fail');
    expect(failures.map((r) => r.count)).toEqual(['1', '2']);
    // Redelivered only once the 1 s visibility timeout had passed.
    expect((failures[1]?.atMs ?? 0) - (failures[0]?.atMs ?? 0)).toBeGreaterThanOrEqual(900);
    expect(await deadLetters()).toEqual(['fail']);
  });

  it('deletes nothing when the handler throws: every record comes back', async () => {
    let calls = 0;
    const bodies: string[] = [];
    startPoller(async (event) => {
      calls++;
      bodies.push(...event.Records.map((r) => `${r.body}#${r.attributes.ApproximateReceiveCount}`));
      if (calls === 1) throw new Error('boom');
    });
    await send('a');
    await poller?.waitUntilDrained({ timeoutMs: 15_000 });
    expect(bodies).toEqual(['a#1', 'a#2']);
    expect(poller?.stats.invocationErrors).toBe(1);
  });

  it('fails the whole batch when the response names a message that is not in it, as Lambda does', async () => {
    const bodies: string[] = [];
    let calls = 0;
    startPoller(async (event): Promise<SQSBatchResponse> => {
      calls++;
      bodies.push(...event.Records.map((r) => `${r.body}#${r.attributes.ApproximateReceiveCount}`));
      return calls === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] } : { batchItemFailures: [] };
    });
    await send('b');
    await poller?.waitUntilDrained({ timeoutMs: 15_000 });
    expect(bodies).toEqual(['b#1', 'b#2']);
  });

  it('ends an invocation at the function timeout and leaves its records for redelivery', async () => {
    let calls = 0;
    startPoller(async () => {
      calls++;
      if (calls === 1) await new Promise((r) => setTimeout(r, 2_000));
    }, 300);
    await send('slow');
    await poller?.waitUntilDrained({ timeoutMs: 15_000 });
    expect(calls).toBe(2);
    expect(poller?.stats.invocationErrors).toBe(1);
  });
});
