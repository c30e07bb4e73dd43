import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PermanentEventError } from '../../../lib/errors.ts';
import { createHttpClient, type HttpClient } from '../../../lib/http.ts';
import { salesforceProvider } from '../../../lib/providers/salesforce/index.ts';
import { mergeTags, truncateUtf8 } from '../../../lib/providers/salesforce/write-back.ts';
import type { NormalizedEvent, ProviderSettings, StepResults, WriteBackOp } from '../../../lib/providers/types.ts';
import { startFakeServer, type FakeServer, type Responder, jsonBody } from '../../support/fake-server.ts';
import { helpdeskContract } from '../../support/helpdesk-contracts.ts';

let api: FakeServer;
const http = createHttpClient({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });

/** A fake Salesforce: PATCH answers 204, CaseComment insert 201, a Case read returns AI_Tags__c. */
const salesforce: Responder = (req) => {
  if (req.method === 'PATCH') return { status: 204, headers: { 'sforce-limit-info': 'api-usage=18/15000' } };
  if (req.method === 'POST') return { status: 201, json: { id: '00a5e00000CmT09AAF', success: true, errors: [] } };
  if (req.method === 'GET') return { json: { attributes: { type: 'Case' }, Id: '5005e00000QxYz1AAF', AI_Tags__c: 'vip;billing' } };
  return { status: 404, json: [{ errorCode: 'NOT_FOUND' }] };
};

beforeAll(async () => {
  api = await startFakeServer(salesforce, { contract: helpdeskContract });
});
afterAll(async () => {
  await api.stop();
});
// Every request the bridge made must keep the vendor's contract (helpdesk-contracts.ts).
afterEach(() => api.assertNoViolations());
beforeEach(() => {
  api.requests.length = 0;
  api.respond(salesforce);
});

const event: NormalizedEvent = {
  eventType: 'ticket.created',
  ticketId: '5005e00000QxYz1AAF',
  subject: 'Charged twice',
  body: 'I was charged twice.',
  customerId: '0035e00000CtC01AAF',
  channel: 'email',
  conversation: [{ role: 'customer', content: 'I was charged twice.' }],
  metadata: { source: 'salesforce' },
};

const triaged: StepResults = {
  classify: { category: 'billing', urgency: 'urgent', sentiment: 'negative', confidence: 0.87 },
  route: { team: 'billing-team', agent: 'A-012', reason: 'billing expertise' },
  sentiment: { score: -0.6, label: 'negative', escalation_risk: 0.7, triggers: ['refund'] },
};

const settingsFor = (extra: ProviderSettings = {}): ProviderSettings => ({ instanceUrl: `${api.url}/`, accessToken: 'sf-token', ...extra });

function ops(results: StepResults, settings: ProviderSettings = settingsFor(), e: NormalizedEvent = event): readonly WriteBackOp[] {
  return salesforceProvider.writeBack({ event: e, results, confidenceThreshold: 0.6 }, { settings, http });
}

async function runAll(list: readonly WriteBackOp[], client: HttpClient = http): Promise<void> {
  for (const op of list) await op.run(client);
}

describe('Salesforce write-back', () => {
  it('PATCHes Priority and the mapped custom fields of the Case, then inserts an internal CaseComment', async () => {
    const settings = settingsFor({
      apiVersion: '61.0',
      customFields: { ai_category: 'AI_Category__c', ai_confidence: 'AI_Confidence__c', ai_team: 'AI_Team__c', ai_escalation_risk: 'AI_Escalation_Risk__c' },
    });
    const list = ops(triaged, settings);
    expect(list.map((op) => op.key)).toEqual(['fields:classify+route+sentiment', 'note:classify+route+sentiment']);
    await runAll(list);

    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PATCH /services/data/v61.0/sobjects/Case/5005e00000QxYz1AAF',
      'POST /services/data/v61.0/sobjects/CaseComment',
    ]);
    expect(api.requests[0]?.body).toEqual({
      Priority: 'High',
      AI_Category__c: 'billing',
      AI_Confidence__c: 0.87,
      AI_Team__c: 'billing-team',
      AI_Escalation_Risk__c: 0.7,
    });
    expect(api.requests[1]?.body).toEqual({
      ParentId: '5005e00000QxYz1AAF',
      CommentBody:
        '[Simpli AI]\nTriage: billing, urgency urgent (confidence 0.87).\nRouting: team billing-team, agent A-012 (billing expertise).\nSentiment: negative (-0.60), escalation risk 0.70, triggers: refund.',
      IsPublished: false,
    });
    for (const r of api.requests) {
      expect(r.headers.authorization).toBe('Bearer sf-token');
      expect(r.headers['content-type']).toBe('application/json');
    }
  });

  it('uses the documented default API version v62.0', async () => {
    await runAll(ops({ qa: { score: 0.9 } }));
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /services/data/v62.0/sobjects/CaseComment']);
  });

  it.each([
    ['low', 'Low'],
    ['medium', 'Medium'],
    ['high', 'High'],
    ['urgent', 'High'],
    ['critical', 'High'],
  ])('maps urgency %s to Case.Priority %s', async (urgency, priority) => {
    await runAll(ops({ classify: { category: 'billing', urgency, sentiment: 'neutral', confidence: 0.9 } }, settingsFor({ writeNotes: false })));
    expect(api.calls('PATCH', /\/sobjects\/Case\//)[0]?.body).toEqual({ Priority: priority });
  });

  it('sets no Priority below the confidence threshold', () => {
    const list = ops({ classify: { category: 'billing', urgency: 'urgent', sentiment: 'neutral', confidence: 0.2 } }, settingsFor({ writeNotes: false }));
    expect(list).toEqual([]);
  });

  it('merges tags into the multi-select field named by customFields.ai_tags (read → merge → write)', async () => {
    await runAll(ops(triaged, settingsFor({ writeNotes: false, tagPrefix: 'ai-', customFields: { ai_tags: 'AI_Tags__c' } })));
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /services/data/v62.0/sobjects/Case/5005e00000QxYz1AAF',
      'PATCH /services/data/v62.0/sobjects/Case/5005e00000QxYz1AAF',
    ]);
    expect(api.requests[0]?.query.get('fields')).toBe('AI_Tags__c');
    expect(api.requests[1]?.body).toEqual({
      Priority: 'High',
      AI_Tags__c: 'vip;billing;ai-billing;ai-team-billing-team;ai-negative;ai-escalation-risk',
    });
  });

  it('writes nothing to fields the deployment did not map', async () => {
    await runAll(ops({ sentiment: triaged.sentiment } as StepResults, settingsFor({ writeNotes: false })));
    expect(api.requests).toHaveLength(0);
  });

  it('writes the QA note on resolution and the QA field when mapped', async () => {
    const list = ops({ qa: { score: 0.92, summary: 'Resolved with empathy' } }, settingsFor({ customFields: { ai_qa_score: 'AI_QA_Score__c' } }), {
      ...event,
      eventType: 'ticket.resolved',
    });
    expect(list.map((op) => op.key)).toEqual(['fields:qa', 'note:qa']);
    await runAll(list);
    expect(api.requests[0]?.body).toEqual({ AI_QA_Score__c: 0.92 });
    expect(api.requests[1]?.body).toMatchObject({ CommentBody: '[Simpli AI]\nQA score: 0.92 — Resolved with empathy.', IsPublished: false });
  });

  it('keeps CommentBody within 4,000 bytes', async () => {
    const long = { draft: { draft_id: 'd-1', draft: 'é'.repeat(5000), confidence: 0.8 } };
    await runAll(ops(long));
    const body = jsonBody<{ CommentBody: string }>(api.requests[0]).CommentBody;
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(4000);
    expect(body.startsWith('[Simpli AI]')).toBe(true);
    expect(truncateUtf8('ab€', 4)).toBe('a…');
    expect(truncateUtf8('ab€', 5)).toBe('ab€');
    expect(mergeTags(' a ; b;', ['b', 'c'])).toBe('a;b;c');
  });

  it('honours Retry-After on a 429: the retry comes no sooner', async () => {
    const seenAtMs: number[] = [];
    api.respond((req) => {
      seenAtMs.push(Date.now());
      return seenAtMs.length === 1 ? { status: 429, headers: { 'retry-after': '1' }, json: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED' }] } : salesforce(req);
    });
    await runAll(ops({ qa: { score: 0.9 } }), createHttpClient({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 } }));
    expect(api.requests).toHaveLength(2);
    expect((seenAtMs[1] ?? 0) - (seenAtMs[0] ?? 0)).toBeGreaterThanOrEqual(990);
  });

  describe('settings errors name the setting', () => {
    it.each([
      [{ accessToken: 't' }, 'invalid_setting_instanceUrl'],
      [{ instanceUrl: 'acme.my.salesforce.com', accessToken: 't' }, 'invalid_setting_instanceUrl'],
      [{ instanceUrl: 'https://acme.my.salesforce.com' }, 'invalid_setting_accessToken'],
      [{ instanceUrl: 'https://acme.my.salesforce.com', accessToken: 't', apiVersion: 'latest' }, 'invalid_setting_apiVersion'],
      [{ instanceUrl: 'https://acme.my.salesforce.com', accessToken: 't', customFields: { ai_category: 'AI Category' } }, 'invalid_setting_customFields'],
    ])('%j → %s', (settings, reason) => {
      let error: unknown;
      try {
        ops(triaged, settings);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PermanentEventError);
      expect((error as PermanentEventError).reason).toBe(reason);
      expect((error as PermanentEventError).message).toContain('HELPDESK_CONFIG.salesforce.');
    });
  });
});
