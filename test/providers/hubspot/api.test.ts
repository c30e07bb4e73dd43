import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PermanentEventError } from '../../../lib/errors.ts';
import { createHttpClient } from '../../../lib/http.ts';
import { createHubSpotApi, createPacer } from '../../../lib/providers/hubspot/api.ts';
import { hubspotProvider } from '../../../lib/providers/hubspot/index.ts';
import type { NormalizedEvent, ProviderSettings, QueuedEvent, StepResults } from '../../../lib/providers/types.ts';
import { startFakeServer, type FakeServer, type RecordedRequest, jsonBody } from '../../support/fake-server.ts';
import { helpdeskContract } from '../../support/helpdesk-contracts.ts';

const json = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/hubspot/${name}`, import.meta.url), 'utf8'));
const notification = (name: string) => (json(name) as unknown[])[0];

let api: FakeServer;
const http = createHttpClient({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
const settings = (extra: ProviderSettings = {}): ProviderSettings => ({ baseUrl: api.url, accessToken: 'pat-na1-test', ...extra });

/** The fake HubSpot API: ticket, emails, thread and message as documented. */
function hubspotApi(request: RecordedRequest) {
  if (request.method === 'GET' && request.path === '/crm/v3/objects/tickets/3052741912') return { json: json('api-ticket.json') };
  if (request.method === 'POST' && request.path === '/crm/v3/objects/emails/batch/read') return { json: json('api-emails-batch.json') };
  if (request.method === 'GET' && request.path === '/conversations/v3/conversations/threads/8806311987') return { json: json('api-thread.json') };
  if (request.method === 'GET' && request.path === '/conversations/v3/conversations/threads/8806311987/messages/a1b2c3d4e5f64a5b8c9d0e1f2a3b4c5d') {
    return { json: json('api-message.json') };
  }
  if (request.method === 'PATCH' || request.method === 'POST') return { json: { id: '1' } };
  return { status: 404, json: { status: 'error', category: 'OBJECT_NOT_FOUND' } };
}

beforeAll(async () => {
  api = await startFakeServer(hubspotApi, { contract: helpdeskContract });
});
afterAll(async () => {
  await api.stop();
});
// Every request the bridge made must keep the vendor's contract (helpdesk-contracts.ts).
afterEach(() => api.assertNoViolations());
afterEach(() => {
  api.requests.length = 0;
  api.respond(hubspotApi);
});

function queued(eventType: QueuedEvent['eventType'], ticketId: string, payload: unknown): QueuedEvent {
  return { provider: 'hubspot', eventType, eventId: `hubspot:x`, ticketId, payload, receivedAt: '2025-07-15T21:12:03.000Z', requestId: 'r' };
}

describe('normalize: thin payloads enriched from the HubSpot API', () => {
  it('ticket.created fetches the ticket with its properties and contact, with the Bearer token', async () => {
    const event = await hubspotProvider.normalize(queued('ticket.created', '3052741912', notification('ticket-creation.json')), { settings: settings(), http });
    const [get, ...rest] = api.requests;
    expect(rest).toEqual([]);
    expect(get?.method).toBe('GET');
    expect(get?.path).toBe('/crm/v3/objects/tickets/3052741912');
    expect(get?.query.get('properties')?.split(',').sort()).toEqual(
      ['content', 'hs_pipeline', 'hs_pipeline_stage', 'hs_ticket_category', 'hs_ticket_priority', 'hubspot_owner_id', 'source_type', 'subject'].sort(),
    );
    expect(get?.query.get('associations')).toBe('contacts');
    expect(get?.headers.authorization).toBe('Bearer pat-na1-test');
    expect(event).toEqual({
      eventType: 'ticket.created',
      ticketId: '3052741912',
      subject: 'Charged twice',
      body: 'Hi, I was charged twice for my March invoice. Please refund the duplicate charge.',
      customerId: '138017612137',
      channel: 'email',
      messageText: undefined,
      conversation: [{ role: 'customer', content: 'Hi, I was charged twice for my March invoice. Please refund the duplicate charge.' }],
      metadata: { portalId: '48807704', pipeline: '0', stage: '1', priority: 'MEDIUM', category: undefined, source: 'EMAIL' },
    });
  });

  it('fieldMap overrides read (and request) a custom property', async () => {
    const event = await hubspotProvider.normalize(queued('ticket.created', '3052741912', {}), {
      settings: settings({ fieldMap: { body: ['properties.hs_custom_description', 'properties.content'] } }),
      http,
    });
    expect(api.requests[0]?.query.get('properties')?.split(',')).toContain('hs_custom_description');
    expect(event.body).toBe('Hi, I was charged twice for my March invoice. Please refund the duplicate charge.');
  });

  it('ticket.resolved builds the QA conversation: the request, then the associated emails by time (incoming = customer)', async () => {
    const event = await hubspotProvider.normalize(queued('ticket.resolved', '3052741912', notification('ticket-closed.json')), { settings: settings(), http });
    expect(api.requests[0]?.query.get('associations')).toBe('contacts,emails');
    const batch = api.calls('POST', '/crm/v3/objects/emails/batch/read');
    expect(batch).toHaveLength(1);
    expect(batch[0]?.body).toEqual({
      properties: ['hs_email_text', 'hs_email_html', 'hs_email_direction', 'hs_timestamp'],
      // `required` in BatchReadInputSimplePublicObjectId of HubSpot's crm-emails-v3.json.
      propertiesWithHistory: [],
      inputs: [{ id: '61230001' }, { id: '61230002' }],
    });
    expect(event.conversation).toEqual([
      { role: 'customer', content: 'Hi, I was charged twice for my March invoice. Please refund the duplicate charge.' },
      { role: 'customer', content: 'Any news on my refund?' },
      { role: 'agent', content: 'Sorry about that! I have refunded the duplicate charge; you will see it in 3-5 days.' },
    ]);
  });

  it('conversation.newMessage resolves the thread’s ticket and reads the customer’s message', async () => {
    const event = await hubspotProvider.normalize(queued('message.created', 'thread:8806311987', notification('conversation-new-message.json')), {
      settings: settings(),
      http,
    });
    expect(api.calls('GET', '/conversations/v3/conversations/threads/8806311987')[0]?.query.get('association')).toBe('TICKET');
    expect(event).toMatchObject({
      eventType: 'message.created',
      ticketId: '3052741912',
      customerId: '138017612137',
      channel: 'chat',
      messageText: 'This is the third time I ask. I want my money back today.',
      conversation: [{ role: 'customer', content: 'This is the third time I ask. I want my money back today.' }],
    });
  });

  it('an agent’s (OUTGOING) message or a thread without a ticket normalizes to an event with no text: no step runs, nothing is written', async () => {
    const outgoing = { ...(json('api-message.json') as object), direction: 'OUTGOING', text: 'We are on it.' };
    api.respond((r) => (r.path.includes('/messages/') ? { json: outgoing } : hubspotApi(r)));
    const agent = await hubspotProvider.normalize(queued('message.created', 'thread:8806311987', notification('conversation-new-message.json')), { settings: settings(), http });
    expect(agent).toMatchObject({ messageText: '', conversation: [], body: '', metadata: { skipped: 'not a customer message' } });

    const noTicket = { ...(json('api-thread.json') as object), threadAssociations: undefined };
    api.respond((r) => (r.path.endsWith('/threads/8806311987') ? { json: noTicket } : hubspotApi(r)));
    const chat = await hubspotProvider.normalize(queued('message.created', 'thread:8806311987', notification('conversation-new-message.json')), { settings: settings(), http });
    expect(chat).toMatchObject({ ticketId: 'thread:8806311987', messageText: '', conversation: [], metadata: { skipped: 'thread has no ticket' } });
  });

  it('a missing accessToken is a PermanentEventError naming the setting', async () => {
    const error = await hubspotProvider.normalize(queued('ticket.created', '1', {}), { settings: { baseUrl: api.url }, http }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentEventError);
    expect((error as PermanentEventError).reason).toBe('missing_access_token');
    expect((error as PermanentEventError).message).toContain('HELPDESK_CONFIG.hubspot.accessToken');
    expect(api.requests).toHaveLength(0);
  });
});

const ticketEvent: NormalizedEvent = {
  eventType: 'ticket.created',
  ticketId: '3052741912',
  subject: 'Charged twice',
  body: 'Charged twice',
  customerId: '138017612137',
  channel: 'email',
  conversation: [],
  metadata: {},
};
const triage: StepResults = {
  classify: { category: 'billing', urgency: 'urgent', sentiment: 'negative', confidence: 0.87 },
  route: { team: 'billing-team', agent: 'A-012', reason: 'billing expertise' },
  sentiment: { score: -0.6, label: 'negative', escalation_risk: 0.7, triggers: ['refund'] },
};

async function runAll(results: StepResults, extra: ProviderSettings = {}, event: NormalizedEvent = ticketEvent) {
  const ops = hubspotProvider.writeBack({ event, results, confidenceThreshold: 0.6 }, { settings: settings(extra), http });
  for (const op of ops) await op.run(http);
  return ops.map((op) => op.key);
}

describe('write-back: exact requests against the HubSpot API', () => {
  it('reads the tags property, PATCHes only bridge-owned properties with the priority, then POSTs a note associated with the ticket', async () => {
    api.respond((r) =>
      r.method === 'GET' ? { json: { id: '3052741912', properties: { ai_tags: 'vip;billing', hs_lastmodifieddate: '2025-07-15T21:12:01.120Z' } } } : hubspotApi(r),
    );
    const keys = await runAll(triage);
    expect(keys).toEqual(['properties:classify+route+sentiment', 'note:classify+route+sentiment']);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /crm/v3/objects/tickets/3052741912',
      'PATCH /crm/v3/objects/tickets/3052741912',
      'POST /crm/v3/objects/notes',
    ]);
    expect(api.requests[0]?.query.get('properties')).toBe('ai_tags');
    const [, patch, note] = api.requests;
    expect(patch?.headers.authorization).toBe('Bearer pat-na1-test');
    expect(patch?.headers['content-type']).toBe('application/json');
    expect(patch?.body).toEqual({
      properties: {
        ai_category: 'billing',
        ai_urgency: 'urgent',
        ai_confidence: '0.87',
        ai_team: 'billing-team',
        ai_agent: 'A-012',
        ai_sentiment: '-0.6',
        ai_sentiment_label: 'negative',
        ai_escalation_risk: '0.7',
        hs_ticket_priority: 'URGENT',
        // Existing values kept, ours appended once.
        ai_tags: 'vip;billing;team-billing-team;negative;escalation-risk',
      },
    });
    expect(note?.headers.authorization).toBe('Bearer pat-na1-test');
    const noteBody = note?.body as { properties: { hs_timestamp: string; hs_note_body: string }; associations: unknown };
    expect(noteBody.associations).toEqual([{ to: { id: '3052741912' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 228 }] }]);
    expect(noteBody.properties.hs_timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(noteBody.properties.hs_note_body).toBe(
      '[Simpli AI]<br>Triage: billing, urgency urgent (confidence 0.87).<br>Routing: team billing-team, agent A-012 (billing expertise).<br>Sentiment: negative (-0.60), escalation risk 0.70, triggers: refund.',
    );
  });

  it.each([
    ['low', 'LOW'],
    ['medium', 'MEDIUM'],
    ['high', 'HIGH'],
    ['urgent', 'URGENT'],
    ['critical', 'URGENT'],
  ])('urgency %s → hs_ticket_priority %s', async (urgency, priority) => {
    await runAll({ classify: { category: 'billing', urgency, sentiment: 'neutral', confidence: 0.9 } }, { tagsProperty: null, writeNotes: false });
    expect(jsonBody<{ properties: Record<string, string> }>(api.calls('PATCH', '/crm/v3/objects/tickets/3052741912')[0]).properties.hs_ticket_priority).toBe(priority);
  });

  it('below the confidence threshold: no priority, the manual-triage tag instead', async () => {
    await runAll({ classify: { category: 'billing', urgency: 'urgent', sentiment: 'neutral', confidence: 0.3 } }, { writeNotes: false });
    const properties = jsonBody<{ properties: Record<string, string> }>(api.calls('PATCH', '/crm/v3/objects/tickets/3052741912')[0]).properties;
    expect(properties).not.toHaveProperty('hs_ticket_priority');
    expect(properties.ai_tags).toBe('billing;needs-manual-triage');
  });

  it('honours renamed and disabled properties, priorityValues, tagPrefix, writeNotes=false and the association type id', async () => {
    api.respond((r) => (r.method === 'GET' ? { json: { id: '3052741912', properties: { simpli_tags: null } } } : hubspotApi(r)));
    await runAll(triage, {
      customFields: { ai_category: 'simpli_category', ai_agent: null, ai_team: null },
      tagsProperty: 'simpli_tags',
      tagPrefix: 'ai-',
      priorityValues: { urgent: 'HIGH' },
      writeNotes: false,
    });
    const properties = jsonBody<{ properties: Record<string, string> }>(api.calls('PATCH', '/crm/v3/objects/tickets/3052741912')[0]).properties;
    expect(properties.simpli_category).toBe('billing');
    expect(properties).not.toHaveProperty('ai_category');
    expect(properties).not.toHaveProperty('ai_agent');
    expect(properties).not.toHaveProperty('ai_team');
    expect(properties.hs_ticket_priority).toBe('HIGH');
    expect(properties.simpli_tags).toBe('ai-billing;ai-team-billing-team;ai-negative;ai-escalation-risk');
    expect(api.calls('POST', '/crm/v3/objects/notes')).toHaveLength(0);
  });

  it('does not rewrite the tags when every tag is already there', async () => {
    api.respond((r) => (r.method === 'GET' ? { json: { id: '3052741912', properties: { ai_tags: 'qa' } } } : hubspotApi(r)));
    const qaEvent: NormalizedEvent = { ...ticketEvent, eventType: 'ticket.resolved' };
    const keys = await runAll({ qa: { score: 0.92, summary: 'Resolved with empathy.' } }, {}, qaEvent);
    expect(keys).toEqual(['properties:qa', 'note:qa']);
    expect(api.calls('GET', '/crm/v3/objects/tickets/3052741912')).toHaveLength(0);
    expect(api.calls('PATCH', '/crm/v3/objects/tickets/3052741912')[0]?.body).toEqual({ properties: { ai_qa_score: '0.92' } });
  });

  it('writes nothing when no step has succeeded', () => {
    expect(hubspotProvider.writeBack({ event: ticketEvent, results: {}, confidenceThreshold: 0.6 }, { settings: settings(), http })).toEqual([]);
  });

  it('HubSpot answers 429 with Retry-After: the next request comes no sooner', async () => {
    const retrying = createHttpClient({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
    const arrivalsMs: number[] = [];
    api.respond((r) => {
      if (r.method !== 'PATCH') return hubspotApi(r);
      arrivalsMs.push(Date.now());
      if (arrivalsMs.length === 1) return { status: 429, headers: { 'retry-after': '1' }, json: { status: 'error', category: 'RATE_LIMITS' } };
      return hubspotApi(r);
    });
    const ops = hubspotProvider.writeBack(
      { event: ticketEvent, results: triage, confidenceThreshold: 0.6 },
      { settings: settings({ tagsProperty: null, writeNotes: false }), http: retrying },
    );
    for (const op of ops) await op.run(retrying);
    expect(arrivalsMs).toHaveLength(2);
    expect((arrivalsMs[1] ?? 0) - (arrivalsMs[0] ?? 0)).toBeGreaterThanOrEqual(1_000);
  });

  it('paces the next call when a response says the rate-limit window is spent', async () => {
    api.respond((r) =>
      r.method === 'GET'
        ? { json: { properties: {} }, headers: { 'x-hubspot-ratelimit-remaining': '0', 'x-hubspot-ratelimit-interval-milliseconds': '10000', 'x-hubspot-ratelimit-max': '190' } }
        : hubspotApi(r),
    );
    let clock = 1_000_000;
    const slept: number[] = [];
    const pacer = createPacer({ now: () => clock, sleep: async (ms) => void slept.push(ms) });
    const client = createHubSpotApi(http, api.url, 'pat-na1-test', pacer);
    await client.get('/crm/v3/objects/tickets/3052741912?properties=ai_tags');
    clock += 2_500;
    await client.send('PATCH', '/crm/v3/objects/tickets/3052741912', { properties: {} });
    expect(slept).toEqual([7_500]);
  });
});
