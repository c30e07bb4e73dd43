import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRecords, formatRecord, isEventId, resolveTable } from '../../infra/inspect.ts';
import { defaultSimpli, startHarness, type Harness } from '../support/bridge-harness.ts';
import { genericEventId, signGeneric, ticketBody } from '../support/fault-kit.ts';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../infra/inspect.ts', import.meta.url));

describe('npm run inspect (against dynalite)', () => {
  let h: Harness;
  let dynamodb: DynamoDBClient;
  beforeAll(async () => {
    h = await startHarness({ maxReceiveCount: 2 });
    dynamodb = new DynamoDBClient({ ...h.emulators.clientConfig, endpoint: h.emulators.dynamodbEndpoint });
    // I-1 done; I-2 failed: Sentiment down on both deliveries, triage written back.
    h.simpli.respond((r) => (r.path === '/analyze' && (r.body as { customer_id?: string }).customer_id === 'C-I-2' ? { status: 503, json: {} } : defaultSimpli(r)));
    for (const id of ['I-1', 'I-2']) {
      const body = ticketBody(id);
      await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': signGeneric(body) });
    }
    const message = JSON.stringify({ ticket_id: 'I-1', event: 'message.created', message: { id: 'm-7', body: 'still broken' }, customer_id: 'C-I-1' });
    await h.post('/webhooks/generic', message, { 'x-webhook-signature': signGeneric(message) });
    await h.drain();
  });
  afterAll(async () => {
    dynamodb?.destroy();
    await h?.stop();
  });

  it('finds one record by event id and every event of a ticket by ticket id', async () => {
    expect(isEventId(genericEventId('I-1'))).toBe(true);
    expect(isEventId('I-1')).toBe(false);
    expect((await findRecords(dynamodb, h.tableName, genericEventId('I-1'))).map((r) => r.eventId)).toEqual([genericEventId('I-1')]);
    expect((await findRecords(dynamodb, h.tableName, 'I-1')).map((r) => r.eventId).sort()).toEqual(['generic:message.created:I-1:m-7', genericEventId('I-1')]);
    expect(await findRecords(dynamodb, h.tableName, 'nope')).toEqual([]);
  });

  it('shows status, attempts, steps with results and times, write-backs, the last error and timings', async () => {
    const [failed] = await findRecords(dynamodb, h.tableName, genericEventId('I-2'));
    if (failed === undefined) throw new Error('no record');
    const text = formatRecord(failed);
    expect(text).toContain('status      failed (parked in the DeadLetterQueue: npm run redrive -- --event-id generic:ticket.created:I-2)');
    expect(text).toContain('attempts    2');
    expect(text).toMatch(/ {4}classify {3}at \d{4}-\d\d-\d\dT[\d:.]+Z {2}\{"category":"billing"/);
    expect(text).toMatch(/ {4}route {6}at .*"team":"billing-team"/);
    expect(text).not.toMatch(/^ {4}sentiment /m);
    expect(text).toContain('write-backs put:classify+route');
    expect(text).toContain('last error  http_503 in sentiment at');
    expect(text).toContain('(missing: sentiment)');
    expect(text).toContain('lease       free');

    const [done] = await findRecords(dynamodb, h.tableName, genericEventId('I-1'));
    if (done === undefined) throw new Error('no record');
    expect(formatRecord(done)).toMatch(/completed {3}\S+ \(\d+ ms after it was received\)/);
    expect(formatRecord(done)).toContain('kept        for good, without TTL');
    expect(formatRecord(done)).toMatch(/ {4}classify {3}at \d{4}-\d\d-\d\dT[\d:.]+Z {2}\(result dropped\)/);
    expect(formatRecord({ ...done, status: 'processing', leaseOwner: 'm:1:x', leaseUntilMs: Date.now() + 30_000 })).toMatch(/lease {7}held by m:1:x until .* \(30 s left\)/);
  });

  it('the CLI prints the record given the local endpoint and table, and exits 1 when there is none', async () => {
    const env = { ...process.env, AWS_REGION: 'us-east-1', LEDGER_TABLE: '' };
    const args = ['--no-warnings', SCRIPT, '--dynamodb-endpoint', h.emulators.dynamodbEndpoint, '--table', h.tableName];
    const out = await run(process.execPath, [...args, 'I-2'], { env });
    expect(out.stdout).toContain('generic:ticket.created:I-2');
    expect(out.stdout).toContain('last error  http_503 in sentiment');
    const json = await run(process.execPath, [...args, genericEventId('I-1'), '--json'], { env });
    // I-1 came with the guide's HMAC (no signed time): kept for good, its results dropped at finish.
    expect(JSON.parse(json.stdout)[0]).toMatchObject({ status: 'done', identityOnly: true, steps: {}, stepTimes: { classify: expect.any(String) } });
    await expect(run(process.execPath, [...args, 'missing-ticket'], { env })).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining('no Ledger record for ticket missing-ticket') });
  });

  it('takes the table from --table, LEDGER_TABLE or the stack outputs', () => {
    expect(resolveTable({ table: 't' }, { LEDGER_TABLE: 'x' })).toBe('t');
    expect(resolveTable({}, { LEDGER_TABLE: 'x' })).toBe('x');
    expect(resolveTable({ stack: 's' }, {}, () => ({ LedgerTableName: 'from-stack' }))).toBe('from-stack');
    expect(() => resolveTable({}, {})).toThrow(/--table NAME/);
  });
});
