import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PermanentEventError, UpstreamError } from '../../../lib/errors.ts';
import { createHttpClient, type HttpClient } from '../../../lib/http.ts';
import { intercomProvider } from '../../../lib/providers/intercom/index.ts';
import type { NormalizedEvent, ProviderSettings, StepResults, WriteBackOp } from '../../../lib/providers/types.ts';
import { startFakeServer, type FakeServer, type Responder } from '../../support/fake-server.ts';
import { helpdeskContract } from '../../support/helpdesk-contracts.ts';

let api: FakeServer;
const http = createHttpClient({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });

/** A fake Intercom: one existing tag ("billing", id 81); POST /tags creates with a new id. */
const intercom: Responder = (req) => {
  if (req.method === 'GET' && req.path === '/tags') return { json: { type: 'list', data: [{ type: 'tag', id: '81', name: 'billing' }] } };
  if (req.method === 'POST' && req.path === '/tags') {
    const name = (req.body as { name: string }).name;
    return { json: { type: 'tag', id: `9${name.length}`, name } };
  }
  return { json: { type: 'conversation', id: '1295' } };
};

beforeAll(async () => {
  api = await startFakeServer(intercom, { contract: helpdeskContract });
});
afterAll(async () => {
  await api.stop();
});
// Every request the bridge made must keep the vendor's contract (helpdesk-contracts.ts).
afterEach(() => api.assertNoViolations());
beforeEach(() => {
  api.requests.length = 0;
  api.respond(intercom);
});

const conversation: NormalizedEvent = {
  eventType: 'ticket.created',
  ticketId: '1295',
  subject: 'Charged twice',
  body: 'I was charged twice.',
  customerId: 'u1',
  channel: 'email',
  conversation: [{ role: 'customer', content: 'I was charged twice.' }],
  metadata: { source: 'intercom', intercom_object: 'conversation' },
};
const ticket: NormalizedEvent = { ...conversation, ticketId: '1296', metadata: { source: 'intercom', intercom_object: 'ticket' } };

const triaged: StepResults = {
  classify: { category: 'billing', urgency: 'high', sentiment: 'negative', confidence: 0.87 },
  route: { team: 'billing-team', agent: 'A-012', reason: 'billing expertise' },
  sentiment: { score: -0.6, label: 'negative', escalation_risk: 0.7, triggers: ['refund'] },
};

const settingsFor = (extra: ProviderSettings = {}): ProviderSettings => ({ baseUrl: api.url, accessToken: 'tok-123', adminId: '814860', ...extra });

function ops(event: NormalizedEvent, results: StepResults, settings: ProviderSettings = settingsFor()): readonly WriteBackOp[] {
  return intercomProvider.writeBack({ event, results, confidenceThreshold: 0.6 }, { settings, http });
}

async function runAll(list: readonly WriteBackOp[], client: HttpClient = http): Promise<void> {
  for (const op of list) await op.run(client);
}

const calls = () => api.requests.map((r) => `${r.method} ${r.path}`);

describe('Intercom write-back', () => {
  it('lists tags, creates the missing ones, attaches each by id, and adds an admin note', async () => {
    const list = ops(conversation, triaged);
    expect(list.map((op) => op.key)).toEqual(['tags:classify+route+sentiment', 'note:classify+route+sentiment']);
    await runAll(list);

    expect(calls()).toEqual([
      'GET /tags',
      'POST /conversations/1295/tags',
      'POST /tags',
      'POST /conversations/1295/tags',
      'POST /tags',
      'POST /conversations/1295/tags',
      'POST /tags',
      'POST /conversations/1295/tags',
      'POST /conversations/1295/reply',
    ]);
    expect(api.calls('POST', '/tags').map((r) => r.body)).toEqual([{ name: 'team-billing-team' }, { name: 'negative' }, { name: 'escalation-risk' }]);
    expect(api.calls('POST', '/conversations/1295/tags').map((r) => r.body)).toEqual([
      { id: '81', admin_id: '814860' },
      { id: '917', admin_id: '814860' },
      { id: '98', admin_id: '814860' },
      { id: '915', admin_id: '814860' },
    ]);
    expect(api.calls('POST', '/conversations/1295/reply')[0]?.body).toEqual({
      message_type: 'note',
      type: 'admin',
      admin_id: '814860',
      body:
        '<p>[Simpli AI]</p>' +
        '<p>Triage: billing, urgency high (confidence 0.87).</p>' +
        '<p>Routing: team billing-team, agent A-012 (billing expertise).</p>' +
        '<p>Sentiment: negative (-0.60), escalation risk 0.70, triggers: refund.</p>',
    });
    for (const r of api.requests) {
      expect(r.headers.authorization).toBe('Bearer tok-123');
      expect(r.headers['intercom-version']).toBe('2.11');
    }
  });

  it('writes to /tickets/{id} for a ticket', async () => {
    await runAll(ops(ticket, { classify: triaged.classify } as StepResults));
    expect(calls()).toEqual(['GET /tags', 'POST /tickets/1296/tags', 'POST /tickets/1296/reply']);
    expect(api.calls('POST', '/tickets/1296/reply')[0]?.body).toMatchObject({ message_type: 'note', type: 'admin', admin_id: '814860' });
  });

  it('writes only the attributes mapped in customFields, priority word included, merged by PUT', async () => {
    const settings = settingsFor({ customFields: { ai_category: 'AI category', ai_escalation_risk: 'AI escalation risk', priority: 'AI priority' } });
    const list = ops(conversation, triaged, settings);
    expect(list.map((op) => op.key)).toContain('attributes:classify+route+sentiment');
    await runAll(list.filter((op) => op.key.startsWith('attributes:')));

    expect(calls()).toEqual(['PUT /conversations/1295']);
    expect(api.requests[0]?.body).toEqual({
      // Intercom 2.11's custom_attributes take strings only: the risk 0.7 goes as its decimal text.
      custom_attributes: { 'AI category': 'billing', 'AI escalation risk': '0.7', 'AI priority': 'high' },
    });
  });

  it('sends every decimal (confidence, sentiment, risk, QA) as its exact decimal text', async () => {
    const settings = settingsFor({
      customFields: { ai_confidence: 'AI confidence', ai_sentiment: 'AI sentiment', ai_escalation_risk: 'AI risk', ai_qa_score: 'AI QA' },
    });
    const results = { ...triaged, qa: { score: 0.92, summary: 'ok' } } as StepResults;
    await runAll(ops(conversation, results, settings).filter((op) => op.key.startsWith('attributes:')));
    expect(api.calls('PUT', '/conversations/1295')[0]?.body).toEqual({
      custom_attributes: { 'AI confidence': '0.87', 'AI sentiment': '-0.6', 'AI risk': '0.7', 'AI QA': '0.92' },
    });
  });

  it('sends ticket_attributes for a ticket', async () => {
    const list = ops(ticket, triaged, settingsFor({ customFields: { ai_team: 'AI team' } }));
    await runAll(list.filter((op) => op.key.startsWith('attributes:')));
    expect(api.calls('PUT', '/tickets/1296')[0]?.body).toEqual({ ticket_attributes: { 'AI team': 'billing-team' } });
  });

  it('sets no priority below the confidence threshold and tags for manual triage instead', async () => {
    const unsure: StepResults = { classify: { category: 'billing', urgency: 'urgent', sentiment: 'neutral', confidence: 0.3 } };
    const list = ops(conversation, unsure, settingsFor({ customFields: { priority: 'AI priority', ai_category: 'AI category' } }));
    await runAll(list);
    expect(api.calls('PUT', '/conversations/1295')[0]?.body).toEqual({ custom_attributes: { 'AI category': 'billing' } });
    expect(api.calls('POST', '/tags').map((r) => r.body)).toEqual([{ name: 'needs-manual-triage' }]);
  });

  it('prefixes the tags it owns with tagPrefix', async () => {
    await runAll(ops(conversation, { classify: triaged.classify } as StepResults, settingsFor({ tagPrefix: 'ai-' })));
    expect(api.calls('POST', '/tags').map((r) => r.body)).toEqual([{ name: 'ai-billing' }]);
  });

  it('writes no note when writeNotes is false', () => {
    expect(ops(conversation, triaged, settingsFor({ writeNotes: false })).map((op) => op.key)).toEqual(['tags:classify+route+sentiment']);
  });

  it('writes a QA note on resolution, keyed by its step', async () => {
    const list = ops({ ...conversation, eventType: 'ticket.resolved' }, { qa: { score: 0.92, summary: 'Resolved with empathy' } });
    expect(list.map((op) => op.key)).toEqual(['note:qa']);
    await runAll(list);
    expect(api.calls('POST', '/conversations/1295/reply')[0]?.body).toMatchObject({ body: '<p>[Simpli AI]</p><p>QA score: 0.92 — Resolved with empathy.</p>' });
  });

  it('gives a later attempt with more results new keys (the Ledger writes the rest)', () => {
    const first = ops(conversation, { classify: triaged.classify } as StepResults).map((op) => op.key);
    const later = ops(conversation, triaged).map((op) => op.key);
    expect(first).toEqual(['tags:classify', 'note:classify']);
    expect(later.some((key) => first.includes(key))).toBe(false);
  });

  it('honours Retry-After on a 429: the retry comes no sooner', async () => {
    const seenAtMs: number[] = [];
    api.respond((req) => {
      seenAtMs.push(Date.now());
      if (seenAtMs.length === 1) return { status: 429, json: { type: 'error.list' }, headers: { 'retry-after': '1', 'x-ratelimit-remaining': '0' } };
      return intercom(req);
    });
    const retrying = createHttpClient({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 } });
    const list = ops(conversation, triaged).filter((op) => op.key.startsWith('note:'));
    await runAll(list, retrying);

    expect(calls()).toEqual(['POST /conversations/1295/reply', 'POST /conversations/1295/reply']);
    expect((seenAtMs[1] ?? 0) - (seenAtMs[0] ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it('fails permanently on a 404 (deleted conversation), without retrying', async () => {
    api.respond(() => ({ status: 404, json: { type: 'error.list', errors: [{ code: 'not_found' }] } }));
    const retrying = createHttpClient({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 } });
    const note = ops(conversation, triaged).find((op) => op.key.startsWith('note:'));
    const error = await note?.run(retrying).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).retryable).toBe(false);
    expect(api.requests).toHaveLength(1);
  });

  describe('settings errors name the setting', () => {
    it.each([
      [{ adminId: '814860' }, 'invalid_setting_accessToken'],
      [{ accessToken: 'tok' }, 'invalid_setting_adminId'],
      [{ accessToken: 'tok', adminId: 'mark' }, 'invalid_setting_adminId'],
      [{ accessToken: 'tok', adminId: '1', baseUrl: 'api.intercom.io' }, 'invalid_setting_baseUrl'],
      [{ accessToken: 'tok', adminId: '1', customFields: { ai_category: 5 } }, 'invalid_setting_customFields'],
    ])('%j → %s', (settings, reason) => {
      let error: unknown;
      try {
        ops(conversation, triaged, settings);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PermanentEventError);
      expect((error as PermanentEventError).reason).toBe(reason);
      expect((error as PermanentEventError).message).toContain('HELPDESK_CONFIG.intercom.');
    });
  });
});
