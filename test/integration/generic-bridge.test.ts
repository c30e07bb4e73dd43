import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { createIngestHandler } from '../../functions/ingest/app.ts';
import { createEnqueue } from '../../lib/enqueue.ts';
import { genericProvider } from '../../lib/providers/generic.ts';
import { endpointEvent, defaultSimpli, DEFAULT_SECRET, queuedEventOf, startHarness, type Harness } from '../support/bridge-harness.ts';

const sign = (body: string, secret = DEFAULT_SECRET) => createHmac('sha256', secret).update(body).digest('hex');

function ticket(id: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    ticket_id: id,
    subject: 'Charged twice',
    body: 'I was charged twice for my subscription, please refund.',
    customer_id: 'C-42',
    channel: 'email',
    ...extra,
  });
}

describe('the generic bridge end to end (real fauxqs + dynalite, fake Simpli and helpdesk)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ providers: { generic: genericProvider } });
  });
  afterAll(async () => {
    await h.stop();
  });
  afterEach(() => h.reset());

  it('accepts a signed ticket, calls classify → route and sentiment once, and pushes one update back', async () => {
    const body = ticket('T-1');
    const response = await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': sign(body) });

    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body)).toEqual({ status: 'accepted', eventIds: ['generic:ticket.created:T-1'] });
    await h.drain();

    expect(h.simpli.requests.map((r) => r.path).sort()).toEqual(['/analyze', '/classify', '/route']);
    expect(h.simpli.calls('POST', '/classify')[0]?.body).toEqual({
      subject: 'Charged twice',
      body: 'I was charged twice for my subscription, please refund.',
      metadata: {},
    });
    expect(h.simpli.calls('POST', '/route')[0]?.body).toMatchObject({ ticket_id: 'T-1', category: 'billing', urgency: 'high' });
    expect(h.simpli.calls('POST', '/analyze')[0]?.body).toMatchObject({ customer_id: 'C-42', channel: 'email' });
    expect(h.simpli.requests.every((r) => r.headers['x-api-key'] === 'simpli-key')).toBe(true);

    const puts = h.helpdesk.calls('PUT', '/tickets/T-1');
    expect(puts).toHaveLength(1);
    expect(puts[0]?.headers.authorization).toBe('Bearer helpdesk-token');
    expect(puts[0]?.body).toMatchObject({
      tags: ['billing', 'team-billing-team', 'negative', 'escalation-risk'],
      priority: 'high',
      custom_fields: {
        ai_category: 'billing',
        ai_urgency: 'high',
        ai_confidence: 0.87,
        ai_team: 'billing-team',
        ai_agent: 'A-012',
        ai_sentiment: -0.6,
        ai_escalation_risk: 0.7,
      },
    });
    const record = await h.ledger.get('generic:ticket.created:T-1');
    expect(record?.status).toBe('done');
    // The guide's HMAC signs no time: the done item is kept for good, its step results dropped
    // (README, "Replays."); the step times say which ran.
    expect(record?.identityOnly).toBe(true);
    expect(Object.keys(record?.stepTimes ?? {}).sort()).toEqual(['classify', 'route', 'sentiment']);
  });

  it('processes the same event delivered five times, two of them concurrently, exactly once', async () => {
    const body = ticket('T-2');
    const headers = { 'x-webhook-signature': sign(body) };
    await h.post('/webhooks/generic/ticket-created', body, headers);
    await Promise.all([h.post('/webhooks/generic/ticket-created', body, headers), h.post('/webhook/ticket-created', body, headers)]);
    await h.drain();
    await h.post('/webhook/ticket-created', body, headers);
    await h.post('/webhook/ticket-created', body, headers);
    await h.drain();

    expect(h.simpli.calls('POST', '/classify')).toHaveLength(1);
    expect(h.helpdesk.calls('PUT', '/tickets/T-2')).toHaveLength(1);
  });

  it('rejects a bad signature with 401 and enqueues nothing', async () => {
    const body = ticket('T-3');
    const wrong = await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': sign(body, 'other-secret') });
    const missing = await h.post('/webhook/ticket-created', body);

    expect(wrong.statusCode).toBe(401);
    expect(missing.statusCode).toBe(401);
    expect(JSON.parse(wrong.body)).toEqual({ error: 'unauthorized' });
    expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('finishes after a step fails twice without repeating the steps that succeeded', async () => {
    let sentimentCalls = 0;
    h.simpli.respond((request) => {
      if (request.path === '/analyze' && ++sentimentCalls <= 2) return { status: 503, json: { error_code: 'EXTERNAL_SERVICE_ERROR' } };
      return defaultSimpli(request);
    });
    const body = ticket('T-4');
    await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': sign(body) });
    await h.drain();

    expect(h.simpli.calls('POST', '/analyze')).toHaveLength(3);
    expect(h.simpli.calls('POST', '/classify')).toHaveLength(1);
    expect(h.simpli.calls('POST', '/route')).toHaveLength(1);
    // Triage results go back at once; the update with sentiment follows when it succeeds.
    const puts = h.helpdesk.calls('PUT', '/tickets/T-4');
    expect(puts).toHaveLength(2);
    expect(puts[0]?.body).toMatchObject({ custom_fields: { ai_category: 'billing' } });
    expect(puts[0]?.body).not.toHaveProperty('custom_fields.ai_sentiment');
    expect(puts[1]?.body).toMatchObject({ custom_fields: { ai_category: 'billing', ai_sentiment: -0.6 } });
    // The first note reported the triage; the second reports only what is new.
    const notes = puts.map((p) => (p.body as { internal_note?: string }).internal_note ?? '');
    expect(notes[0]).toContain('Triage: billing');
    expect(notes[0]).not.toContain('Sentiment:');
    expect(notes[1]).toContain('Sentiment: negative');
    expect(notes[1]).not.toContain('Triage:');
    expect(notes[1]).not.toContain('Routing:');
    expect((await h.ledger.get('generic:ticket.created:T-4'))?.status).toBe('done');
  });

  it('parks a permanently failing event in the DLQ with its reason and step, leaving its batch unaffected', async () => {
    h.simpli.respond((request) => {
      const subject = (request.body as { subject?: string } | undefined)?.subject;
      if (request.path === '/classify' && subject === 'poison') return { status: 422, json: { error_code: 'VALIDATION_ERROR' } };
      return defaultSimpli(request);
    });
    const bad = ticket('T-5', { subject: 'poison' });
    const good = ticket('T-6');
    await h.post('/webhook/ticket-created', bad, { 'x-webhook-signature': sign(bad) });
    await h.post('/webhook/ticket-created', good, { 'x-webhook-signature': sign(good) });
    await h.drain();

    const parked = await h.deadLetters();
    expect(parked).toHaveLength(1);
    expect(queuedEventOf(parked[0] ?? {}).eventId).toBe('generic:ticket.created:T-5');
    expect(parked[0]?.MessageAttributes?.reason?.StringValue).toBe('http_422');
    expect(parked[0]?.MessageAttributes?.step?.StringValue).toBe('classify');
    expect((await h.ledger.get('generic:ticket.created:T-5'))?.status).toBe('failed');
    expect((await h.ledger.get('generic:ticket.created:T-6'))?.status).toBe('done');
    expect(h.helpdesk.calls('PUT', '/tickets/T-6')).toHaveLength(1);
  });

  it('accepts a webhook through a staged API in front of the function (/prod/… on stage prod), and 404s the same path on $default', async () => {
    const handler = createIngestHandler({
      providers: { generic: genericProvider },
      secretsFor: async () => [DEFAULT_SECRET],
      settingsFor: async () => ({}),
      enqueue: createEnqueue(h.sqs, h.queueUrl),
      maxBodyBytes: 240 * 1024,
      publicBaseUrl: undefined,
      now: Date.now,
      logger: new Logger({ logLevel: 'SILENT' }),
    });
    const body = ticket('T-STAGE');
    const event = (stage: string) => {
      const e = endpointEvent('/prod/webhook/ticket-created', '', Buffer.from(body), { 'x-webhook-signature': sign(body) });
      e.requestContext.stage = stage;
      return e;
    };
    expect((await handler(event('$default'))).statusCode).toBe(404);
    const response = await handler(event('prod'));
    expect(response.statusCode).toBe(202);
    expect(JSON.parse(String(response.body))).toEqual({ status: 'accepted', eventIds: ['generic:ticket.created:T-STAGE'] });
    await h.drain();
    expect(h.simpli.calls('POST', '/classify')).toHaveLength(1);
  });

  it('answers 503 with Retry-After when the queue is unreachable, and enqueues once it is back', async () => {
    const unreachable = new SQSClient({ ...h.emulators.clientConfig, endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const handler = createIngestHandler({
      providers: { generic: genericProvider },
      secretsFor: async () => [DEFAULT_SECRET],
      settingsFor: async () => ({}),
      enqueue: createEnqueue(unreachable, h.queueUrl),
      maxBodyBytes: 240 * 1024,
      publicBaseUrl: undefined,
      now: Date.now,
      logger: new Logger({ logLevel: 'SILENT' }),
    });
    const body = ticket('T-7');
    const response = await handler(endpointEvent('/webhook/ticket-created', '', Buffer.from(body), { 'x-webhook-signature': sign(body) }));

    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('30');
    expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });

    const retried = await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': sign(body) });
    expect(retried.statusCode).toBe(202);
    await h.drain();
    expect(h.simpli.calls('POST', '/classify')).toHaveLength(1);
    unreachable.destroy();
  });

  it('retries a retryable failure up to maxReceiveCount, then parks it with what is missing', async () => {
    h.simpli.respond((request) => (request.path === '/analyze' ? { status: 503, json: {} } : defaultSimpli(request)));
    const body = ticket('T-8');
    await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': sign(body) });
    await h.drain();

    expect(h.simpli.calls('POST', '/analyze')).toHaveLength(3);
    expect(h.simpli.calls('POST', '/classify')).toHaveLength(1);
    const parked = (await h.deadLetters()).filter((m) => queuedEventOf(m).eventId === 'generic:ticket.created:T-8');
    expect(parked).toHaveLength(1);
    expect(parked[0]?.MessageAttributes?.step?.StringValue).toBe('sentiment');
    expect(parked[0]?.MessageAttributes?.error?.StringValue).toContain('missing: sentiment');
    // The helpdesk still got the triage results.
    expect(h.helpdesk.calls('PUT', '/tickets/T-8')).toHaveLength(1);
  });
});

describe('characters SQS refuses', () => {
  it('accepts and processes a ticket whose text holds U+FFFF (valid JSON, refused raw by SQS)', async () => {
    const h = await startHarness({ providers: { generic: genericProvider } });
    try {
      const body = ticket('T-FFFF', { body: 'broken \uFFFF character' });
      const response = await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': sign(body) });
      expect(response.statusCode).toBe(202);
      await h.drain();
      expect(h.simpli.calls('POST', '/classify')[0]?.body).toMatchObject({ body: 'broken \uFFFF character' });
    } finally {
      await h.stop();
    }
  });
});
