import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PermanentEventError } from '../../../lib/errors.ts';
import { createHttpClient } from '../../../lib/http.ts';
import { zendeskProvider } from '../../../lib/providers/zendesk/index.ts';
import type { EventType, NormalizedEvent, QueuedEvent, StepResults } from '../../../lib/providers/types.ts';
import { startFakeServer, type FakeServer, jsonBody } from '../../support/fake-server.ts';
import { helpdeskContract } from '../../support/helpdesk-contracts.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/zendesk/${name}`, import.meta.url), 'utf8'));

// What Zendesk's API token auth looks like: Basic base64("{email}/token:{api_token}").
const AUTHORIZATION = `Basic ${Buffer.from('bot@acme.example/token:zd-api-token').toString('base64')}`;

function queued(eventType: EventType, ticketId: string, payload: unknown): QueuedEvent {
  return { provider: 'zendesk', eventType, eventId: `zendesk:${eventType}:${ticketId}`, ticketId, payload, receivedAt: '2024-04-17T17:18:11.000Z', requestId: 'r-1' };
}

const RESULTS: StepResults = {
  classify: { category: 'Billing', urgency: 'high', sentiment: 'negative', confidence: 0.87 },
  route: { team: 'billing-team', agent: 'A-012', reason: 'billing expertise' },
  sentiment: { score: -0.6, label: 'negative', escalation_risk: 0.7, triggers: ['refund'] },
};

const EVENT: NormalizedEvent = {
  eventType: 'ticket.created',
  ticketId: '35436',
  subject: 'Charged twice',
  body: 'Refund please',
  customerId: '8447388090494',
  channel: 'email',
  conversation: [{ role: 'customer', content: 'Refund please' }],
  metadata: {},
};

describe('Zendesk against a fake Zendesk API', () => {
  let zendesk: FakeServer;
  let settings: Record<string, unknown>;
  const http = createHttpClient({ retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20 } });

  beforeAll(async () => {
    zendesk = await startFakeServer(undefined, { contract: helpdeskContract });
  });
  afterAll(async () => {
    await zendesk.stop();
  });
  // Every request the bridge made must keep the vendor's contract (helpdesk-contracts.ts).
  afterEach(() => zendesk.assertNoViolations());
  beforeEach(() => {
    zendesk.requests.length = 0;
    zendesk.respond(() => ({ status: 200, json: {} }));
    settings = {
      baseUrl: zendesk.url,
      email: 'bot@acme.example',
      apiToken: 'zd-api-token',
      customFields: { ai_category: 360001234567, ai_urgency: '360001234568', ai_sentiment: 360001234569 },
    };
  });

  const runAll = async (input: { event?: NormalizedEvent; results?: StepResults; threshold?: number }) => {
    const ops = zendeskProvider.writeBack(
      { event: input.event ?? EVENT, results: input.results ?? RESULTS, confidenceThreshold: input.threshold ?? 0.6 },
      { settings, http },
    );
    for (const op of ops) await op.run(http);
    return ops.map((op) => op.key);
  };

  describe('normalize', () => {
    it('maps an event-subscription ticket.created without calling the API', async () => {
      const normalized = await zendeskProvider.normalize(queued('ticket.created', '35436', fixture('ticket-created.json')), { settings, http });
      expect(normalized).toEqual({
        eventType: 'ticket.created',
        ticketId: '35436',
        subject: 'Charged twice this month',
        body: 'I was charged twice for my subscription this month. Please refund the duplicate charge.',
        customerId: '8447388090494',
        channel: 'email',
        messageText: undefined,
        conversation: [{ role: 'customer', content: 'I was charged twice for my subscription this month. Please refund the duplicate charge.' }],
        metadata: { helpdesk: 'zendesk', source: 'event', status: 'NEW', via: 'email' },
      });
      expect(zendesk.requests).toHaveLength(0);
    });

    it('takes a reply’s text from event.comment', async () => {
      const normalized = await zendeskProvider.normalize(queued('message.created', '35436', fixture('comment-added.json')), { settings, http });
      expect(normalized.messageText).toBe('It has been three days and I still have not received the refund. This is unacceptable.');
      expect(normalized.conversation).toEqual([{ role: 'customer', content: normalized.messageText }]);
      expect(normalized.metadata).toMatchObject({ priority: 'high', tags: ['billing', 'team-billing-team'] });
    });

    it('maps the documented trigger template (labels, space-separated tags, "Web Form")', async () => {
      const normalized = await zendeskProvider.normalize(queued('message.created', '35437', fixture('trigger-message-created.json')), { settings, http });
      expect(normalized).toMatchObject({
        subject: 'Cannot log in after password reset',
        customerId: '8447388090777',
        channel: 'web',
        messageText: 'Still locked out. I have a demo in one hour, please help!',
        metadata: { source: 'trigger', status: 'Open', priority: 'Normal', tags: ['login', 'needs-manual-triage'], via: 'Web Form' },
      });
    });

    it('maps the flat field shape', async () => {
      const normalized = await zendeskProvider.normalize(queued('ticket.created', '4', fixture('trigger-flat.json')), { settings, http });
      expect(normalized).toMatchObject({
        subject: 'Refund not received',
        body: 'I returned the item two weeks ago and the refund has not arrived.',
        customerId: 'pat@example.com',
        metadata: { status: 'Open', priority: 'High', tags: ['refund', 'returns'] },
      });
    });

    it('reads the ticket when a thin trigger sends only its id', async () => {
      zendesk.respond((r) =>
        r.path === '/api/v2/tickets/35438'
          ? { json: { ticket: { id: 35438, subject: 'Printer on fire', description: 'It is literally on fire.', requester_id: 99, via: { channel: 'voice' }, status: 'new', tags: [] } } }
          : { status: 404, json: {} },
      );
      const normalized = await zendeskProvider.normalize(queued('ticket.created', '35438', fixture('trigger-thin.json')), { settings, http });
      expect(normalized).toMatchObject({ subject: 'Printer on fire', body: 'It is literally on fire.', customerId: '99', channel: 'phone' });
      expect(zendesk.requests.map((r) => [r.method, r.path, r.headers.authorization])).toEqual([['GET', '/api/v2/tickets/35438', AUTHORIZATION]]);
    });

    it('fetches the public conversation for QA on resolution, following next_page on the same host only', async () => {
      zendesk.respond((r) => {
        if (r.path === '/api/v2/tickets/35436/comments' && r.query.get('page') === null) {
          return {
            json: {
              comments: [
                { id: 1, author_id: 8447388090494, body: 'Charged twice', plain_body: 'Charged twice', public: true },
                { id: 2, author_id: 8447388095614, body: 'Checking with billing', plain_body: 'Checking with billing', public: false },
                { id: 3, author_id: 8447388095614, body: 'Refunded!', plain_body: 'Refunded!', public: true },
              ],
              next_page: `${zendesk.url}/api/v2/tickets/35436/comments?page=2`,
            },
          };
        }
        if (r.query.get('page') === '2') {
          return {
            json: {
              comments: [
                { id: 4, author_id: 8447388099999, plain_body: '[Simpli AI]\nTriage: billing', public: false },
                { id: 5, author_id: 8447388090494, plain_body: 'Thanks, got it.', public: true },
              ],
              next_page: 'https://evil.example/api/v2/tickets/35436/comments?page=3',
            },
          };
        }
        return { status: 404, json: {} };
      });
      const normalized = await zendeskProvider.normalize(queued('ticket.resolved', '35436', fixture('status-changed-solved.json')), { settings, http });
      expect(normalized.conversation).toEqual([
        { role: 'customer', content: 'Charged twice' },
        { role: 'agent', content: 'Refunded!' },
        { role: 'customer', content: 'Thanks, got it.' },
      ]);
      expect(zendesk.requests).toHaveLength(2);
      expect(zendesk.requests.every((r) => r.headers.authorization === AUTHORIZATION)).toBe(true);
    });

    it('cannot fetch the conversation without credentials: a permanent error naming the setting', async () => {
      const error = await zendeskProvider
        .normalize(queued('ticket.resolved', '35436', fixture('status-changed-solved.json')), { settings: { subdomain: 'acme' }, http })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PermanentEventError);
      expect((error as PermanentEventError).reason).toBe('invalid_settings');
      expect((error as Error).message).toContain('HELPDESK_CONFIG.zendesk.email');
    });
  });

  describe('write-back', () => {
    it('adds tags with the Tags API (PUT adds), then one ticket update with priority, custom fields by id and a private note', async () => {
      const keys = await runAll({});
      expect(keys).toEqual(['tags:classify+route+sentiment', 'ticket:classify+route+sentiment']);
      expect(zendesk.requests.map((r) => [r.method, r.path])).toEqual([
        ['PUT', '/api/v2/tickets/35436/tags'],
        ['PUT', '/api/v2/tickets/35436'],
      ]);
      expect(zendesk.requests.every((r) => r.headers.authorization === AUTHORIZATION)).toBe(true);
      expect(zendesk.requests[0]?.body).toEqual({ tags: ['billing', 'team-billing-team', 'negative', 'escalation-risk'] });
      const update = zendesk.requests[1]?.body as { ticket: { comment: { body: string; public: boolean } } };
      expect(update).toEqual({
        ticket: {
          comment: { body: expect.stringMatching(/^\[Simpli AI\]\nTriage: Billing, urgency high/) as unknown, public: false },
          priority: 'high',
          custom_fields: [
            { id: 360001234567, value: 'Billing' },
            { id: 360001234568, value: 'high' },
            { id: 360001234569, value: -0.6 },
          ],
        },
      });
      expect(update.ticket.comment.body).toContain('Routing: team billing-team, agent A-012');
    });

    it('maps Simpli urgencies to Zendesk priorities (medium → normal)', async () => {
      for (const [urgency, expected] of [['low', 'low'], ['medium', 'normal'], ['high', 'high'], ['urgent', 'urgent'], ['critical', 'urgent']] as const) {
        zendesk.requests.length = 0;
        await runAll({ results: { classify: { category: 'x', urgency, sentiment: 'neutral', confidence: 0.9 } } });
        expect(jsonBody<{ ticket: { priority?: string } }>(zendesk.calls('PUT', '/api/v2/tickets/35436')[0]).ticket.priority).toBe(expected);
      }
    });

    it('sets no priority below the confidence threshold and tags the ticket for manual triage', async () => {
      await runAll({ results: { classify: { category: 'Billing', urgency: 'urgent', sentiment: 'negative', confidence: 0.4 } } });
      expect(zendesk.calls('PUT', '/api/v2/tickets/35436/tags')[0]?.body).toEqual({ tags: ['billing', 'needs-manual-triage'] });
      expect(zendesk.calls('PUT', '/api/v2/tickets/35436')[0]?.body).not.toHaveProperty('ticket.priority');
    });

    it('writes no note when writeNotes is false, and only configured custom fields', async () => {
      settings = { ...settings, writeNotes: false, customFields: { ai_team: 360009999999 }, tagPrefix: 'ai-' };
      await runAll({});
      expect(zendesk.calls('PUT', '/api/v2/tickets/35436/tags')[0]?.body).toEqual({ tags: ['ai-billing', 'ai-team-billing-team', 'ai-negative', 'ai-escalation-risk'] });
      expect(zendesk.calls('PUT', '/api/v2/tickets/35436')[0]?.body).toEqual({
        ticket: { priority: 'high', custom_fields: [{ id: 360009999999, value: 'billing-team' }] },
      });
    });

    it('builds the API origin from the subdomain', () => {
      const ops = zendeskProvider.writeBack(
        { event: EVENT, results: RESULTS, confidenceThreshold: 0.6 },
        { settings: { subdomain: 'acme', email: 'bot@acme.example', apiToken: 't' }, http },
      );
      expect(ops.map((o) => o.key)).toEqual(['tags:classify+route+sentiment', 'ticket:classify+route+sentiment']);
      let url = '';
      void ops[0]?.run({
        request: async (r) => {
          url = r.url;
          return { status: 200, headers: new Headers(), body: '{}' };
        },
      });
      expect(url).toBe('https://acme.zendesk.com/api/v2/tickets/35436/tags');
    });

    it('rejects missing or invalid settings with a permanent error naming the setting', () => {
      const attempt = (s: Record<string, unknown>) => {
        try {
          zendeskProvider.writeBack({ event: EVENT, results: RESULTS, confidenceThreshold: 0.6 }, { settings: s, http });
        } catch (error) {
          return error as PermanentEventError;
        }
        throw new Error('expected a PermanentEventError');
      };
      expect(attempt({ email: 'a@b.c', apiToken: 't' }).message).toContain('HELPDESK_CONFIG.zendesk.subdomain');
      expect(attempt({ subdomain: 'acme', apiToken: 't' }).message).toContain('HELPDESK_CONFIG.zendesk.email');
      expect(attempt({ subdomain: 'acme', email: 'a@b.c' }).message).toContain('HELPDESK_CONFIG.zendesk.apiToken');
      expect(attempt({ subdomain: 'acme', email: 'a@b.c', apiToken: 't', customFields: { ai_category: 'Category' } }).message).toContain('customFields.ai_category');
      expect(attempt({ baseUrl: 'not a url', email: 'a@b.c', apiToken: 't' })).toBeInstanceOf(PermanentEventError);
    });

    it('writes nothing when no step has succeeded', () => {
      expect(zendeskProvider.writeBack({ event: EVENT, results: {}, confidenceThreshold: 0.6 }, { settings, http })).toEqual([]);
    });

    it('waits as long as a 429’s Retry-After asks before trying again', async () => {
      const arrivals: number[] = [];
      zendesk.respond(() => {
        arrivals.push(Date.now());
        return arrivals.length === 1 ? { status: 429, headers: { 'retry-after': '1' }, json: { error: 'TooManyRequests' } } : { status: 200, json: {} };
      });
      // Backoff alone would wait at most 2 ms: only Retry-After explains a one-second gap.
      const quick = createHttpClient({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
      const ops = zendeskProvider.writeBack({ event: EVENT, results: RESULTS, confidenceThreshold: 0.6 }, { settings, http: quick });
      await ops[0]?.run(quick);
      expect(zendesk.calls('PUT', '/api/v2/tickets/35436/tags')).toHaveLength(2);
      expect((arrivals[1] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(1000);
    });
  });
});
