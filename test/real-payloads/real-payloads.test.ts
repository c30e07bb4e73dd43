/**
 * Every webhook body in ../shared/fixtures/real/ — captured from the real helpdesks by other
 * open-source projects (provenance in its SOURCES.md) — signed as its vendor signs it, sent through
 * the real handlers on fauxqs + dynalite, and followed to the text that reaches Simpli and the
 * write-back that reaches the helpdesk's API. The files are read at run time, byte for byte (never
 * copied here); where ../shared is absent the suite is skipped with a message.
 *
 * Every expected value below is written by hand from reading the fixture, not computed by the
 * bridge: the expectation says what the helpdesk meant (SOURCES.md: a created ticket is triaged, a
 * customer's reply gets sentiment, everything else is acknowledged and ignored).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signers } from '../../infra/sign/index.ts';
import type { ProviderName } from '../../lib/providers/types.ts';
import { allHelpdeskSettings, DEFAULT_SECRET, startHarness, type Harness } from '../support/bridge-harness.ts';
import type { RecordedRequest, Responder } from '../support/fake-server.ts';

const REAL = new URL('../../../shared/fixtures/real/', import.meta.url);
const present = existsSync(REAL);
if (!present) console.warn(`real payloads not found at ${REAL.pathname}: the real-payload suite is skipped (they live outside the repo).`);

/** What one captured body must become. */
interface Expectation {
  readonly file: string;
  readonly provider: ProviderName;
  /** Where the helpdesk posts it: the route a documented setup points that rule at. */
  readonly path: string;
  readonly status: number;
  /** The response body, matched partially. */
  readonly response?: Record<string, unknown>;
  readonly eventType?: 'ticket.created' | 'message.created' | 'ticket.resolved';
  readonly ticketId?: string;
  /** Simpli calls (path → the body's keys that matter). */
  readonly simpli?: Readonly<Record<string, Record<string, unknown>>>;
  /** The helpdesk API calls, in order, as `METHOD path`. */
  readonly helpdesk?: readonly string[];
  /** Extra checks on the helpdesk calls. */
  readonly writes?: (calls: readonly RecordedRequest[]) => void;
}

const ZENDESK_7_DESCRIPTION = '----------------------------------------------\n\nApoorva Pendse, Feb 3, 2025, 19:59\n\nI am writing this to create a ticket.';
const ZENDESK_739_MESSAGE =
  '**Status:** Open | **Priority:** Normal | **Type:** Incident\n[View Ticket](https://asdf1640.zendesk.com/agent/tickets/7)\n**Created by:** Steve Howell on February 3, 2025\n**Assigned to:** Apoorva Pendse\n#### Comment\n> The customer is facing an issue with updating their address in the system.\n\n**Tags:** `change_address`, `help`, `technical_issue`';

const EXPECTED: readonly Expectation[] = [
  // Zendesk: trigger webhooks, whose body the admin writes (flat ticket_* fields here).
  {
    file: 'zendesk/zulip-trigger-ticket-create-update.json',
    provider: 'zendesk',
    path: '/webhooks/zendesk/ticket-created',
    status: 202,
    eventType: 'ticket.created',
    ticketId: '7',
    // Sentiment of a new ticket reads its subject and description.
    simpli: { '/classify': { subject: 'Hello world', body: ZENDESK_7_DESCRIPTION }, '/analyze': { text: `Hello world\n\n${ZENDESK_7_DESCRIPTION}` } },
    helpdesk: ['PUT /api/v2/tickets/7/tags', 'PUT /api/v2/tickets/7'],
    writes: (calls) => {
      expect(calls[0]?.body).toEqual({ tags: ['billing', 'team-billing-team', 'negative', 'escalation-risk'] });
      expect(calls[1]?.body).toMatchObject({ ticket: { priority: 'high', comment: { public: false } } });
    },
  },
  {
    // Only a pre-rendered message: no ticket id anywhere, so nothing could be written back.
    file: 'zendesk/zulip-trigger-user-provided-message.json',
    provider: 'zendesk',
    path: '/webhooks/zendesk/message-created',
    status: 422,
    response: { error: 'missing_ticket_id' },
  },
  {
    file: 'zendesk/zulip-trigger-message-with-id-and-title.json',
    provider: 'zendesk',
    path: '/webhooks/zendesk/message-created',
    status: 202,
    eventType: 'message.created',
    ticketId: '739',
    simpli: { '/analyze': { text: ZENDESK_739_MESSAGE } },
    helpdesk: ['PUT /api/v2/tickets/739/tags', 'PUT /api/v2/tickets/739'],
    writes: (calls) => {
      expect(calls[0]?.body).toEqual({ tags: ['negative', 'escalation-risk'] });
      expect(calls[1]?.body).toMatchObject({ ticket: { comment: { public: false } } });
    },
  },
  // Freshdesk: "Trigger webhook" bodies wrapped in freshdesk_webhook, posted to /webhooks/freshdesk
  // (the triggered_event names the event) — the rule Zulip's guide sets up.
  {
    file: 'freshdesk/zulip-ticket-created.json',
    provider: 'freshdesk',
    path: '/webhooks/freshdesk',
    status: 202,
    eventType: 'ticket.created',
    ticketId: '11',
    simpli: {
      '/classify': { subject: 'Test ticket subject ☃', body: 'Test ticket description ☃.' },
      '/analyze': { customer_id: 'requester-bob-example-com', text: 'Test ticket subject ☃\n\nTest ticket description ☃.' },
    },
    helpdesk: ['GET /api/v2/tickets/11', 'PUT /api/v2/tickets/11', 'POST /api/v2/tickets/11/notes'],
    writes: (calls) => {
      expect(calls[1]?.body).toEqual({ priority: 3, tags: ['billing', 'team-billing-team', 'negative', 'escalation-risk'] });
      expect(calls[2]?.body).toMatchObject({ private: true });
    },
  },
  { file: 'freshdesk/zulip-private-note.json', provider: 'freshdesk', path: '/webhooks/freshdesk', status: 200, response: { status: 'ignored' } },
  { file: 'freshdesk/zulip-priority-changed.json', provider: 'freshdesk', path: '/webhooks/freshdesk', status: 200, response: { status: 'ignored' } },
  // {status:{from:4,to:6}}, "Waiting on Customer": even a rule posting it to /ticket-resolved is no resolution.
  { file: 'freshdesk/zulip-status-changed.json', provider: 'freshdesk', path: '/webhooks/freshdesk/ticket-resolved', status: 200, response: { status: 'ignored' } },
  // Intercom: signed notifications on /webhooks/intercom, the topic names the event.
  { file: 'intercom/zulip-ping.json', provider: 'intercom', path: '/webhooks/intercom', status: 200, response: { status: 'ignored' } },
  {
    file: 'intercom/zulip-conversation-user-created.json',
    provider: 'intercom',
    path: '/webhooks/intercom',
    status: 202,
    eventType: 'ticket.created',
    ticketId: '21321941764',
    simpli: { '/classify': { subject: '', body: 'Hello everyone!' }, '/analyze': { customer_id: '5c9553cb27e377f24eed49f7', text: 'Hello everyone!' } },
    helpdesk: [
      'GET /tags',
      'POST /tags',
      'POST /conversations/21321941764/tags',
      'POST /tags',
      'POST /conversations/21321941764/tags',
      'POST /tags',
      'POST /conversations/21321941764/tags',
      'POST /tags',
      'POST /conversations/21321941764/tags',
      'POST /conversations/21321941764/reply',
    ],
  },
  {
    file: 'intercom/zulip-conversation-user-replied.json',
    provider: 'intercom',
    path: '/webhooks/intercom',
    status: 202,
    eventType: 'message.created',
    ticketId: '21322009097',
    simpli: { '/analyze': { text: 'Well, I need some help getting access to a developer account.' } },
    helpdesk: ['GET /tags', 'POST /tags', 'POST /conversations/21322009097/tags', 'POST /tags', 'POST /conversations/21322009097/tags', 'POST /conversations/21322009097/reply'],
  },
  { file: 'intercom/zulip-conversation-admin-noted.json', provider: 'intercom', path: '/webhooks/intercom', status: 200, response: { status: 'ignored' } },
  { file: 'intercom/zulip-conversation-part-tag-created.json', provider: 'intercom', path: '/webhooks/intercom', status: 200, response: { status: 'ignored' } },
  { file: 'intercom/zulip-conversation-priority-updated.json', provider: 'intercom', path: '/webhooks/intercom', status: 200, response: { status: 'ignored' } },
  {
    file: 'intercom/zulip-ticket-created.json',
    provider: 'intercom',
    path: '/webhooks/intercom',
    status: 202,
    eventType: 'ticket.created',
    ticketId: '215472629311235',
    simpli: {
      '/classify': {
        subject: "Unclear user message 'erf' with pending email response",
        body: "User sent an unclear message 'erf' and was informed that replies will be sent here and to admin@example.com; awaiting further clarification or response.",
      },
    },
    writes: (calls) => {
      // A ticket is written under /tickets (its API id), never /conversations.
      expect(calls.filter((c) => c.path.startsWith('/conversations'))).toEqual([]);
      expect(calls.at(-1)).toMatchObject({ method: 'POST', path: '/tickets/215472629311235/reply', body: { message_type: 'note', type: 'admin' } });
    },
  },
  // HubSpot: the SDK's published v1 example body, a contact.creation — not a ticket.
  { file: 'hubspot/hubspot-sdk-signature-v1-body.json', provider: 'hubspot', path: '/webhooks/hubspot', status: 200, response: { status: 'ignored' } },
  // Salesforce: outbound messages about Contacts and Leads, not Cases: acknowledged (<Ack>true</Ack>) and ignored.
  { file: 'salesforce/outbound-message-contact-2-notifications.xml', provider: 'salesforce', path: '/webhooks/salesforce/ticket-created', status: 200 },
  { file: 'salesforce/outbound-message-lead-sanitized.xml', provider: 'salesforce', path: '/webhooks/salesforce/ticket-created', status: 200 },
];

/** The listener's answer Salesforce expects (also a captured file): compared with ours, not sent. */
const ACK_FILE = 'salesforce/ack-notification-response.xml';

/** A strict-enough helpdesk API for these flows: Intercom's tag list and tag creation answer as documented. */
const helpdeskApi: Responder = (r) => {
  if (r.method === 'GET' && r.path === '/tags') return { json: { type: 'list', data: [] } };
  if (r.method === 'POST' && r.path === '/tags') {
    const name = (r.body as { name?: string }).name ?? '';
    return { json: { type: 'tag', id: `tag-${name}`, name } };
  }
  if (r.method === 'GET' && /^\/api\/v2\/tickets\/\d+$/.test(r.path)) return { json: { id: Number(r.path.split('/').at(-1)), tags: [] } };
  return { status: 200, json: {} };
};

function realFile(name: string): Buffer {
  return readFileSync(new URL(name, REAL));
}

describe.runIf(present)('real captured payloads through the local stack (fauxqs + dynalite, fake Simpli and helpdesk APIs)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      // No organizationIds allow-list for Salesforce: the sanitized capture's OrganizationId
      // (0123456789ABCDENNN) is no well-formed id (its suffix does not encode the case of the first 15
      // characters), so the token alone authenticates here.
      settings: allHelpdeskSettings,
      helpdesk: helpdeskApi,
    });
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => h.reset());

  it('covers every file in ../shared/fixtures/real (a new capture needs its expectation here)', () => {
    const files = readdirSync(REAL, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name !== 'SOURCES.md')
      .map((e) => `${e.parentPath.slice(REAL.pathname.length).replace(/\/?$/, '/')}${e.name}`.replace(/^\//, ''))
      .sort();
    expect(files).toEqual([...EXPECTED.map((e) => e.file), ACK_FILE].sort());
  });

  it.each(EXPECTED)('$file → $status $eventType', async (expected) => {
    const body = realFile(expected.file);
    const sign = signers[expected.provider];
    if (sign === undefined) throw new Error(`no signer for ${expected.provider}`);
    const signed = sign({ method: 'POST', url: `https://bridge.example.com${expected.path}`, body, secret: DEFAULT_SECRET, nowMs: Date.now() });
    const target = signed.url === undefined ? expected.path : `${new URL(signed.url).pathname}${new URL(signed.url).search}`;
    const response = await h.post(target, body, { 'content-type': expected.file.endsWith('.xml') ? 'text/xml; charset=utf-8' : 'application/json', ...signed.headers });
    expect(response.statusCode, response.body).toBe(expected.status);
    if (expected.response !== undefined) expect(JSON.parse(response.body)).toMatchObject(expected.response);
    await h.drain();

    if (expected.eventType === undefined) {
      // Acknowledged and ignored (or refused): nothing queued, no Simpli call, no write-back.
      expect(h.simpli.requests).toEqual([]);
      expect(h.helpdesk.requests).toEqual([]);
      expect(await h.deadLetters()).toEqual([]);
      return;
    }
    expect(JSON.parse(response.body)).toEqual({ status: 'accepted', eventIds: [expect.stringMatching(new RegExp(`^${expected.provider}:${expected.eventType.replace('.', '\\.')}:${expected.ticketId}(:|$)`))] });
    for (const [path, fields] of Object.entries(expected.simpli ?? {})) {
      const calls = h.simpli.calls('POST', path);
      expect(calls, `${path} calls`).toHaveLength(1);
      expect(calls[0]?.body).toMatchObject(fields);
    }
    if (expected.helpdesk !== undefined) expect(h.helpdesk.requests.map((r) => `${r.method} ${r.path}`)).toEqual(expected.helpdesk);
    expected.writes?.(h.helpdesk.requests);
    expect(await h.deadLetters()).toEqual([]);
  });

  it(`answers Salesforce with the Ack its listener must return (${ACK_FILE})`, async () => {
    const body = realFile('salesforce/outbound-message-contact-2-notifications.xml');
    const response = await h.post('/webhooks/salesforce/ticket-created?token=local-dev-secret', body, { 'content-type': 'text/xml; charset=utf-8' });
    const ours = response.body.replace(/^\uFEFF/, '');
    const reference = realFile(ACK_FILE).toString('utf8').replace(/^\uFEFF/, '');
    // Same element, namespace and value (whitespace and prefixes are free in XML).
    for (const xml of [ours, reference]) {
      expect(xml).toMatch(/<notificationsResponse xmlns="http:\/\/soap\.sforce\.com\/2005\/09\/outbound">\s*<Ack>true<\/Ack>\s*<\/notificationsResponse>/);
      expect(xml).toContain('http://schemas.xmlsoap.org/soap/envelope/');
    }
  });
});
