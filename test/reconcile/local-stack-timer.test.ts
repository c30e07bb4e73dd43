/**
 * `npm start` with RECONCILE_INTERVAL_SECONDS and a Zendesk API configured reconciles on its own:
 * the tickets no webhook brought are processed without anyone running `npm run reconcile`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../infra/start.ts';
import { defaultSimpli } from '../support/bridge-harness.ts';
import { startFakeServer, type FakeServer } from '../support/fake-server.ts';
import { startFakeZendesk, ZENDESK_EMAIL, ZENDESK_TOKEN, zendeskTicket, type FakeZendesk } from '../support/fake-zendesk.ts';
import { localEnvWithSimpli } from '../support/local-stack-env.ts';

let stack: LocalStack;
let simpli: FakeServer;
let helpdesk: FakeServer;
let zendesk: FakeZendesk;
const lines: string[] = [];
const ids = [8001, 8002, 8003];

beforeAll(async () => {
  simpli = await startFakeServer(defaultSimpli);
  let baseUrl = '';
  zendesk = startFakeZendesk({ now: Date.now, baseUrl: () => baseUrl });
  helpdesk = await startFakeServer(zendesk.respond);
  baseUrl = helpdesk.url;
  // Created 20 minutes ago: inside the first pass's default look-back (RECONCILE_LOOKBACK_SECONDS, 1 h).
  for (const id of ids) zendesk.tickets.set(id, zendeskTicket(id, Date.now() - 20 * 60_000, 'open'));
  stack = await startLocalStack({
    port: 0,
    env: localEnvWithSimpli(simpli.url, {
      HELPDESK_CONFIG: JSON.stringify({ zendesk: { baseUrl: helpdesk.url, email: ZENDESK_EMAIL, apiToken: ZENDESK_TOKEN } }),
      RECONCILE_INTERVAL_SECONDS: '1',
    }),
    poller: { maximumBatchingWindowMs: 0, waitTimeSeconds: 1 },
    logFormat: 'pretty',
    print: (line) => lines.push(line),
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await Promise.all([simpli?.stop(), helpdesk?.stop()]);
});

describe('npm start reconciliation timer', () => {
  it('announces which providers it reconciles and how often', () => {
    expect(stack.reconcileTimer?.providers).toEqual(['zendesk']);
    expect(lines.join('\n')).toContain('reconciling zendesk every 1 s (RECONCILE_INTERVAL_SECONDS)');
  });

  it('processes the tickets no webhook brought, each once', async () => {
    const until = Date.now() + 20_000;
    while (!ids.every((id) => zendesk.writeBacks(id) === 2)) {
      if (Date.now() > until) throw new Error('timed out waiting for the timer to recover the tickets');
      await new Promise((r) => setTimeout(r, 100));
    }
    // Further ticks list again (the export hides the write-backs for a minute) and find them known.
    await new Promise((r) => setTimeout(r, 2_500));
    const routed = simpli.calls('POST', '/route').map((r) => String((r.body as { ticket_id: unknown }).ticket_id));
    expect(routed.sort()).toEqual(ids.map(String));
    expect(lines.some((l) => l.includes('↺ reconcile zendesk: 3 event(s) no webhook brought enqueued'))).toBe(true);
  });
});
