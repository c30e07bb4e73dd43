import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toIngestInput } from '../../../lib/endpoint.ts';
import { hubspotProvider } from '../../../lib/providers/hubspot/index.ts';
import { HUBSPOT_EVENTS, SIGNED_AT_MS } from '../../../infra/make-events/hubspot.ts';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DEFAULT_SECRET, startHarness, type Harness } from '../../support/bridge-harness.ts';
import type { RecordedRequest } from '../../support/fake-server.ts';

const fixtureText = (name: string) => readFileSync(new URL(`../../fixtures/hubspot/${name}`, import.meta.url), 'utf8');
const fixture = (name: string): Record<string, unknown>[] => JSON.parse(fixtureText(name)) as Record<string, unknown>[];
const compact = (name: string) => JSON.stringify(fixture(name));

/** The harness's API Gateway events arrive at https://bridge.example.com (domainName, $default stage). */
const CALLED = 'https://bridge.example.com/webhooks/hubspot';

/** As HubSpot signs: v3 over the URL it called, with a fresh timestamp (plus the v1 it also sends). */
function hubspotHeaders(body: string, nowMs = Date.now(), secret = DEFAULT_SECRET): Record<string, string> {
  const ts = String(nowMs);
  return {
    'user-agent': 'HubSpot Webhooks',
    'x-hubspot-timeout-millis': '10000',
    'x-hubspot-signature-v3': createHmac('sha256', secret).update(`POST${CALLED}${body}${ts}`).digest('base64'),
    'x-hubspot-request-timestamp': ts,
    'x-hubspot-signature-version': 'v1',
    'x-hubspot-signature': 'ignored-because-v1-is-not-enabled',
  };
}

function hubspotApi(request: RecordedRequest) {
  if (request.method === 'GET' && /^\/crm\/v3\/objects\/tickets\/\d+$/.test(request.path)) {
    const ticket = JSON.parse(fixtureText('api-ticket.json')) as Record<string, unknown>;
    // The write-back's read of the tags property gets the ticket too.
    return { json: { ...ticket, id: request.path.split('/').pop() } };
  }
  if (request.method === 'POST' && request.path === '/crm/v3/objects/emails/batch/read') return { json: JSON.parse(fixtureText('api-emails-batch.json')) as unknown };
  if (request.method === 'GET' && request.path === '/conversations/v3/conversations/threads/8806311987') return { json: JSON.parse(fixtureText('api-thread.json')) as unknown };
  if (request.method === 'GET' && request.path.startsWith('/conversations/v3/conversations/threads/8806311987/messages/')) {
    const message = JSON.parse(fixtureText('api-message.json')) as Record<string, unknown>;
    // messageId "agent-…" stands for a reply an agent sent from the inbox.
    return { json: request.path.includes('/agent-') ? { ...message, direction: 'OUTGOING', senders: [{ actorId: 'A-1' }] } : message };
  }
  if (request.method === 'PATCH') return { json: { id: request.path.split('/').pop(), properties: {} } };
  if (request.method === 'POST' && request.path === '/crm/v3/objects/notes') return { status: 201, json: { id: '90001' } };
  return { status: 404, json: { status: 'error', category: 'OBJECT_NOT_FOUND' } };
}

describe('HubSpot end to end (real handlers on fauxqs + dynalite, fake Simpli and HubSpot API)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      providers: { hubspot: hubspotProvider },
      secrets: { hubspot: ['old-client-secret', DEFAULT_SECRET] },
      settings: (helpdeskUrl) => ({ hubspot: { baseUrl: helpdeskUrl, accessToken: 'pat-na1-e2e' } }),
      helpdesk: hubspotApi,
    });
  });
  afterAll(async () => {
    await h.stop();
  });
  afterEach(() => h.reset());

  it('accepts a signed ticket.creation with 202, processes it once across redeliveries, and writes back to HubSpot', async () => {
    const body = compact('ticket-creation.json');
    const first = await h.post('/webhooks/hubspot', body, hubspotHeaders(body));
    expect(first.statusCode).toBe(202);
    expect(JSON.parse(first.body)).toEqual({ status: 'accepted', eventIds: ['hubspot:ticket.created:3052741912'] });
    await h.drain();

    // HubSpot's retry: attemptNumber 1, new timestamp and signature, other bytes.
    const retry = JSON.stringify(fixture('ticket-creation.json').map((n) => ({ ...n, attemptNumber: 1 })), null, 1);
    const again = await h.post('/webhooks/hubspot', retry, hubspotHeaders(retry, Date.now() + 1_000));
    expect(again.statusCode).toBe(202);
    expect(JSON.parse(again.body)).toEqual({ status: 'accepted', eventIds: ['hubspot:ticket.created:3052741912'] });
    await h.drain();

    expect(h.simpli.calls('POST', '/classify')).toHaveLength(1);
    expect(h.simpli.calls('POST', '/classify')[0]?.body).toMatchObject({
      subject: 'Charged twice',
      body: 'Hi, I was charged twice for my March invoice. Please refund the duplicate charge.',
    });
    expect(h.simpli.calls('POST', '/analyze')[0]?.body).toMatchObject({ customer_id: '138017612137', channel: 'email' });

    const patches = h.helpdesk.calls('PATCH', '/crm/v3/objects/tickets/3052741912');
    expect(patches).toHaveLength(1);
    expect(patches[0]?.headers.authorization).toBe('Bearer pat-na1-e2e');
    expect(patches[0]?.body).toEqual({
      properties: {
        ai_category: 'billing',
        ai_urgency: 'high',
        ai_confidence: '0.87',
        ai_team: 'billing-team',
        ai_agent: 'A-012',
        ai_sentiment: '-0.6',
        ai_sentiment_label: 'negative',
        ai_escalation_risk: '0.7',
        hs_ticket_priority: 'HIGH',
        ai_tags: 'billing;team-billing-team;negative;escalation-risk',
      },
    });
    const notes = h.helpdesk.calls('POST', '/crm/v3/objects/notes');
    expect(notes).toHaveLength(1);
    expect(notes[0]?.body).toMatchObject({
      associations: [{ to: { id: '3052741912' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 228 }] }],
    });
    expect((await h.ledger.get('hubspot:ticket.created:3052741912'))?.status).toBe('done');
  });

  it('closing a ticket runs QA on the conversation fetched from HubSpot and writes the score and a note', async () => {
    const body = compact('ticket-closed.json');
    const response = await h.post('/webhooks/hubspot', body, hubspotHeaders(body));
    expect(response.statusCode).toBe(202);
    await h.drain();

    const qa = h.simpli.calls('POST', '/evaluate');
    expect(qa).toHaveLength(1);
    expect(JSON.stringify(qa[0]?.body)).toContain('Any news on my refund?');
    expect(h.helpdesk.calls('PATCH', '/crm/v3/objects/tickets/3052741912')[0]?.body).toEqual({ properties: { ai_qa_score: '0.92' } });
    expect(h.helpdesk.calls('POST', '/crm/v3/objects/notes')).toHaveLength(1);
  });

  it('sends the ticket owner (hubspot_owner_id, which it asks the API for) as QA’s agent_id', async () => {
    h.helpdesk.respond((request) => {
      if (request.method === 'GET' && request.path === '/crm/v3/objects/tickets/3052741913') {
        const ticket = JSON.parse(fixtureText('api-ticket.json')) as { properties: Record<string, unknown> };
        const asked = (request.query.get('properties') ?? '').split(',');
        return { json: { ...ticket, id: '3052741913', properties: { ...ticket.properties, ...(asked.includes('hubspot_owner_id') ? { hubspot_owner_id: '52550153' } : {}) } } };
      }
      return hubspotApi(request);
    });
    // The close of another ticket: a resolution is named by its ticket, so the one above's would be a duplicate.
    const body = compact('ticket-closed.json').replace('"eventId":1912345077', '"eventId":1912345099').replace('"objectId":3052741912', '"objectId":3052741913');
    expect((await h.post('/webhooks/hubspot', body, hubspotHeaders(body))).statusCode).toBe(202);
    await h.drain();
    expect(h.simpli.calls('POST', '/evaluate')[0]?.body).toMatchObject({ conversation_id: '3052741913', agent_id: '52550153' });
  });

  it('a customer’s chat message → sentiment, written to the thread’s ticket; an agent’s reply runs nothing and writes nothing', async () => {
    // An hour later than captured: the test above closed this ticket at 1752617520000, and a message
    // older than the resolution writes no sentiment fields on the closed ticket (README, "Ordering").
    const reopened = fixture('conversation-new-message.json').map((n) => ({ ...n, occurredAt: Number(n.occurredAt) + 3_600_000 }));
    const customer = JSON.stringify(reopened);
    const agentReply = JSON.stringify(reopened.map((n) => ({ ...n, eventId: 1912345124, messageId: 'agent-reply-1' })));
    expect((await h.post('/webhooks/hubspot', customer, hubspotHeaders(customer))).statusCode).toBe(202);
    expect((await h.post('/webhooks/hubspot', agentReply, hubspotHeaders(agentReply))).statusCode).toBe(202);
    await h.drain();

    const sentiment = h.simpli.calls('POST', '/analyze');
    expect(sentiment).toHaveLength(1);
    expect(sentiment[0]?.body).toMatchObject({ text: 'This is the third time I ask. I want my money back today.', channel: 'chat' });
    expect(h.simpli.calls('POST', '/classify')).toHaveLength(0);
    const patches = h.helpdesk.calls('PATCH', '/crm/v3/objects/tickets/3052741912');
    expect(patches).toHaveLength(1);
    expect(patches[0]?.body).toMatchObject({ properties: { ai_sentiment: '-0.6', ai_escalation_risk: '0.7' } });
    expect(h.helpdesk.calls('POST', '/crm/v3/objects/notes')).toHaveLength(1);
    expect((await h.ledger.get('hubspot:message.created:48807704:2604415:1912345124:1752619320000:8806311987'))?.status).toBe('done');
  });

  it('a mixed batch enqueues only the processed events; a batch of ignored ones is answered 200 and enqueues nothing', async () => {
    const mixed = compact('mixed-batch.json');
    const response = await h.post('/webhooks/hubspot', mixed, hubspotHeaders(mixed));
    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body).eventIds).toEqual([
      'hubspot:ticket.created:3052742001',
      'hubspot:ticket.resolved:3052742003',
    ]);
    await h.drain();
    expect(h.simpli.calls('POST', '/classify')).toHaveLength(1);

    const ignoredOnly = JSON.stringify(fixture('mixed-batch.json').filter((n) => n.subscriptionType !== 'ticket.creation' && n.propertyValue !== '4'));
    const ignored = await h.post('/webhooks/hubspot', ignoredOnly, hubspotHeaders(ignoredOnly));
    expect(ignored.statusCode).toBe(200);
    expect(JSON.parse(ignored.body).status).toBe('ignored');
    expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('the echo of the bridge’s own property writes does not start a loop', async () => {
    const echo = JSON.stringify(
      ['ai_category', 'ai_tags', 'ai_qa_score'].map((propertyName, i) => ({
        eventId: 7000 + i,
        subscriptionId: 2604413,
        portalId: 48807704,
        appId: 16111050,
        occurredAt: 1752620100000 + i,
        subscriptionType: 'ticket.propertyChange',
        attemptNumber: 0,
        objectId: 3052741912,
        propertyName,
        propertyValue: 'x',
        changeSource: 'INTEGRATION',
        sourceId: '16111050',
      })),
    );
    const response = await h.post('/webhooks/hubspot', echo, hubspotHeaders(echo));
    expect(response.statusCode).toBe(200);
    expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
    expect(h.simpli.requests).toHaveLength(0);
  });

  it('forged, stale or unsigned requests get 401 and enqueue nothing', async () => {
    const body = compact('ticket-creation.json');
    const forged = await h.post('/webhooks/hubspot', body, hubspotHeaders(body, Date.now(), 'attacker-secret'));
    const stale = await h.post('/webhooks/hubspot', body, hubspotHeaders(body, Date.now() - 6 * 60_000));
    const unsigned = await h.post('/webhooks/hubspot', body, { 'user-agent': 'HubSpot Webhooks' });
    for (const response of [forged, stale, unsigned]) {
      expect(response.statusCode).toBe(401);
      expect(JSON.parse(response.body)).toEqual({ error: 'unauthorized' });
    }
    expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
  });
});

describe('events/hubspot (generated by infra/make-events/hubspot.ts from the fixtures)', () => {
  for (const [name, fixtureName] of Object.entries(HUBSPOT_EVENTS)) {
    it(`${name}.json carries ${fixtureName} and verifies at its signing time with the local secret`, () => {
      const event = JSON.parse(readFileSync(new URL(`../../../events/hubspot/${name}.json`, import.meta.url), 'utf8')) as APIGatewayProxyEventV2;
      expect(JSON.parse(event.body ?? '')).toEqual(fixture(fixtureName));
      const input = toIngestInput(event, undefined);
      expect(input.provider).toBe('hubspot');
      expect(() => hubspotProvider.verify({ request: input.request, secrets: ['local-dev-secret'], settings: {}, nowMs: SIGNED_AT_MS })).not.toThrow();
      expect(() => hubspotProvider.verify({ request: input.request, secrets: ['another-secret'], settings: {}, nowMs: SIGNED_AT_MS })).toThrow();
    });
  }
});
