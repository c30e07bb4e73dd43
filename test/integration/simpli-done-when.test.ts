/**
 * Issue #9's done-when scenario on `npm start`'s stack (fauxqs + dynalite from template.yaml, the
 * validating Simpli simulator, a fake helpdesk). Latency is scaled down: Sentiment answers after
 * 1.5 s, the shared Simpli timeout is 1 s, Sentiment's own 4 s; the rule under test is that a slow
 * Sentiment is waited for and called once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS_ENV } from '../support/local-stack-env.ts';
import { signers } from '../../infra/sign/index.ts';
import { startLocalStack, type LocalStack } from '../../infra/start.ts';
import { startFakeServer, type FakeServer } from '../support/fake-server.ts';

let stack: LocalStack;
let helpdesk: FakeServer;

beforeAll(async () => {
  helpdesk = await startFakeServer(() => ({ status: 200, json: { ok: true } }));
  stack = await startLocalStack({
    port: 0,
    env: {
      ...LOCAL_DEFAULTS_ENV,
      SIMPLI_API_KEY: 'sim-key',
      HELPDESK_CONFIG: JSON.stringify({ generic: { updateUrl: `${helpdesk.url}/tickets/{ticket_id}`, token: 'helpdesk-token' } }),
      SECRETS_CACHE_SECONDS: '0',
      SIMPLI_TIMEOUT_MS: '1000',
      SENTIMENT_TIMEOUT_MS: '4000',
    },
    simulator: { latency: { analyze: 1_500 }, noAgents: true },
    poller: { maximumBatchingWindowMs: 0, waitTimeSeconds: 1 },
    print: () => {},
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await helpdesk?.stop();
});

async function post(path: string, payload: unknown): Promise<number> {
  const body = Buffer.from(JSON.stringify(payload));
  const url = `${stack.url}${path}`;
  const headers = signers.generic?.({ method: 'POST', url, body, secret: 'local-dev-secret', nowMs: Date.now() }).headers ?? {};
  return (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })).status;
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('issue #9 done-when, under npm start', () => {
  it('emoji subject and a 12,000-character body: 202, triaged, routed with agent null, analysed once with ≤10,000 valid characters, written back; resolution → QA with the guide body', async () => {
    const sim = stack.simulator;
    if (sim === undefined) throw new Error('the stack did not start its simulator');
    const body = `Refund please 💳 ${'😀'.repeat(11_984)}`;
    expect([...body].length).toBe(12_000);
    expect(await post('/webhook/ticket-created', { ticket_id: 'T-900', subject: 'Charged twice 😡🎟', body, customer_id: 'C-9', channel: 'email', agent_id: 'A-5' })).toBe(202);
    const put = await waitFor('the write-back', () => helpdesk.calls('PUT', '/tickets/T-900')[0]);
    expect(put.body).toMatchObject({ custom_fields: expect.objectContaining({ ai_team: 'billing', ai_sentiment_label: expect.any(String) }) });
    expect((put.body as { custom_fields: Record<string, unknown> }).custom_fields.ai_agent).toBeUndefined();

    const analyze = sim.calls.filter((c) => c.endpoint === 'analyze');
    expect(analyze).toHaveLength(1);
    const text = (analyze[0]?.body as { text: string } | undefined)?.text ?? '';
    expect([...text].length).toBeLessThanOrEqual(10_000);
    expect(text.isWellFormed()).toBe(true);
    expect(sim.calls.filter((c) => c.endpoint === 'classify')[0]?.body).toMatchObject({ subject: 'Charged twice 😡🎟', body });
    expect(sim.calls.filter((c) => c.endpoint === 'route')).toHaveLength(1);

    expect(
      await post('/webhook/ticket-resolved', {
        ticket_id: 'T-900',
        subject: 'Charged twice 😡🎟',
        body: 'Refunded',
        customer_id: 'C-9',
        agent_id: 'A-5',
        messages: [
          { role: 'customer', content: 'Charged twice 😡' },
          { role: 'agent', content: 'Sorry, refunded.' },
        ],
      }),
    ).toBe(202);
    const qa = await waitFor('the QA call', () => sim.calls.find((c) => c.endpoint === 'evaluate'));
    expect(qa.body).toEqual({
      conversation_id: 'T-900',
      agent_id: 'A-5',
      messages: [
        { role: 'customer', content: 'Charged twice 😡' },
        { role: 'agent', content: 'Sorry, refunded.' },
      ],
    });
    await waitFor('the QA write-back', () => helpdesk.calls('PUT', '/tickets/T-900')[1]);

    // One X-Request-ID per event, on every call of it; the resolution is another event.
    const created = sim.calls.filter((c) => c.endpoint !== 'evaluate').map((c) => c.headers['x-request-id']);
    expect(new Set(created).size).toBe(1);
    expect(created[0]).toMatch(/^bridge-[0-9a-f]{32}$/);
    expect(qa.headers['x-request-id']).not.toBe(created[0]);
    expect(sim.calls.every((c) => c.headers['x-api-key'] === 'sim-key')).toBe(true);
  }, 60_000);
});
