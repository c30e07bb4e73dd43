import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jsonBody } from '../../support/fake-server.ts';
import { freshdeskProvider } from '../../../lib/providers/freshdesk/index.ts';
import { DEFAULT_SECRET, startHarness, type Harness } from '../../support/bridge-harness.ts';
import type { Responder } from '../../support/fake-server.ts';

const fixtureText = (name: string) => JSON.stringify(JSON.parse(readFileSync(new URL(`../../fixtures/freshdesk/${name}`, import.meta.url), 'utf8')));
/** What a rule with "Requires authentication" sends: the shared token as the Basic password. */
const AUTH = { authorization: `Basic ${Buffer.from(`freshdesk-rule:${DEFAULT_SECRET}`).toString('base64')}` };
const API_AUTHORIZATION = `Basic ${Buffer.from('fd-api-key:X').toString('base64')}`;

const freshdeskApi: Responder = (r) => {
  if (r.method === 'GET' && r.path === '/api/v2/tickets/20') return { json: { id: 20, tags: ['vip'] } };
  return { status: 200, json: {} };
};

describe('Freshdesk end to end (real handlers on fauxqs + dynalite, fake Simpli and Freshdesk API)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      providers: { freshdesk: freshdeskProvider },
      secrets: { freshdesk: [DEFAULT_SECRET] },
      settings: (url) => ({ freshdesk: { baseUrl: url, apiKey: 'fd-api-key', customFields: { ai_category: 'cf_ai_category' } } }),
      helpdesk: freshdeskApi,
    });
  });
  afterAll(async () => {
    await h.stop();
  });
  afterEach(() => h.reset());

  it('accepts a rule’s webhook, processes it once however often it is redelivered, and writes back through the API', async () => {
    const body = fixtureText('simple-ticket-created.json');
    const first = await h.post('/webhooks/freshdesk/ticket-created', body, AUTH);
    expect(first.statusCode).toBe(202);
    expect(JSON.parse(first.body)).toEqual({ status: 'accepted', eventIds: ['freshdesk:ticket.created:20'] });
    await h.drain();
    // Freshdesk retries after 5, 30 and 60 minutes; a second rule on /webhooks/freshdesk also fires.
    expect((await h.post('/webhooks/freshdesk/ticket-created', body, AUTH)).statusCode).toBe(202);
    expect((await h.post('/webhooks/freshdesk', body, { 'x-webhook-token': DEFAULT_SECRET })).statusCode).toBe(202);
    await h.drain();

    expect(h.simpli.calls('POST', '/classify')).toHaveLength(1);
    expect(h.helpdesk.requests.map((r) => [r.method, r.path])).toEqual([
      ['GET', '/api/v2/tickets/20'],
      ['PUT', '/api/v2/tickets/20'],
      ['POST', '/api/v2/tickets/20/notes'],
    ]);
    expect(h.helpdesk.requests.every((r) => r.headers.authorization === API_AUTHORIZATION)).toBe(true);
    expect(h.helpdesk.requests[1]?.body).toEqual({
      priority: 3,
      tags: ['vip', 'billing', 'team-billing-team', 'negative', 'escalation-risk'],
      custom_fields: { cf_ai_category: 'billing' },
    });
    expect(h.helpdesk.requests[2]?.body).toMatchObject({ private: true });
    expect((await h.ledger.get('freshdesk:ticket.created:20'))?.status).toBe('done');
  });

  it('ignores the echoes of its own write-back with 200 and enqueues nothing', async () => {
    for (const name of ['simple-priority-changed.json', 'simple-private-note.json']) {
      const response = await h.post('/webhooks/freshdesk/message-created', fixtureText(name), AUTH);
      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ status: 'ignored' });
    }
    expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
    expect(h.simpli.requests).toHaveLength(0);
    expect(h.helpdesk.requests).toHaveLength(0);
  });

  it('runs QA on resolution with the conversation fetched from the API', async () => {
    h.helpdesk.respond((r) =>
      r.path === '/api/v2/tickets/20/conversations'
        ? { json: [{ body_text: 'Refunded the duplicate charge.', private: false, incoming: false }] }
        : freshdeskApi(r),
    );
    const response = await h.post('/webhooks/freshdesk/ticket-resolved', fixtureText('simple-ticket-resolved.json'), AUTH);
    expect(response.statusCode).toBe(202);
    await h.drain();
    expect(h.simpli.calls('POST', '/evaluate')[0]?.body).toMatchObject({
      conversation_id: '20',
      agent_id: '',
      messages: [
        { role: 'customer', content: 'I was charged twice for my subscription this month.\nPlease refund the duplicate charge.' },
        { role: 'agent', content: 'Refunded the duplicate charge.' },
      ],
    });
    expect(jsonBody<{ body: string }>(h.helpdesk.calls('POST', '/api/v2/tickets/20/notes')[0]).body).toContain('QA score: 0.92');
  });

  it('sends the responder (responder_id in the rule’s body) as QA’s agent_id', async () => {
    h.helpdesk.respond((r) => (r.path === '/api/v2/tickets/20/conversations' ? { json: [] } : freshdeskApi(r)));
    const resolved = JSON.parse(fixtureText('simple-ticket-resolved.json')) as { freshdesk_webhook: Record<string, unknown> };
    resolved.freshdesk_webhook.ticket_responder_id = 43001234567;
    // Another resolution than the one above (its identity hashes the latest comment).
    resolved.freshdesk_webhook.ticket_latest_public_comment = 'Closing this one, thanks!';
    expect((await h.post('/webhooks/freshdesk/ticket-resolved', JSON.stringify(resolved), AUTH)).statusCode).toBe(202);
    await h.drain();
    expect(h.simpli.calls('POST', '/evaluate')[0]?.body).toMatchObject({ conversation_id: '20', agent_id: '43001234567' });
  });

  it('answers 401 without the token', async () => {
    const body = fixtureText('simple-ticket-created.json');
    const wrong = await h.post('/webhooks/freshdesk/ticket-created', body, { authorization: `Basic ${Buffer.from('freshdesk:guess').toString('base64')}` });
    const none = await h.post('/webhooks/freshdesk/ticket-created', body);
    expect([wrong.statusCode, none.statusCode]).toEqual([401, 401]);
    expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
  });
});
