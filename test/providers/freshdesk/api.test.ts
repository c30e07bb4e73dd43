import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PermanentEventError } from '../../../lib/errors.ts';
import { createHttpClient } from '../../../lib/http.ts';
import { freshdeskProvider } from '../../../lib/providers/freshdesk/index.ts';
import type { EventType, NormalizedEvent, QueuedEvent, StepResults } from '../../../lib/providers/types.ts';
import { startFakeServer, type FakeServer, jsonBody } from '../../support/fake-server.ts';
import { helpdeskContract } from '../../support/helpdesk-contracts.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/freshdesk/${name}`, import.meta.url), 'utf8'));
// Freshdesk API auth: Basic base64("{api_key}:X").
const AUTHORIZATION = `Basic ${Buffer.from('fd-api-key:X').toString('base64')}`;

function queued(eventType: EventType, ticketId: string, payload: unknown): QueuedEvent {
  return { provider: 'freshdesk', eventType, eventId: `freshdesk:${eventType}:${ticketId}`, ticketId, payload, receivedAt: '2024-04-17T17:18:11.000Z', requestId: 'r-1' };
}

const RESULTS: StepResults = {
  classify: { category: 'Billing', urgency: 'high', sentiment: 'negative', confidence: 0.87 },
  route: { team: 'billing-team', agent: 'A-012', reason: 'billing expertise' },
  sentiment: { score: -0.6, label: 'negative', escalation_risk: 0.7, triggers: ['refund'] },
};
const EVENT: NormalizedEvent = {
  eventType: 'ticket.created',
  ticketId: '20',
  subject: 'Charged twice',
  body: 'Refund please',
  customerId: 'jane@example.com',
  channel: 'email',
  conversation: [{ role: 'customer', content: 'Refund please' }],
  metadata: {},
};

describe('Freshdesk against a fake Freshdesk API', () => {
  let freshdesk: FakeServer;
  let settings: Record<string, unknown>;
  const http = createHttpClient({ retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20 } });
  const ticketWithTags = (tags: string[]) => () => ({ json: { id: 20, subject: 'Charged twice', tags } });

  beforeAll(async () => {
    freshdesk = await startFakeServer(undefined, { contract: helpdeskContract });
  });
  afterAll(async () => {
    await freshdesk.stop();
  });
  // Every request the bridge made must keep the vendor's contract (helpdesk-contracts.ts).
  afterEach(() => freshdesk.assertNoViolations());
  beforeEach(() => {
    freshdesk.requests.length = 0;
    freshdesk.respond((r) => (r.method === 'GET' ? ticketWithTags(['vip', 'billing'])() : { status: 200, json: {} }));
    settings = { baseUrl: freshdesk.url, apiKey: 'fd-api-key', customFields: { ai_category: 'cf_ai_category', ai_sentiment: 'cf_ai_sentiment' } };
  });

  const runAll = async (results: StepResults = RESULTS, threshold = 0.6) => {
    const ops = freshdeskProvider.writeBack({ event: EVENT, results, confidenceThreshold: threshold }, { settings, http });
    for (const op of ops) await op.run(http);
    return ops.map((op) => op.key);
  };

  describe('normalize', () => {
    it('maps the simple wrapper (labels, HTML description, requester email) without calling the API', async () => {
      const normalized = await freshdeskProvider.normalize(queued('ticket.created', '20', fixture('simple-ticket-created.json')), { settings, http });
      expect(normalized).toEqual({
        eventType: 'ticket.created',
        ticketId: '20',
        subject: 'Charged twice this month',
        body: 'I was charged twice for my subscription this month.\nPlease refund the duplicate charge.',
        customerId: 'jane@example.com',
        channel: 'email',
        messageText: undefined,
        conversation: [{ role: 'customer', content: 'I was charged twice for my subscription this month.\nPlease refund the duplicate charge.' }],
        metadata: { helpdesk: 'freshdesk', status: 'Open', priority: 'Low' },
      });
      expect(freshdesk.requests).toHaveLength(0);
    });

    it('maps the advanced template with numeric status, priority and source', async () => {
      const normalized = await freshdeskProvider.normalize(queued('message.created', '20', fixture('advanced-message-created.json')), { settings, http });
      expect(normalized).toMatchObject({
        customerId: '77000123456',
        channel: 'email',
        messageText: 'It has been three days and the refund has still not arrived. This is unacceptable.',
        metadata: { status: 'Open', priority: 'High', tags: ['billing', 'team-billing-team'] },
      });
    });

    it('reads the ticket when the webhook carries only its id', async () => {
      freshdesk.respond(() => ({ json: { id: 295186, subject: 'Cannot export', description_text: 'Export button does nothing', requester_id: 77, source: 7, status: 2, priority: 1, tags: [] } }));
      const normalized = await freshdeskProvider.normalize(queued('ticket.created', '295186', fixture('thin-ticket-created.json')), { settings, http });
      expect(normalized).toMatchObject({ subject: 'Cannot export', body: 'Export button does nothing', customerId: '77', channel: 'chat', metadata: { status: 'Open', priority: 'Low' } });
      expect(freshdesk.requests.map((r) => [r.method, r.path, r.headers.authorization])).toEqual([['GET', '/api/v2/tickets/295186', AUTHORIZATION]]);
    });

    it('fetches the conversations for QA: description first, private notes and the bridge’s notes left out', async () => {
      freshdesk.respond((r) =>
        r.path === '/api/v2/tickets/20/conversations' && r.query.get('page') === '1'
          ? {
              json: [
                { body_text: 'Looking into it', private: false, incoming: false },
                { body_text: 'Customer is VIP', private: true, incoming: false },
                { body_text: '[Simpli AI]\nTriage: billing', private: true, incoming: false },
                { body_text: 'Thanks, refund received', private: false, incoming: true },
              ],
            }
          : { status: 404, json: {} },
      );
      const normalized = await freshdeskProvider.normalize(queued('ticket.resolved', '20', fixture('simple-ticket-resolved.json')), { settings, http });
      expect(normalized.conversation).toEqual([
        { role: 'customer', content: 'I was charged twice for my subscription this month.\nPlease refund the duplicate charge.' },
        { role: 'agent', content: 'Looking into it' },
        { role: 'customer', content: 'Thanks, refund received' },
      ]);
      expect(freshdesk.requests[0]?.query.get('per_page')).toBe('100');
      expect(freshdesk.requests[0]?.headers.authorization).toBe(AUTHORIZATION);
    });
  });

  describe('write-back', () => {
    it('reads the tags, PUTs priority, the merged tags and cf_* fields, then POSTs a private note', async () => {
      const keys = await runAll();
      expect(keys).toEqual(['ticket:classify+route+sentiment', 'note:classify+route+sentiment']);
      expect(freshdesk.requests.map((r) => [r.method, r.path])).toEqual([
        ['GET', '/api/v2/tickets/20'],
        ['PUT', '/api/v2/tickets/20'],
        ['POST', '/api/v2/tickets/20/notes'],
      ]);
      expect(freshdesk.requests.every((r) => r.headers.authorization === AUTHORIZATION)).toBe(true);
      // The agent's "vip" tag survives: Freshdesk's PUT replaces the whole list.
      expect(freshdesk.requests[1]?.body).toEqual({
        priority: 3,
        tags: ['vip', 'billing', 'team-billing-team', 'negative', 'escalation-risk'],
        custom_fields: { cf_ai_category: 'Billing', cf_ai_sentiment: -0.6 },
      });
      const note = freshdesk.requests[2]?.body as { body: string; private: boolean };
      expect(note.private).toBe(true);
      expect(note.body).toMatch(/^\[Simpli AI\]<br>Triage: Billing, urgency high/);
    });

    it('maps Simpli urgencies to priorities 1–4', async () => {
      for (const [urgency, expected] of [['low', 1], ['medium', 2], ['high', 3], ['urgent', 4]] as const) {
        freshdesk.requests.length = 0;
        await runAll({ classify: { category: 'x', urgency, sentiment: 'neutral', confidence: 0.9 } });
        expect(freshdesk.calls('PUT', '/api/v2/tickets/20')[0]?.body).toMatchObject({ priority: expected });
      }
    });

    it('sets no priority below the threshold; sends no tags when the ticket already has them all', async () => {
      freshdesk.respond((r) => (r.method === 'GET' ? ticketWithTags(['billing', 'needs-manual-triage'])() : { status: 200, json: {} }));
      await runAll({ classify: { category: 'Billing', urgency: 'urgent', sentiment: 'negative', confidence: 0.3 } });
      expect(freshdesk.calls('PUT', '/api/v2/tickets/20')[0]?.body).toEqual({ custom_fields: { cf_ai_category: 'Billing' } });
    });

    it('skips the note when writeNotes is false and escapes HTML in it otherwise', async () => {
      settings = { ...settings, writeNotes: false };
      expect(await runAll()).toEqual(['ticket:classify+route+sentiment']);
      settings = { ...settings, writeNotes: true };
      freshdesk.requests.length = 0;
      await runAll({ draft: { draft_id: 'd-1', draft: 'Use <b>this</b> & that', confidence: 0.8 } });
      expect(jsonBody<{ body: string }>(freshdesk.calls('POST', '/api/v2/tickets/20/notes')[0]).body).toContain('Use &lt;b&gt;this&lt;/b&gt; &amp; that');
    });

    it('builds the API origin from the domain', async () => {
      for (const domain of ['acme', 'acme.freshdesk.com', 'https://acme.freshdesk.com/']) {
        const ops = freshdeskProvider.writeBack({ event: EVENT, results: { qa: { score: 0.9 } }, confidenceThreshold: 0.6 }, { settings: { domain, apiKey: 'k' }, http });
        const urls: string[] = [];
        await ops[0]?.run({
          request: async (r) => {
            urls.push(r.url);
            return { status: 200, headers: new Headers(), body: '{}' };
          },
        });
        expect(urls).toEqual(['https://acme.freshdesk.com/api/v2/tickets/20/notes']);
      }
    });

    it('rejects missing or invalid settings with a permanent error naming the setting', () => {
      const messageOf = (s: Record<string, unknown>) => {
        try {
          freshdeskProvider.writeBack({ event: EVENT, results: RESULTS, confidenceThreshold: 0.6 }, { settings: s, http });
        } catch (error) {
          expect(error).toBeInstanceOf(PermanentEventError);
          return (error as Error).message;
        }
        throw new Error('expected a PermanentEventError');
      };
      expect(messageOf({ apiKey: 'k' })).toContain('HELPDESK_CONFIG.freshdesk.domain');
      expect(messageOf({ domain: 'acme' })).toContain('HELPDESK_CONFIG.freshdesk.apiKey');
      expect(messageOf({ domain: 'acme', apiKey: 'k', customFields: { ai_category: 'Category' } })).toContain('customFields.ai_category');
    });

    it('waits as long as a 429’s Retry-After asks before trying again', async () => {
      const arrivals: number[] = [];
      freshdesk.respond((r) => {
        if (r.method === 'GET') return ticketWithTags([])();
        arrivals.push(Date.now());
        return arrivals.length === 1 ? { status: 429, headers: { 'retry-after': '1', 'x-ratelimit-remaining': '0' }, json: {} } : { status: 200, json: {} };
      });
      const quick = createHttpClient({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
      const ops = freshdeskProvider.writeBack({ event: EVENT, results: RESULTS, confidenceThreshold: 0.6 }, { settings, http: quick });
      await ops[0]?.run(quick);
      expect(freshdesk.calls('PUT', '/api/v2/tickets/20')).toHaveLength(2);
      expect((arrivals[1] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(1000);
    });
  });
});
