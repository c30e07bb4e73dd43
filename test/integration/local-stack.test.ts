/**
 * `npm start`'s stack, in-process on port 0: the real handlers behind the local HTTP API and the
 * SQS poller, on fauxqs + dynalite created from template.yaml, with the Simpli simulator and a fake
 * helpdesk. One stack per file: the handler modules read the environment once, at import.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS_ENV } from '../support/local-stack-env.ts';
import { signers } from '../../infra/sign/index.ts';
import { startLocalStack, type LocalStack } from '../../infra/start.ts';
import { startFakeServer, type FakeServer } from '../support/fake-server.ts';

const SECRET = 'local-dev-secret';

let stack: LocalStack;
let helpdesk: FakeServer;
const lines: string[] = [];

beforeAll(async () => {
  helpdesk = await startFakeServer(() => ({ status: 200, json: { ok: true } }));
  stack = await startLocalStack({
    port: 0,
    env: {
      ...LOCAL_DEFAULTS_ENV,
      HELPDESK_CONFIG: JSON.stringify({ generic: { updateUrl: `${helpdesk.url}/tickets/{ticket_id}`, token: 'helpdesk-token' } }),
      SECRETS_CACHE_SECONDS: '0',
    },
    // No batching window: the test waits for one event, not for a batch to fill.
    poller: { maximumBatchingWindowMs: 0, waitTimeSeconds: 1 },
    logFormat: 'pretty',
    print: (line) => lines.push(line),
  });
});

afterAll(async () => {
  await stack?.stop();
  await helpdesk?.stop();
});

async function post(path: string, payload: unknown, options: { sign?: boolean } = {}): Promise<{ status: number; json: unknown }> {
  const body = Buffer.from(JSON.stringify(payload));
  const url = `${stack.url}${path}`;
  const signature = options.sign === false ? {} : (signers.generic?.({ method: 'POST', url, body, secret: SECRET, nowMs: Date.now() }).headers ?? {});
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...signature }, body });
  return { status: response.status, json: await response.json() };
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function queueDepth(): Promise<number> {
  const out = await stack.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: stack.resources.queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(out.Attributes?.ApproximateNumberOfMessages) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible);
}

const ticket = {
  ticket_id: 'T-501',
  subject: 'Charged twice — refund please',
  body: 'My invoice shows two payments this month. I want a refund or I will cancel.',
  customer_id: 'C-77',
  channel: 'email',
};

describe('the local stack', () => {
  it('creates the queues and the table from template.yaml and says what it simulates', () => {
    expect(stack.resources.maxReceiveCount).toBe(5);
    expect(stack.resources.visibilityTimeoutSeconds).toBe(600);
    expect(stack.env.MAX_RECEIVE_COUNT).toBe('5');
    expect(stack.env.LEDGER_TABLE).toBe(stack.resources.tableName);
    expect(stack.simulator).toBeDefined();
    expect(stack.env.TRIAGE_URL).toBe(stack.simulator?.url);
    expect(JSON.parse(stack.env.WEBHOOK_SECRETS ?? '{}')).toMatchObject({ generic: [SECRET], zendesk: [SECRET] });
    const banner = lines.join('\n');
    expect(banner).toContain('SIMULATED Simpli');
    expect(banner).toContain(`"${SECRET}"`);
    expect(banner).toContain(`POST ${stack.url}/webhook/ticket-created`);
    // template.yaml's 10 s window is read, and capped at 1 s locally (infra/start.ts localWindowSeconds).
    expect(stack.resources.processFunction.maximumBatchingWindowSeconds).toBe(10);
    expect(banner).toContain('window 1 s (10 s deployed: BatchingWindowSeconds)');
  });

  it('accepts a signed guide webhook with 202, runs Triage and Sentiment, and pushes the results to the helpdesk', async () => {
    const startedMs = Date.now();
    const response = await post('/webhook/ticket-created', ticket);
    expect(response).toEqual({ status: 202, json: { status: 'accepted', eventIds: ['generic:ticket.created:T-501'] } });

    const put = await waitFor('the push-back', () => helpdesk.calls('PUT', '/tickets/T-501')[0]);
    const elapsedMs = Date.now() - startedMs;
    expect(elapsedMs).toBeLessThan(5_000);
    expect(put.headers.authorization).toBe('Bearer helpdesk-token');
    expect(put.body).toMatchObject({
      tags: expect.arrayContaining(['billing', 'team-billing']),
      custom_fields: { ai_category: 'billing', ai_team: 'billing', ai_sentiment_label: expect.any(String) },
      internal_note: expect.stringContaining('[Simpli AI]'),
    });
    const counts = stack.simulator?.counts;
    expect(counts).toMatchObject({ classify: 1, route: 1, analyze: 1, draft: 0, evaluate: 0 });
    const classify = stack.simulator?.calls.find((c) => c.endpoint === 'classify');
    expect(classify?.body).toMatchObject({ subject: ticket.subject, body: ticket.body });

    const done = await waitFor('the readable line', () => lines.find((l) => l.includes('✓ done') && l.includes('T-501')));
    expect(done).toMatch(/generic\s+ticket\.created\s+ticket T-501\s+\d+ ms/);
  });

  it('changes nothing when the same webhook arrives again: no second Simpli call, no second push', async () => {
    const callsBefore = stack.simulator?.totalCalls;
    const putsBefore = helpdesk.calls('PUT', /\/tickets\//).length;
    const response = await post('/webhook/ticket-created', ticket);
    expect(response.status).toBe(202);
    await waitFor('the duplicate line', () => lines.find((l) => l.includes('= duplicate') && l.includes('T-501')));
    await stack.poller.waitUntilDrained();
    expect(stack.simulator?.totalCalls).toBe(callsBefore);
    expect(helpdesk.calls('PUT', /\/tickets\//)).toHaveLength(putsBefore);
  });

  it('answers 401 to an unsigned webhook and enqueues nothing', async () => {
    await stack.poller.waitUntilDrained();
    const receivedBefore = stack.poller.stats.received;
    const response = await post('/webhook/ticket-created', { ...ticket, ticket_id: 'T-502' }, { sign: false });
    expect(response).toEqual({ status: 401, json: { error: 'unauthorized' } });
    expect(await queueDepth()).toBe(0);
    // Give a wrongly enqueued message the time to be polled, then check nothing was.
    await new Promise((r) => setTimeout(r, 300));
    expect(stack.poller.stats.received).toBe(receivedBefore);
    expect(helpdesk.calls('PUT', '/tickets/T-502')).toHaveLength(0);
  });

  it('verifies the raw bytes: a body with non-ASCII text keeps its signature valid', async () => {
    const response = await post('/webhooks/generic/ticket-created', { ...ticket, ticket_id: 'T-503', subject: 'Café – naïve ✓ 日本語' });
    expect(response.status).toBe(202);
    await waitFor('the push-back', () => helpdesk.calls('PUT', '/tickets/T-503')[0]);
  });

  it('like a function URL, hands every path to the handler, which answers 404 outside the routes and 405 to another method', async () => {
    const outside = await fetch(`${stack.url}/nothing-here`, { method: 'POST', body: '{}' });
    expect(outside.status).toBe(404);
    expect(await outside.json()).toMatchObject({ error: 'not_found' });
    const get = await fetch(`${stack.url}/webhooks/generic`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await get.json()).toMatchObject({ error: 'method_not_allowed' });
    const unknown = await post('/webhooks/nobody', { ticket_id: 'x' });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: 'unknown_provider' });
  });
});
