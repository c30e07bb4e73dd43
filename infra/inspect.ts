/**
 * `npm run inspect -- <event id or ticket id>` — an event's Ledger record, readably: status,
 * attempts, lease, every finished step with its result and time, the write-backs made, the last
 * error, timings. An event id (`zendesk:ticket.created:123`) is one GetItem; anything else is taken
 * as a ticket id and found with a filtered Scan (an ops tool: the Ledger has no ticket index).
 *
 *   npm run inspect -- <id> [--json] [--table NAME | --stack NAME] [--dynamodb-endpoint URL] [--region R]
 *     table from --table, LEDGER_TABLE, or the stack's LedgerTableName output (AWS CLI)
 */
import { withLocalStackEnv } from './local-stack-file.ts';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { createLedger, type LedgerRecord, type TicketStateRecord } from '../lib/ledger.ts';
import { FIELD_GROUPS, isKnownResolved } from '../lib/ordering.ts';
import { PROVIDER_NAMES, type ProviderName } from '../lib/providers/types.ts';

/** `provider:…` is an event id (lib/ingest.ts builds them so); anything else a ticket id. */
export function isEventId(id: string): boolean {
  // A connector's ids (issue #12) are `<name>:<event type>:…`.
  return (PROVIDER_NAMES as readonly string[]).some((p) => id.startsWith(`${p}:`)) || /^[a-z0-9-]+:(ticket\.created|message\.created|ticket\.resolved):/.test(id);
}

/** Records for an event id, or every event of a ticket (oldest first). */
export async function findRecords(client: DynamoDBClient, tableName: string, id: string): Promise<LedgerRecord[]> {
  const ledger = createLedger(client, tableName);
  if (isEventId(id)) {
    const record = await ledger.get(id);
    return record === undefined ? [] : [record];
  }
  const eventIds: string[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'ticketId = :ticket',
        ExpressionAttributeValues: { ':ticket': { S: id } },
        ProjectionExpression: 'eventId',
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      }),
    );
    for (const item of out.Items ?? []) if (item.eventId?.S !== undefined) eventIds.push(item.eventId.S);
    start = out.LastEvaluatedKey;
  } while (start !== undefined);
  const records = await Promise.all(eventIds.map((eventId) => ledger.get(eventId)));
  return records.filter((r): r is LedgerRecord => r !== undefined).sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? ''));
}

/** A record as an operator reads it. `nowMs` says whether a lease is still held. */
export function formatRecord(record: LedgerRecord, nowMs: number = Date.now()): string {
  const lines: string[] = [];
  lines.push(`${record.eventId}`);
  lines.push(`  status      ${record.status}${record.status === 'failed' ? ` (parked in the DeadLetterQueue: npm run redrive -- --event-id ${record.eventId})` : ''}`);
  lines.push(`  provider    ${record.provider}   event ${record.eventType}   ticket ${record.ticketId}`);
  lines.push(`  attempts    ${record.attempts}`);
  if (record.identityOnly === true) {
    lines.push('  kept        for good, without TTL: nothing signed bounds a replay of this event (README, "Replays."); step results dropped at finish');
  }
  if (record.leaseUntilMs > nowMs) {
    lines.push(`  lease       held by ${record.leaseOwner ?? '?'} until ${new Date(record.leaseUntilMs).toISOString()} (${Math.ceil((record.leaseUntilMs - nowMs) / 1000)} s left)`);
  } else if (record.status !== 'done') {
    lines.push('  lease       free: the next delivery claims it at once');
  }
  // A record kept for good has step times without results (lib/ledger.ts, FINISH_FOREVER_REMOVE).
  const names = [...new Set([...Object.keys(record.steps), ...Object.keys(record.stepTimes)])];
  lines.push(`  steps done  ${names.length === 0 ? '(none)' : ''}`);
  for (const name of names) {
    const result = (record.steps as Readonly<Record<string, unknown>>)[name];
    lines.push(`    ${name.padEnd(10)} at ${record.stepTimes[name] ?? '?'}  ${result === undefined ? '(result dropped)' : JSON.stringify(result)}`);
  }
  lines.push(`  write-backs ${record.pushed.length === 0 ? '(none)' : record.pushed.join(', ')}`);
  if (record.lastError !== undefined) {
    const e = record.lastError;
    lines.push(`  last error  ${e.reason}${e.step === undefined ? '' : ` in ${e.step}`} at ${e.at}`);
    lines.push(`              ${e.message}`);
  }
  lines.push(`  received    ${record.receivedAt ?? '-'}`);
  lines.push(`  first claim ${record.createdAt ?? '-'}`);
  lines.push(`  updated     ${record.updatedAt ?? '-'}`);
  if (record.completedAt !== undefined) {
    const took = record.receivedAt === undefined ? undefined : Date.parse(record.completedAt) - Date.parse(record.receivedAt);
    lines.push(`  completed   ${record.completedAt}${took === undefined || Number.isNaN(took) ? '' : ` (${took} ms after it was received)`}`);
  }
  return lines.join('\n');
}

/** A ticket's ordering state (README, "Ordering"): which event last wrote each group of fields. */
export function formatTicketState(provider: string, ticketId: string, state: TicketStateRecord, nowMs: number = Date.now()): string {
  const lines = [`ticket ${provider} ${ticketId} (ordering)`];
  for (const group of FIELD_GROUPS) {
    const mark = state.marks[group];
    lines.push(`  ${group.padEnd(10)}${mark === undefined ? 'not written' : `written from ${mark.eventId} (helpdesk time ${new Date(mark.atMs).toISOString()})`}`);
  }
  const { resolved } = state;
  lines.push(`  resolved  ${resolved === undefined ? 'no resolution processed' : `${resolved.eventId} at ${new Date(resolved.atMs).toISOString()}${isKnownResolved(state) ? '' : ' (reopened since)'}`}`);
  if (state.lockOwner !== undefined && state.lockUntilMs > nowMs) {
    lines.push(`  lock      held by ${state.lockOwner} until ${new Date(state.lockUntilMs).toISOString()}`);
  }
  return lines.join('\n');
}

export function resolveTable(
  values: { table?: string | undefined; stack?: string | undefined },
  env: Readonly<Record<string, string | undefined>>,
  stackOutputs: (stack: string) => Record<string, string> = awsCliStackOutputs,
): string {
  const stack = values.stack ?? env.STACK_NAME;
  const table = values.table ?? env.LEDGER_TABLE ?? (stack === undefined ? undefined : stackOutputs(stack).LedgerTableName);
  if (table === undefined) throw new Error('say which Ledger: --table NAME (or LEDGER_TABLE), or --stack NAME (or STACK_NAME)');
  return table;
}

function awsCliStackOutputs(stack: string): Record<string, string> {
  const json = execFileSync('aws', ['cloudformation', 'describe-stacks', '--stack-name', stack, '--query', 'Stacks[0].Outputs', '--output', 'json'], { encoding: 'utf8' });
  const outputs = JSON.parse(json) as { OutputKey: string; OutputValue: string }[] | null;
  return Object.fromEntries((outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
}

async function main(argv: readonly string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      table: { type: 'string' },
      stack: { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const id = positionals[0];
  if (values.help === true || id === undefined) {
    console.log('npm run inspect -- <event id or ticket id> [--json] [--table NAME | --stack NAME] [--dynamodb-endpoint URL] [--region R]');
    if (id === undefined && values.help !== true) process.exitCode = 2;
    return;
  }
  const env = withLocalStackEnv(process.env, values.stack);
  const endpoint = values['dynamodb-endpoint'] ?? env.AWS_ENDPOINT_URL_DYNAMODB;
  const local = endpoint !== undefined && /^http:\/\/(127\.0\.0\.1|localhost)/.test(endpoint);
  const region = values.region ?? env.AWS_REGION ?? (local ? 'us-east-1' : undefined);
  const client = new DynamoDBClient({
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region === undefined ? {} : { region }),
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  try {
    const records = await findRecords(client, resolveTable(values, env), id);
    if (values.json === true) console.log(JSON.stringify(records, null, 2));
    else if (records.length === 0) {
      console.log(`no Ledger record for ${isEventId(id) ? 'event' : 'ticket'} ${id}`);
      process.exitCode = 1;
    } else {
      const ledger = createLedger(client, resolveTable(values, env));
      const providers = isEventId(id) ? [] : [...new Set(records.map((r) => r.provider))];
      const states = await Promise.all(providers.map(async (p) => ({ p, state: await ledger.tickets?.get(p as ProviderName, id) })));
      const ticketLines = states.flatMap(({ p, state }) => (state === undefined ? [] : [formatTicketState(p, id, state)]));
      console.log([...records.map((r) => formatRecord(r)), ...ticketLines].join('\n\n'));
    }
  } finally {
    client.destroy();
  }
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`inspect: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
