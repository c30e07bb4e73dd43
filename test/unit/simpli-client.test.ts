/**
 * The bodies the bridge sends to Simpli and how leniently it reads the answers, against a recording
 * server. Contracts: the guide's bridge and the real Sentiment service (../shared/reference/simpli.md
 * §2 and "The real Sentiment service"), simpli-core's client for Reply's `messages`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimpliConfig } from '../../lib/config.ts';
import { createHttpClient } from '../../lib/http.ts';
import { createSimpliClient } from '../../lib/simpli/client.ts';
import { summarizeResults } from '../../lib/write-back-summary.ts';
import type { NormalizedEvent } from '../../lib/providers/types.ts';
import { startFakeServer, type FakeServer } from '../support/fake-server.ts';

let server: FakeServer;
let config: SimpliConfig;
const http = createHttpClient({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
const conversation = [
  { role: 'customer', content: 'Charged twice 😀' },
  { role: 'agent', content: 'Refunded.' },
] as const;

beforeAll(async () => {
  server = await startFakeServer();
  config = {
    triageUrl: server.url,
    sentimentUrl: server.url,
    qaUrl: server.url,
    replyUrl: server.url,
    apiKey: 'k',
    draftReplies: true,
    draftStyle: 'friendly',
    draftLanguage: 'en',
    timeoutMs: 2_000,
    qaTimeoutMs: 2_000,
  };
});
afterAll(() => server.stop());
beforeEach(() => server.requests.splice(0));

describe('the Simpli request bodies', () => {
  it('calls QA with the guide body {conversation_id, agent_id, messages:[{role, content}]}', async () => {
    server.respond(() => ({ json: { score: 0.9 } }));
    await createSimpliClient(config, http).evaluateQa({ ticketId: 'T-1', agentId: 'A-7', conversation });
    expect(server.calls('POST', '/evaluate')[0]?.body).toEqual({
      conversation_id: 'T-1',
      agent_id: 'A-7',
      messages: [
        { role: 'customer', content: 'Charged twice 😀' },
        { role: 'agent', content: 'Refunded.' },
      ],
    });
  });

  it('forwards the whole /classify answer to /route, unknown keys included', async () => {
    const answer = { category: 'billing', priority: 'high', confidence: 0.8, language: 'en', tags: ['refund'] };
    server.respond((r) => (r.path === '/classify' ? { json: answer } : { json: { team: 'billing', agent: null } }));
    const simpli = createSimpliClient(config, http);
    const classification = await simpli.classify({ subject: 's', body: 'b', metadata: {} });
    await simpli.route({ ticketId: 'T-1', classification });
    expect(server.calls('POST', '/route')[0]?.body).toEqual({
      ticket_id: 'T-1',
      category: 'billing',
      priority: 'high',
      confidence: 0.8,
      language: 'en',
      tags: ['refund'],
    });
  });

  it('sends Reply both `conversation` and `messages`', async () => {
    server.respond(() => ({ json: { draft_id: 'd', draft: 'Hi', confidence: 0.9 } }));
    await createSimpliClient(config, http).draftReply({ ticketId: 'T-1', conversation });
    const body = server.calls('POST', '/api/v1/draft')[0]?.body as Record<string, unknown>;
    expect(body.conversation).toEqual(conversation);
    expect(body.messages).toEqual(conversation);
  });
});

describe('reading answers as leniently as the guide', () => {
  const event = { eventType: 'ticket.created', ticketId: 'T-1' } as NormalizedEvent;

  it('accepts /classify with `priority` and no sentiment or confidence, and uses the priority', async () => {
    server.respond(() => ({ json: { category: 'billing', priority: 'urgent' } }));
    const classify = await createSimpliClient(config, http).classify({ subject: 's', body: 'b', metadata: {} });
    const summary = summarizeResults({ event, results: { classify }, confidenceThreshold: 0.7 });
    expect(summary.priority).toBe('urgent');
    expect(summary.fields).toEqual({ ai_category: 'billing', ai_urgency: 'urgent' });
  });

  it('accepts /route with agent: null and writes no agent field', async () => {
    server.respond(() => ({ json: { team: 'billing', agent: null } }));
    const route = await createSimpliClient(config, http).route({ ticketId: 'T-1', classification: { category: 'billing' } });
    const summary = summarizeResults({ event, results: { route }, confidenceThreshold: 0.7 });
    expect(summary.fields).toEqual({ ai_team: 'billing' });
    expect(summary.note).toContain('no agent assigned');
  });

  it('accepts a sentiment answer of only label and score', async () => {
    server.respond(() => ({ json: { label: 'negative', score: -0.5 } }));
    const sentiment = await createSimpliClient(config, http).analyzeSentiment({ customerId: 'C', text: 't', channel: 'email' });
    const summary = summarizeResults({ event, results: { sentiment }, confidenceThreshold: 0.7 });
    expect(summary.fields).toEqual({ ai_sentiment: -0.5, ai_sentiment_label: 'negative' });
  });

  it('still fails a step whose answer lacks what the write-back needs', async () => {
    server.respond(() => ({ json: { priority: 'high' } }));
    await expect(createSimpliClient(config, http).classify({ subject: 's', body: 'b', metadata: {} })).rejects.toThrow(/category/);
    server.respond(() => ({ json: { agent: 'A' } }));
    await expect(createSimpliClient(config, http).route({ ticketId: 'T', classification: { category: 'c' } })).rejects.toThrow(/team/);
  });
});

describe('the slow-service rule: a call is not repeated while the service may still be working', () => {
  const retrying = createHttpClient({ retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 1 } });

  it('does not call Sentiment again after a timeout; the error stays retryable for SQS', async () => {
    server.respond(() => ({ delayMs: 400, json: { label: 'neutral', score: 0 } }));
    const error = await createSimpliClient({ ...config, sentimentTimeoutMs: 100 }, retrying)
      .analyzeSentiment({ customerId: 'C', text: 't', channel: 'email' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'timeout', retryable: true });
    await new Promise((r) => setTimeout(r, 500));
    expect(server.calls('POST', '/analyze')).toHaveLength(1);
  });

  it('waits for a slow Sentiment up to its own timeout (not the shared one) and calls it once', async () => {
    server.respond(() => ({ delayMs: 300, json: { label: 'neutral', score: 0 } }));
    const result = await createSimpliClient({ ...config, timeoutMs: 100, sentimentTimeoutMs: 2_000 }, retrying).analyzeSentiment({
      customerId: 'C',
      text: 't',
      channel: 'email',
    });
    expect(result.label).toBe('neutral');
    expect(server.calls('POST', '/analyze')).toHaveLength(1);
  });

  it('does not repeat a 500 or 504 in place, but does repeat a 503 (the service refused the work)', async () => {
    for (const [status, calls] of [
      [500, 1],
      [504, 1],
      [503, 4],
    ] as const) {
      server.requests.splice(0);
      server.respond(() => ({ status, json: { error_code: 'INTERNAL_ERROR' } }));
      await expect(createSimpliClient(config, retrying).classify({ subject: 's', body: 'b', metadata: {} })).rejects.toMatchObject({ retryable: true });
      expect(server.calls('POST', '/classify')).toHaveLength(calls);
    }
  });

  it('defaults Sentiment to 75 s, beyond the real service’s 60 s model timeout', async () => {
    const { loadProcessConfig } = await import('../../lib/config.ts');
    const env = { TRIAGE_URL: 'http://t', SENTIMENT_URL: 'http://s', QA_URL: 'http://q', REPLY_URL: 'http://r', LEDGER_TABLE: 'L', DEAD_LETTER_QUEUE_URL: 'http://d' };
    expect(loadProcessConfig(env).simpli.sentimentTimeoutMs).toBe(75_000);
    expect(loadProcessConfig({ ...env, SENTIMENT_TIMEOUT_MS: '90000' }).simpli.sentimentTimeoutMs).toBe(90_000);
  });
});
