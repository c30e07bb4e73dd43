/**
 * Figure 6 — Ledger cost: the AWS requests each processed event pays for, per event type
 * (`ticket.created`, `message.created`, `ticket.resolved`), counted per client and command by SDK
 * middleware (and cross-checked against `ledger.stats`), with the write units the emulator reports.
 * Webhooks go through the real ingest handler into fauxqs; the event source is played as Lambda
 * plays it (ReceiveMessage of up to 10, the handler, DeleteMessageBatch of the successes).
 *
 * Target: DynamoDB writes ≤ 2 + 2 per event of any type — claim and finish (which carries the step
 * results: README, "The Ledger"), and the ticket's lock and marks (lib/ordering.ts) — and no read
 * when a conditional write can answer. Baseline: the design with one checkpoint write per step,
 * steps + 4 (created with a draft: 8; message with a draft: 6; resolved: 5).
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { createLedger, type LedgerStats } from '../../lib/ledger.ts';
import { toRecord } from '../../test/support/bridge-harness.ts';
import { figureMain, isMain, progress, type BenchRow, type FigureResult } from './common.ts';
import { signedWebhookEvent, sqsRecord, ticketBody, queuedTicket } from './fixtures.ts';
import { startProcessRig, ZERO_LATENCIES, type ProcessRig } from './process-rig.ts';

const EVENTS = 10;

/** Each event type's generic webhook body and the Simpli steps it runs with DRAFT_REPLIES=true (lib/steps.ts). */
const EVENT_TYPES = {
  'ticket.created': { steps: 4, body: (ticketId: string) => ticketBody(ticketId, 1024) },
  'message.created': {
    steps: 2,
    body: (ticketId: string) =>
      Buffer.from(
        JSON.stringify({
          event: 'message.created',
          ticket_id: ticketId,
          customer_id: 'C-42',
          message: { id: `m-${ticketId}`, body: 'Any news on the refund of the second charge?' },
          messages: [
            { role: 'customer', content: 'I was charged twice for my subscription this month.' },
            { role: 'customer', content: 'Any news on the refund of the second charge?' },
          ],
        }),
      ),
  },
  'ticket.resolved': {
    steps: 1,
    body: (ticketId: string) =>
      Buffer.from(
        JSON.stringify({
          event: 'ticket.resolved',
          ticket_id: ticketId,
          agent_id: 'A-012',
          messages: [
            { role: 'customer', content: 'I was charged twice for my subscription this month.' },
            { role: 'agent', content: 'Sorry about that: the second charge is refunded, you will see it in 3–5 days.' },
          ],
        }),
      ),
  },
} as const;
type BenchEventType = keyof typeof EVENT_TYPES;

/** Writes of the design this replaced: claim, one checkpoint per step, finish, lock, marks. */
const checkpointDesignWrites = (steps: number) => steps + 4;
const TARGET_WRITES = 4;

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

/** Sends `EVENTS` webhooks of one type through ingest and the event source; the AWS requests and write units they cost. */
async function measureType(rig: ProcessRig, eventType: BenchEventType): Promise<{ counts: Map<string, number>; writeUnits: number; stats: LedgerStats }> {
  progress(`ledger cost: ${EVENTS} new ${eventType} webhooks through ingest → fauxqs → the event source → ProcessFunction`);
  rig.counts.clear();
  const unitsBefore = rig.capacity.write;
  const statsBefore = { ...rig.ledger.stats };
  for (let i = 0; i < EVENTS; i++) {
    const response = await rig.ingest(signedWebhookEvent(EVENT_TYPES[eventType].body(`T-${randomUUID()}`)));
    if (response.statusCode !== 202) throw new Error(`ingest answered ${response.statusCode} to a ${eventType}`);
  }
  let delivered = 0;
  while (delivered < EVENTS) {
    const records = await deliverOnce(rig);
    if (records.length === 0) break;
    delivered += records.length;
  }
  if (delivered !== EVENTS) throw new Error(`delivered ${delivered} of ${EVENTS} ${eventType} events`);
  const stats = {
    reads: rig.ledger.stats.reads - statsBefore.reads,
    writes: rig.ledger.stats.writes - statsBefore.writes,
    conditionalFailures: rig.ledger.stats.conditionalFailures - statsBefore.conditionalFailures,
  };
  return { counts: new Map(rig.counts), writeUnits: rig.capacity.write - unitsBefore, stats };
}

export async function ledgerCost(): Promise<FigureResult> {
  const rig = await startProcessRig(ZERO_LATENCIES);
  try {
    const measured = new Map<BenchEventType, Awaited<ReturnType<typeof measureType>>>();
    for (const eventType of Object.keys(EVENT_TYPES) as BenchEventType[]) measured.set(eventType, await measureType(rig, eventType));
    const fresh = measured.get('ticket.created')?.counts ?? new Map<string, number>();
    const simpliPaths = new Set(rig.simpli.requests.map((r) => r.path));
    for (const path of ['/classify', '/route', '/analyze', '/api/v1/draft', '/evaluate']) {
      if (!simpliPaths.has(path)) throw new Error(`expected every Simpli step to run, ${path} never did`);
    }

    progress(`ledger cost: the same ${EVENTS} ticket.created events delivered again (duplicates)`);
    rig.counts.clear();
    const before = { ...rig.ledger.stats };
    // Re-deliver the stored events (same ids) as a redelivery by SQS would.
    const ids = [...new Set(rig.simpli.requests.filter((r) => r.path === '/route').map((r) => (r.body as { ticket_id?: string } | undefined)?.ticket_id).filter((id) => id !== undefined))];
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
    const row = (metric: string, measuredValue: number, extra: Partial<BenchRow> = {}): BenchRow => ({ figure: '6 ledger cost', metric, unit: 'req/event', measured: measuredValue, ...extra });
    const typeRows = [...measured].flatMap(([eventType, m]): BenchRow[] => {
      const writes = per(sum(m.counts, 'dynamodb', ['UpdateItemCommand', 'PutItemCommand', 'DeleteItemCommand']));
      const reads = per(sum(m.counts, 'dynamodb', ['GetItemCommand', 'QueryCommand']));
      const baseline = checkpointDesignWrites(EVENT_TYPES[eventType].steps);
      return [
        row(`DynamoDB writes per new ${eventType} (${EVENT_TYPES[eventType].steps} steps; baseline: a checkpoint per step)`, writes, {
          baseline,
          ratio: writes / baseline,
          target: `≤ 2 + 2`,
          pass: writes <= TARGET_WRITES,
        }),
        row(`DynamoDB write units per new ${eventType} (emulator's ConsumedCapacity)`, per(m.writeUnits), { unit: 'WCU/event' }),
        row(`DynamoDB reads per new ${eventType}`, reads, { target: '0', pass: reads === 0 }),
      ];
    });
    const created = measured.get('ticket.created');
    const rows: BenchRow[] = [
      ...typeRows,
      row('DynamoDB conditional failures per new event', per([...measured.values()].reduce((n, m) => n + m.stats.conditionalFailures, 0)) / measured.size),
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
        `${EVENTS} generic webhooks of each type, DRAFT_REPLIES=true, each on a new ticket; counts per client and command by SDK middleware; ledger.stats agrees (ticket.created): ${JSON.stringify(created?.stats)}`,
        'per event that writes back: claim + finish (carrying the step results) + the ticket lock and its marks; a step is written on its own only before a retry wait, after 5 s unwritten, near the deadline or the lease end (none of which happens here)',
        'the event source is Lambda-managed, but its ReceiveMessage/DeleteMessageBatch requests are billed to the account; with a long-polling event source, empty receives add to it',
      ],
      details: { byType: Object.fromEntries([...measured].map(([t, m]) => [t, { requests: Object.fromEntries(m.counts), writeUnits: m.writeUnits, stats: m.stats }])), duplicate: dup, awsStubRequests: refusing.sent },
    };
  } finally {
    await rig.stop();
  }
}

if (isMain(import.meta.url)) await figureMain(ledgerCost);
