import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PurgeQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDeadLetter } from '../../lib/dead-letter.ts';
import { encodeQueuedEvent } from '../../lib/queue-message.ts';
import { formatReport, redrive, resolveTargets } from '../../infra/redrive.ts';
import { defaultSimpli, startHarness, type Harness } from '../support/bridge-harness.ts';
import { eventIdOfMessage, genericEventId, readAll, signGeneric, ticketBody } from '../support/fault-kit.ts';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../infra/redrive.ts', import.meta.url));

describe('npm run redrive (against fauxqs + dynalite)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ maxReceiveCount: 2 });
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(async () => {
    h.simpli.respond(defaultSimpli);
    h.helpdesk.respond(() => ({ status: 200, json: {} }));
    // Each test starts with both queues empty.
    await h.sqs.send(new PurgeQueueCommand({ QueueUrl: h.queueUrl }));
    await h.sqs.send(new PurgeQueueCommand({ QueueUrl: h.deadLetterQueueUrl }));
    h.simpli.requests.length = 0;
    h.helpdesk.requests.length = 0;
  });

  const targets = () => ({ queueUrl: h.queueUrl, deadLetterQueueUrl: h.deadLetterQueueUrl });

  /** classify 422 (sentiment done); R-2: helpdesk 404 (all steps done). */
  async function parkTwo(prefix: string) {
    h.simpli.respond((r) => ((r.body as { metadata?: { ticket?: string } }).metadata?.ticket === `${prefix}-1` && r.path === '/classify' ? { status: 422, json: {} } : defaultSimpli(r)));
    h.helpdesk.respond((r) => (r.path.endsWith(`${prefix}-2`) ? { status: 404, json: {} } : { status: 200, json: {} }));
    for (const id of [`${prefix}-1`, `${prefix}-2`]) {
      const body = ticketBody(id);
      expect((await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': signGeneric(body) })).statusCode).toBe(202);
    }
    await h.drain();
    expect((await readAll(h.sqs, h.deadLetterQueueUrl)).map(eventIdOfMessage).sort()).toEqual([genericEventId(`${prefix}-1`), genericEventId(`${prefix}-2`)]);
    h.simpli.respond(defaultSimpli);
    h.helpdesk.respond(() => ({ status: 200, json: {} }));
    h.simpli.requests.length = 0;
    h.helpdesk.requests.length = 0;
  }

  it('--dry-run lists every parked event with reason and step, and moves nothing', async () => {
    await parkTwo('A');
    const report = await redrive(h.sqs, { ...targets(), dryRun: true });

    expect(report).toMatchObject({ scanned: 2, moved: 0, dryRun: true });
    expect(report.matched.map((p) => [p.eventId, p.provider, p.reason, p.step]).sort()).toEqual([
      [genericEventId('A-1'), 'generic', 'http_422', 'classify'],
      [genericEventId('A-2'), 'generic', 'http_404', 'write-back:put:classify+route+sentiment'],
    ]);
    expect(formatReport(report)).toContain('would move 2 of 2 parked event(s)');
    // Still parked, and visible at once to the next reader.
    expect(await readAll(h.sqs, h.deadLetterQueueUrl)).toHaveLength(2);
    expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('--event-id moves only that event; the replay reuses finished steps and write-backs (nothing paid twice)', async () => {
    await parkTwo('B');
    const report = await redrive(h.sqs, { ...targets(), filter: { eventIds: [genericEventId('B-1')] } });
    expect(report.moved).toBe(1);
    await h.drain();

    // B-1 had sentiment done before classify's 422: only classify and route run now.
    expect(h.simpli.requests.map((r) => r.path).sort()).toEqual(['/classify', '/route']);
    expect(h.helpdesk.calls('PUT', '/tickets/B-1')).toHaveLength(1);
    expect(await h.ledger.get(genericEventId('B-1'))).toMatchObject({ status: 'done', attempts: 2 });
    expect((await readAll(h.sqs, h.deadLetterQueueUrl)).map(eventIdOfMessage)).toEqual([genericEventId('B-2')]);
  });

  it('--reason and --provider select by the DLQ attributes; a reason-less message (moved by SQS itself) is max_receive_count', async () => {
    await parkTwo('C');
    const zendesk = { provider: 'zendesk' as const, eventType: 'ticket.created' as const, eventId: 'zendesk:ticket.created:9', ticketId: '9', payload: {}, receivedAt: new Date().toISOString(), requestId: 'r' };
    await createDeadLetter(h.sqs, h.deadLetterQueueUrl)({ body: encodeQueuedEvent(zendesk), eventId: zendesk.eventId, provider: 'zendesk', error: { reason: 'http_503', step: 'sentiment', message: 'x', at: new Date().toISOString() } });
    await h.sqs.send(new SendMessageCommand({ QueueUrl: h.deadLetterQueueUrl, MessageBody: encodeQueuedEvent({ ...zendesk, eventId: 'zendesk:ticket.created:10', ticketId: '10' }) }));

    const byReason = await redrive(h.sqs, { ...targets(), dryRun: true, filter: { reasons: ['http_404', 'max_receive_count'] } });
    expect(byReason.matched.map((p) => p.eventId).sort()).toEqual([genericEventId('C-2'), 'zendesk:ticket.created:10']);
    const byProvider = await redrive(h.sqs, { ...targets(), dryRun: true, filter: { providers: ['zendesk'] } });
    expect(byProvider.matched.map((p) => p.eventId).sort()).toEqual(['zendesk:ticket.created:10', 'zendesk:ticket.created:9']);
    const both = await redrive(h.sqs, { ...targets(), filter: { providers: ['generic'], reasons: ['http_422'] } });
    expect(both.matched.map((p) => p.eventId)).toEqual([genericEventId('C-1')]);
    expect(both.moved).toBe(1);
    expect(await readAll(h.sqs, h.deadLetterQueueUrl)).toHaveLength(3);
  });

  it('--force runs every step again (Ledger reset) and writes back again', async () => {
    await parkTwo('D');
    const report = await redrive(h.sqs, { ...targets(), force: true, filter: { eventIds: [genericEventId('D-2')] } });
    expect(report.moved).toBe(1);
    await h.drain();

    expect(h.simpli.requests.map((r) => r.path).sort()).toEqual(['/analyze', '/classify', '/route']);
    expect(h.helpdesk.calls('PUT', '/tickets/D-2')).toHaveLength(1);
    expect(await h.ledger.get(genericEventId('D-2'))).toMatchObject({ status: 'done', pushed: ['put:classify+route+sentiment', 'noted:classify', 'noted:route', 'noted:sentiment'] });
  });

  it('the CLI lists with --dry-run and moves with filters, given the local endpoints', async () => {
    await parkTwo('E');
    const args = ['--no-warnings', SCRIPT, '--sqs-endpoint', h.emulators.sqsEndpoint, '--queue-url', h.queueUrl, '--dlq-url', h.deadLetterQueueUrl];
    const env = { ...process.env, AWS_REGION: 'us-east-1', QUEUE_URL: '', DEAD_LETTER_QUEUE_URL: '' };
    const dry = await run(process.execPath, [...args, '--dry-run'], { env });
    expect(dry.stdout).toContain('would move 2 of 2 parked event(s)');
    expect(dry.stdout).toContain(`${genericEventId('E-1')}  provider=generic  reason=http_422  step=classify`);
    const moved = await run(process.execPath, [...args, '--reason', 'http_404'], { env });
    expect(moved.stdout).toContain('moved 1 of 2 parked event(s) (finished steps are reused)');
    await h.drain();
    expect(h.simpli.requests).toHaveLength(0);
    expect(h.helpdesk.calls('PUT', '/tickets/E-2')).toHaveLength(1);
  });

  it('resolves the queues from flags, the environment, or the stack outputs', () => {
    const outputs = () => ({ TicketQueueUrl: 'https://sqs/q', DeadLetterQueueUrl: 'https://sqs/dlq' });
    expect(resolveTargets({ stack: 'bridge' }, {}, outputs)).toMatchObject({ queueUrl: 'https://sqs/q', deadLetterQueueUrl: 'https://sqs/dlq' });
    expect(resolveTargets({ 'queue-url': 'a', 'dlq-url': 'b' }, { STACK_NAME: 'x' }, () => { throw new Error('not called'); })).toMatchObject({ queueUrl: 'a', deadLetterQueueUrl: 'b' });
    expect(resolveTargets({}, { QUEUE_URL: 'q', DEAD_LETTER_QUEUE_URL: 'd', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:1' })).toMatchObject({ endpoint: 'http://127.0.0.1:1' });
    expect(() => resolveTargets({}, {})).toThrow(/--queue-url and --dlq-url/);
  });
});
