/**
 * Two consumers writing one ticket at once (issue #11, "Ordering"): two customer comments of one
 * Zendesk ticket arrive in one SQS batch and are processed concurrently; the older one's write to
 * Zendesk is slow. Without the Ledger's per-ticket lock both would decide on the same state and the
 * older write would land last, leaving the older sentiment on the ticket.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signZendesk } from '../../infra/sign/zendesk.ts';
import { zendeskProvider } from '../../lib/providers/zendesk/index.ts';
import { DEFAULT_SECRET, defaultSimpli, startHarness, type Harness } from '../support/bridge-harness.ts';
import type { RecordedRequest, Responder } from '../support/fake-server.ts';

const COMMENT = JSON.parse(readFileSync(new URL('../fixtures/zendesk/comment-added.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const SENTIMENT_FIELD = 9006;

/** The fixture as comment `commentId` at `time`, its text carrying the score the fake Sentiment gives it. */
function comment(commentId: string, time: string, score: number): string {
  const event = COMMENT.event as Record<string, unknown>;
  return JSON.stringify({
    ...COMMENT,
    id: `comment-${commentId}`,
    time,
    detail: { ...(COMMENT.detail as Record<string, unknown>), updated_at: time },
    event: { ...event, comment: { ...(event.comment as Record<string, unknown>), id: commentId, body: `Still waiting for my refund. [s=${score}]` } },
  });
}

const simpli: Responder = (request) => {
  if (request.path !== '/analyze') return defaultSimpli(request);
  const reply = defaultSimpli(request);
  if ('status' in reply && reply.status === 422) return reply;
  const score = Number(/\[s=(-?[\d.]+)\]/.exec(String((request.body as { text?: unknown }).text))?.[1]);
  return { json: { score, label: score < 0 ? 'negative' : 'positive', escalation_risk: 0.1 } };
};

describe('two concurrent writers of one ticket (real handlers on fauxqs + dynalite)', () => {
  let h: Harness;
  /** The sentiment field values in the order Zendesk applied them. */
  const applied: unknown[] = [];

  const zendesk: Responder = async (request: RecordedRequest) => {
    const fields = (request.body as { ticket?: { custom_fields?: { id: number; value: unknown }[] } } | undefined)?.ticket?.custom_fields ?? [];
    const sentiment = fields.find((f) => f.id === SENTIMENT_FIELD)?.value;
    // The older comment's update takes a while to reach Zendesk.
    if (sentiment === -0.8) await new Promise((resolve) => setTimeout(resolve, 400));
    if (sentiment !== undefined) applied.push(sentiment);
    return { json: request.path.endsWith('/tags') ? { tags: [] } : { ticket: { id: 35436 } } };
  };

  beforeAll(async () => {
    h = await startHarness({
      providers: { zendesk: zendeskProvider },
      secrets: { zendesk: [DEFAULT_SECRET] },
      settings: (url) => ({ zendesk: { baseUrl: url, email: 'bot@acme.example', apiToken: 'zd-api-token', customFields: { ai_sentiment: SENTIMENT_FIELD } } }),
      helpdesk: zendesk,
      simpli,
      maxReceiveCount: 10,
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('lets only one write at a time, so the newer comment’s sentiment is what the ticket shows', async () => {
    const older = comment('900001', '2024-04-18T09:00:00Z', -0.8);
    const newer = comment('900002', '2024-04-18T09:05:00Z', 0.4);
    for (const body of [older, newer]) {
      const headers = signZendesk({ method: 'POST', url: 'https://bridge.example.com/webhooks/zendesk', body: Buffer.from(body), secret: DEFAULT_SECRET, nowMs: Date.now() }).headers;
      expect((await h.post('/webhooks/zendesk', body, headers)).statusCode).toBe(202);
    }
    // Both records in one batch, processed concurrently.
    expect(await h.deliver({ maxMessages: 10 })).toBe(2);
    await h.drain();
    h.helpdesk.assertNoViolations();

    expect(applied.at(-1)).toBe(0.4);
    // The older comment wrote its fields only if it went first; never after the newer one.
    expect(applied.indexOf(-0.8)).toBeLessThanOrEqual(0);
    const notes = h.helpdesk.requests.filter((r) => r.method === 'PUT' && !r.path.endsWith('/tags'));
    expect(notes).toHaveLength(2);
    const state = await h.ledger.tickets?.get('zendesk', '35436');
    expect(state?.marks.sentiment).toEqual({ atMs: Date.parse('2024-04-18T09:05:00Z'), eventId: 'zendesk:message.created:35436:900002' });
    expect(state?.lockOwner).toBeUndefined();
  }, 60_000);

  it('retries an event whose ticket stays locked (ticket_busy), and writes it once the lock is free', async () => {
    const tickets = h.ledger.tickets;
    if (tickets === undefined) throw new Error('createLedger must provide ticket states');
    const body = comment('900003', '2024-04-18T10:00:00Z', 0.6);
    // Another consumer holds ticket 35436's write-back (and will for a minute).
    expect((await tickets.acquire({ provider: 'zendesk', ticketId: '35436', owner: 'someone-else', nowMs: Date.now(), leaseSeconds: 60, ttlSeconds: 3600 })).kind).toBe('acquired');
    const headers = signZendesk({ method: 'POST', url: 'https://bridge.example.com/webhooks/zendesk', body: Buffer.from(body), secret: DEFAULT_SECRET, nowMs: Date.now() }).headers;
    expect((await h.post('/webhooks/zendesk', body, headers)).statusCode).toBe(202);
    const before = applied.length;

    expect(await h.deliver()).toBe(1);
    const record = await h.ledger.get('zendesk:message.created:35436:900003');
    expect(record?.status).toBe('retrying');
    expect(record?.lastError?.reason).toBe('ticket_busy');
    expect(record?.steps.sentiment).toBeDefined();
    expect(applied.length).toBe(before);

    await tickets.release('zendesk', '35436', 'someone-else');
    await h.drain();
    expect(applied.slice(before)).toEqual([0.6]);
    expect((await h.ledger.get('zendesk:message.created:35436:900003'))?.status).toBe('done');
    // The finished step was not paid for twice.
    expect(h.simpli.requests.filter((r) => r.path === '/analyze' && JSON.stringify(r.body).includes('[s=0.6]'))).toHaveLength(1);
  }, 60_000);
});

describe('waiting for a locked ticket under a clock that stands still', () => {
  let h: Harness;
  const FIXED_MS = Date.UTC(2026, 0, 5, 12);
  beforeAll(async () => {
    h = await startHarness({ now: () => FIXED_MS, maxReceiveCount: 10 });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('gives up after its wait budget (counted in delays slept) and retries the record', async () => {
    const tickets = h.ledger.tickets;
    if (tickets === undefined) throw new Error('createLedger must provide ticket states');
    await tickets.acquire({ provider: 'generic', ticketId: 'T-77', owner: 'someone-else', nowMs: FIXED_MS, leaseSeconds: 60, ttlSeconds: 3600 });
    const body = JSON.stringify({ ticket_id: 'T-77', subject: 'Refund', body: 'Charged twice', customer_id: 'C-1' });
    const signature = createHmac('sha256', DEFAULT_SECRET).update(body).digest('hex');
    expect((await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': signature })).statusCode).toBe(202);
    expect(await h.deliver()).toBe(1);
    expect((await h.ledger.get('generic:ticket.created:T-77'))?.lastError?.reason).toBe('ticket_busy');
    await tickets.release('generic', 'T-77', 'someone-else');
    await h.drain();
    expect((await h.ledger.get('generic:ticket.created:T-77'))?.status).toBe('done');
  }, 60_000);
});
