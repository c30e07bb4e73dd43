import { Logger } from '@aws-lambda-powertools/logger';
import { SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../functions/ingest/app.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../../lib/config.ts';
import { createEnqueue } from '../../lib/enqueue.ts';
import { providers } from '../../lib/providers/registry.ts';
import { endpointEvent, DEFAULT_SECRET, startHarness, type Harness } from '../support/bridge-harness.ts';
import { createConsumer, createRecorder, genericEventId, readAll, runPollers, signGeneric } from '../support/fault-kit.ts';

const SUBJECT = 'Zebra-subject-7731 cannot log in';
const BODY = 'Quokka-body-5512: my card 4242 4242 4242 4242 was charged twice';
const MESSAGE = 'Narwhal-message-9034 please call me back';
const HELPDESK_TOKEN = 'helpdesk-token';

describe('abuse: logs of a full run carry no secret, token, signature or customer text', () => {
  let h: Harness;
  const recorder = createRecorder({ timeoutMs: 2_000 });
  beforeAll(async () => {
    h = await startHarness({ simpli: recorder.simpli, helpdesk: recorder.helpdesk, maxReceiveCount: 2 });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('at DEBUG level, through accepted, rejected, retried, dead-lettered and done events', async () => {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const writeErr = process.stderr.write.bind(process.stderr);
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    const signatures: string[] = [];
    try {
      const logger = new Logger({ serviceName: 'bridge', logLevel: 'DEBUG' });
      const ingest = createIngestHandler({
        providers,
        secretsFor: async () => [DEFAULT_SECRET],
        settingsFor: async () => ({}),
        enqueue: createEnqueue(h.sqs, h.queueUrl),
        maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
        publicBaseUrl: undefined,
        now: Date.now,
        logger,
      });
      const post = async (path: string, body: string, headers: Record<string, string>) => (await ingest(endpointEvent(path, '', Buffer.from(body), headers))).statusCode;
      recorder.misbehaveSimpli(({ service, ticketId, nth }) =>
        service === 'classify' && ticketId === 'L-2' ? { status: 422, json: { detail: BODY } } : service === 'sentiment' && ticketId === 'L-1' && nth === 1 ? { status: 503, json: {} } : undefined,
      );
      recorder.misbehaveHelpdesk(({ nth, ticketId }) => (ticketId === 'L-3' && nth === 1 ? { status: 429, json: {}, headers: { 'retry-after': '0' } } : undefined));
      for (const id of ['L-1', 'L-2', 'L-3']) {
        const body = JSON.stringify({ ticket_id: id, subject: SUBJECT, body: BODY, customer_id: `C-${id}`, metadata: { ticket: id } });
        const signature = signGeneric(body);
        signatures.push(signature);
        expect(await post('/webhook/ticket-created', body, { 'x-webhook-signature': signature })).toBe(202);
      }
      const message = JSON.stringify({ event: 'message.created', ticket_id: 'L-1', message: { id: 'm-1', body: MESSAGE }, customer_id: 'C-L-1' });
      signatures.push(signGeneric(message));
      expect(await post('/webhooks/generic', message, { 'x-webhook-signature': signGeneric(message) })).toBe(202);
      // Rejections: wrong secret, garbage body, unknown route.
      const forged = signGeneric(message, 'attacker-secret');
      signatures.push(forged);
      expect(await post('/webhooks/generic', message, { 'x-webhook-signature': forged })).toBe(401);
      const garbage = `{"subject": "${SUBJECT}", `;
      expect(await post('/webhooks/generic', garbage, { 'x-webhook-signature': signGeneric(garbage) })).toBe(400);
      await runPollers(h, createConsumer(h, { maxReceiveCount: 2, logger, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 } }));
    } finally {
      process.stdout.write = write;
      process.stderr.write = writeErr;
    }
    const output = lines.join('');
    const forbidden = [DEFAULT_SECRET, 'attacker-secret', HELPDESK_TOKEN, 'simpli-key', ...signatures, 'Zebra-subject', 'Quokka-body', 'Narwhal-message', '4242 4242'];
    const leaks = forbidden.filter((needle) => output.includes(needle));
    console.log(`[abuse] logs: ${lines.length} log lines captured at DEBUG, ${forbidden.length} forbidden strings, leaks: ${JSON.stringify(leaks)}`);
    expect(lines.length).toBeGreaterThan(20);
    // The run covered what it claims to: a dead letter, a retry, a 401.
    expect(output).toContain('"dead-lettered"');
    expect(output).toContain('"status":401');
    expect(output).toContain(genericEventId('L-1'));
    expect(leaks).toEqual([]);
    expect((await readAll(h.sqs, h.deadLetterQueueUrl)).length).toBe(1);
  });
});

describe('abuse: body size limit (MAX_BODY_BYTES, default 240 KiB)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ maxReceiveCount: 2 });
    // Hold the queue to the classic 256 KiB message limit: what the limit is documented against.
    await h.sqs.send(new SetQueueAttributesCommand({ QueueUrl: h.queueUrl, Attributes: { MaximumMessageSize: String(256 * 1024) } }));
  });
  afterAll(async () => {
    await h?.stop();
  });

  function bodyOf(bytes: number, extra: Record<string, unknown> = {}): string {
    const base = JSON.stringify({ ticket_id: 'B-1', subject: 'big', body: '', customer_id: 'C-1', ...extra });
    const body = JSON.stringify({ ticket_id: 'B-1', subject: 'big', body: 'x'.repeat(bytes - Buffer.byteLength(base)), customer_id: 'C-1', ...extra });
    expect(Buffer.byteLength(body)).toBe(bytes);
    return body;
  }

  it('accepts and processes a body of exactly the limit, and answers 413 one byte above it', async () => {
    const atLimit = bodyOf(DEFAULT_MAX_BODY_BYTES);
    expect((await h.post('/webhook/ticket-created', atLimit, { 'x-webhook-signature': signGeneric(atLimit) })).statusCode).toBe(202);
    const above = bodyOf(DEFAULT_MAX_BODY_BYTES + 1, { ticket_id: 'B-2' });
    const rejected = await h.post('/webhook/ticket-created', above, { 'x-webhook-signature': signGeneric(above) });
    expect(rejected.statusCode).toBe(413);
    expect(JSON.parse(rejected.body)).toMatchObject({ error: 'payload_too_large' });
    const huge = Buffer.alloc(6 * 1024 * 1024, 0x7b);
    expect((await h.post('/webhook/ticket-created', huge, { 'x-webhook-signature': signGeneric(huge) })).statusCode).toBe(413);
    await h.drain();
    expect(await h.ledger.get(genericEventId('B-1'))).toMatchObject({ status: 'done' });
    expect(h.helpdesk.calls('PUT', '/tickets/B-1')).toHaveLength(1);
    console.log(`[abuse] body size: ${DEFAULT_MAX_BODY_BYTES} bytes → 202 and processed; ${DEFAULT_MAX_BODY_BYTES + 1} → 413; 6 MiB → 413`);
  });

});
