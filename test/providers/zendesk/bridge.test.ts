import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { zendeskProvider } from '../../../lib/providers/zendesk/index.ts';
import { signZendesk } from '../../../infra/sign/zendesk.ts';
import { DEFAULT_SECRET, startHarness, type Harness } from '../../support/bridge-harness.ts';
import type { Responder } from '../../support/fake-server.ts';

const fixtureText = (name: string) => JSON.stringify(JSON.parse(readFileSync(new URL(`../../fixtures/zendesk/${name}`, import.meta.url), 'utf8')));
const AUTHORIZATION = `Basic ${Buffer.from('bot@acme.example/token:zd-api-token').toString('base64')}`;

/** Headers exactly as Zendesk sends them, signed at `nowMs`. */
const signed = (body: string, nowMs = Date.now(), secret = DEFAULT_SECRET) =>
  signZendesk({ method: 'POST', url: 'https://bridge.example.com/webhooks/zendesk', body: Buffer.from(body), secret, nowMs }).headers;

const zendeskApi: Responder = (r) => {
  if (r.method === 'GET' && r.path === '/api/v2/tickets/35436/comments') {
    return {
      json: {
        comments: [
          { id: 1, author_id: 8447388090494, plain_body: 'I was charged twice.', public: true },
          { id: 2, author_id: 8447388095614, plain_body: 'Refunded the duplicate charge.', public: true },
        ],
        next_page: null,
      },
    };
  }
  return { status: 200, json: {} };
};

describe('Zendesk end to end (real handlers on fauxqs + dynalite, fake Simpli and Zendesk API)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      providers: { zendesk: zendeskProvider },
      secrets: { zendesk: [DEFAULT_SECRET] },
      settings: (url) => ({ zendesk: { baseUrl: url, email: 'bot@acme.example', apiToken: 'zd-api-token', customFields: { ai_category: 360001234567 } } }),
      helpdesk: zendeskApi,
    });
  });
  afterAll(async () => {
    await h.stop();
  });
  afterEach(() => h.reset());

  it('accepts a signed ticket.created, processes it once however often it is redelivered, and writes back through the API', async () => {
    const body = fixtureText('ticket-created.json');
    const first = await h.post('/webhooks/zendesk', body, signed(body));
    expect(first.statusCode).toBe(202);
    expect(JSON.parse(first.body)).toEqual({ status: 'accepted', eventIds: ['zendesk:ticket.created:35436'] });
    await h.drain();
    // Zendesk retries re-sign: a new timestamp, new signature, same event.
    const retried = await h.post('/webhooks/zendesk', body, signed(body, Date.now() + 2_000));
    expect(retried.statusCode).toBe(202);
    await h.drain();

    expect(h.simpli.calls('POST', '/classify')).toHaveLength(1);
    expect(h.helpdesk.requests.map((r) => [r.method, r.path])).toEqual([
      ['PUT', '/api/v2/tickets/35436/tags'],
      ['PUT', '/api/v2/tickets/35436'],
    ]);
    expect(h.helpdesk.requests.every((r) => r.headers.authorization === AUTHORIZATION)).toBe(true);
    expect(h.helpdesk.requests[0]?.body).toEqual({ tags: ['billing', 'team-billing-team', 'negative', 'escalation-risk'] });
    expect(h.helpdesk.requests[1]?.body).toMatchObject({
      ticket: { comment: { public: false }, priority: 'high', custom_fields: [{ id: 360001234567, value: 'billing' }] },
    });
    expect((await h.ledger.get('zendesk:ticket.created:35436'))?.status).toBe('done');
  });

  it('ignores the echoes of its own write-back with 200 and enqueues nothing', async () => {
    const tags = fixtureText('tags-changed.json');
    const comment = JSON.parse(fixtureText('comment-added.json')) as Record<string, unknown>;
    const note = JSON.stringify({
      ...comment,
      id: 'aa11bb22-cc33-4d44-8e55-ff6677889900',
      event: { comment: { id: '26734811999999', body: '[Simpli AI]\nTriage: billing, urgency high (confidence 0.87).', is_public: false, author: { id: '8447388099999', is_staff: true, name: 'Simpli Bot' } } },
    });
    for (const body of [tags, note]) {
      const response = await h.post('/webhooks/zendesk', body, signed(body));
      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ status: 'ignored' });
    }
    expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
    expect(h.simpli.requests).toHaveLength(0);
    expect(h.helpdesk.requests).toHaveLength(0);
  });

  it('runs Sentiment for a customer reply from a trigger on /webhooks/zendesk/message-created', async () => {
    const body = fixtureText('trigger-message-created.json');
    const response = await h.post('/webhooks/zendesk/message-created', body, signed(body));
    expect(response.statusCode).toBe(202);
    await h.drain();
    expect(h.simpli.calls('POST', '/analyze')[0]?.body).toMatchObject({ text: 'Still locked out. I have a demo in one hour, please help!' });
    expect(h.simpli.calls('POST', '/classify')).toHaveLength(0);
    expect(h.helpdesk.calls('PUT', '/api/v2/tickets/35437/tags')[0]?.body).toEqual({ tags: ['negative', 'escalation-risk'] });
  });

  it('fetches the conversation on resolution, runs QA and writes the score back', async () => {
    const body = fixtureText('status-changed-solved.json');
    expect((await h.post('/webhooks/zendesk', body, signed(body))).statusCode).toBe(202);
    await h.drain();
    expect(h.simpli.calls('POST', '/evaluate')[0]?.body).toMatchObject({
      conversation_id: '35436',
      agent_id: '8447388095614',
      messages: [
        { role: 'customer', content: 'I was charged twice.' },
        { role: 'agent', content: 'Refunded the duplicate charge.' },
      ],
    });
    const update = h.helpdesk.calls('PUT', '/api/v2/tickets/35436')[0]?.body as { ticket: { comment: { body: string; public: boolean } } };
    expect(update.ticket.comment.public).toBe(false);
    expect(update.ticket.comment.body).toContain('QA score: 0.92');
  });

  it('answers 401 to forged, stale and unsigned requests', async () => {
    const body = fixtureText('ticket-created.json');
    const forged = await h.post('/webhooks/zendesk', body, signed(body, Date.now(), 'not-the-secret'));
    const stale = await h.post('/webhooks/zendesk', body, signed(body, Date.now() - 10 * 60_000));
    const unsigned = await h.post('/webhooks/zendesk', body);
    expect([forged.statusCode, stale.statusCode, unsigned.statusCode]).toEqual([401, 401, 401]);
    expect(JSON.parse(forged.body)).toEqual({ error: 'unauthorized' });
    expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
  });
});
