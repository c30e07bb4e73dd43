/**
 * Figure 6 — Ledger cost: the AWS requests each processed event pays for, counted per client and
 * command by SDK middleware (and cross-checked against `ledger.stats`). Webhooks go through the
 * real ingest handler into fauxqs; the event source is played as Lambda plays it (ReceiveMessage
 * of up to 10, the handler, DeleteMessageBatch of the successes). Targets: DynamoDB writes ≤ one
 * per checkpointed step + 2, and no read when a conditional write can answer.
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { createLedger } from '../../lib/ledger.ts';
import { toRecord } from '../../test/support/bridge-harness.ts';
import { figureMain, isMain, progress, type BenchRow, type FigureResult } from './common.ts';
import { signedWebhookEvent, sqsRecord, ticketBody, queuedTicket } from './fixtures.ts';
import { startProcessRig, ZERO_LATENCIES, type ProcessRig } from './process-rig.ts';

const EVENTS = 10;
/** classify, route, sentiment, draft. */
const STEPS = 4;

/** Receives up to 10 messages, invokes the handler, deletes what succeeded: Lambda's event source. */
async function deliverOnce(rig: ProcessRig): Promise<SQSRecord[]> {
  const out = await rig.eventSourceSqs.send(
    new ReceiveMessageCommand({ QueueUrl: rig.queueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }),
  );
  const records = (out.Messages ?? []).map(toRecord);
  if (records.length === 0) return records;
  const response = await rig.process({ Records: records });
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  const done = records.filter((r) => !failed.has(r.messageId));
  if (done.length > 0) {
    await rig.eventSourceSqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: rig.queueUrl, Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })) }),
    );
  }
  if (failed.size > 0) throw new Error(`${failed.size} records failed`);
  return records;
}

const sum = (counts: Map<string, number>, prefix: string, commands?: readonly string[]) =>
  [...counts].filter(([k]) => k.startsWith(`${prefix}:`) && (commands === undefined || commands.includes(k.slice(prefix.length + 1)))).reduce((n, [, v]) => n + v, 0);

/** A DynamoDB client that refuses every write as AWS does for a done item: with the item attached. */
function refusingClient(): { client: DynamoDBClient; sent: string[] } {
  const sent: string[] = [];
  const item = { eventId: { S: 'generic:ticket.created:T-1' }, status: { S: 'done' }, leaseUntil: { N: '0' } };
  const client = {
    send: async (command: { constructor: { name: string } }) => {
      sent.push(command.constructor.name);
      if (command.constructor.name === 'UpdateItemCommand') {
        throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: item });
      }
      return { Item: item };
    },
  } as unknown as DynamoDBClient;
  return { client, sent };
}

export async function ledgerCost(): Promise<FigureResult> {
  const rig = await startProcessRig(ZERO_LATENCIES);
  try {
    progress(`ledger cost: ${EVENTS} new ticket.created webhooks through ingest → fauxqs → the event source → ProcessFunction`);
    for (let i = 0; i < EVENTS; i++) {
      const response = await rig.ingest(signedWebhookEvent(ticketBody(`T-${randomUUID()}`, 1024)));
      if (response.statusCode !== 202) throw new Error(`ingest answered ${response.statusCode}`);
    }
    let delivered = 0;
    while (delivered < EVENTS) {
      const records = await deliverOnce(rig);
      if (records.length === 0) break;
      delivered += records.length;
    }
    if (delivered !== EVENTS) throw new Error(`delivered ${delivered} of ${EVENTS}`);
    const fresh = new Map(rig.counts);
    const stats = { ...rig.ledger.stats };

    progress(`ledger cost: the same ${EVENTS} events delivered again (duplicates)`);
    rig.counts.clear();
    const before = { ...rig.ledger.stats };
    // Re-deliver the stored events (same ids) as a redelivery by SQS would.
    const ids = [...new Set(rig.simpli.requests.map((r) => (r.body as { ticket_id?: string } | undefined)?.ticket_id).filter((id) => id !== undefined))];
    const records = ids.slice(0, EVENTS).map((id) => sqsRecord(queuedTicket(id, 1024), 2));
    await rig.process({ Records: records });
    const dup = {
      writes: rig.ledger.stats.writes - before.writes,
      reads: rig.ledger.stats.reads - before.reads,
      conditionalFailures: rig.ledger.stats.conditionalFailures - before.conditionalFailures,
    };
    const dupEvents = records.length;

    // What DynamoDB itself does: the refused conditional write returns the item.
    const refusing = refusingClient();
    const awsLedger = createLedger(refusing.client, 'Ledger');
    const claim = await awsLedger.claim({
      eventId: 'generic:ticket.created:T-1',
      provider: 'generic',
      eventType: 'ticket.created',
      ticketId: 'T-1',
      receivedAt: new Date().toISOString(),
      owner: 'bench',
      nowMs: Date.now(),
      leaseSeconds: 120,
      ttlSeconds: 86_400,
    });
    if (claim.kind !== 'duplicate') throw new Error(`a done item claimed again should be a duplicate, got ${claim.kind}`);

    const per = (n: number) => n / EVENTS;
    const writes = sum(fresh, 'dynamodb', ['UpdateItemCommand', 'PutItemCommand', 'DeleteItemCommand']);
    const reads = sum(fresh, 'dynamodb', ['GetItemCommand', 'QueryCommand']);
    const row = (metric: string, measured: number, extra: Partial<BenchRow> = {}): BenchRow => ({ figure: '6 ledger cost', metric, unit: 'req/event', measured, ...extra });
    const rows: BenchRow[] = [
      row(`DynamoDB writes per new event (${STEPS} steps checkpointed)`, per(writes), { baseline: STEPS + 2, ratio: per(writes) / (STEPS + 2), target: `≤ ${STEPS} + 2`, pass: per(writes) <= STEPS + 2 }),
      row('DynamoDB reads per new event', per(reads), { target: '0', pass: reads === 0 }),
      row('DynamoDB conditional failures per new event', per(stats.conditionalFailures)),
      row('DynamoDB writes per duplicate delivery', dup.writes / dupEvents, { target: '≤ 1', pass: dup.writes / dupEvents <= 1 }),
      row('DynamoDB reads per duplicate, DynamoDB semantics (refused write returns the item)', refusing.sent.filter((c) => c === 'GetItemCommand').length, {
        target: '0',
        pass: !refusing.sent.includes('GetItemCommand'),
      }),
      row('DynamoDB reads per duplicate on dynalite (ignores ReturnValuesOnConditionCheckFailure)', dup.reads / dupEvents),
      row('SQS requests per event, IngestFunction (SendMessageBatch)', per(sum(fresh, 'ingestSqs'))),
      row('SQS requests per event, ProcessFunction (DLQ only on failure)', per(sum(fresh, 'processSqs'))),
      row(`SQS requests per event, event source (receive + delete, batches of ≤ 10)`, per(sum(fresh, 'eventSource'))),
    ];
    return {
      figure: '6 ledger cost',
      rows,
      notes: [
        `${EVENTS} generic ticket.created webhooks, DRAFT_REPLIES=true; counts per client and command by SDK middleware; ledger.stats agrees: ${JSON.stringify(stats)}`,
        'the event source is Lambda-managed, but its ReceiveMessage/DeleteMessageBatch requests are billed to the account; with a long-polling event source, empty receives add to it',
      ],
      details: { fresh: Object.fromEntries(fresh), duplicate: dup, awsStubRequests: refusing.sent },
    };
  } finally {
    await rig.stop();
  }
}

if (isMain(import.meta.url)) await figureMain(ledgerCost);
