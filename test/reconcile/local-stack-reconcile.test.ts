/**
 * The issue's done-when on `npm start`'s stack: with a Zendesk API configured, `npm run reconcile --
 * --provider zendesk --since 1h` processes exactly the tickets of that hour that no webhook brought,
 * and a second run enqueues nothing. Real handlers, fauxqs + dynalite, fake Zendesk and Simpli.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileCommand } from '../../infra/reconcile.ts';
import { resolveToolTarget } from '../../infra/reconcile-target.ts';
import { signZendesk } from '../../infra/sign/zendesk.ts';
import { startLocalStack, type LocalStack } from '../../infra/start.ts';
import { defaultSimpli } from '../support/bridge-harness.ts';
import { startFakeServer, type FakeServer } from '../support/fake-server.ts';
import { startFakeZendesk, ZENDESK_EMAIL, ZENDESK_TOKEN, zendeskTicket, zendeskWebhooks, type FakeZendesk } from '../support/fake-zendesk.ts';
import { localEnvWithSimpli } from '../support/local-stack-env.ts';

let stack: LocalStack;
let simpli: FakeServer;
let helpdesk: FakeServer;
let zendesk: FakeZendesk;
let advanceZendesk: (ms: number) => void;
const ids = Array.from({ length: 10 }, (_, i) => 7000 + i);

const routed = () => new Set(simpli.calls('POST', '/route').map((r) => String((r.body as { ticket_id: unknown }).ticket_id)));

async function waitFor(what: string, probe: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  simpli = await startFakeServer(defaultSimpli);
  let baseUrl = '';
  let offsetMs = 0;
  zendesk = startFakeZendesk({ now: () => Date.now() + offsetMs, baseUrl: () => baseUrl });
  advanceZendesk = (ms) => {
    offsetMs += ms;
  };
  helpdesk = await startFakeServer(zendesk.respond);
  baseUrl = helpdesk.url;
  stack = await startLocalStack({
    port: 0,
    env: localEnvWithSimpli(simpli.url, {
      HELPDESK_CONFIG: JSON.stringify({ zendesk: { baseUrl: helpdesk.url, email: ZENDESK_EMAIL, apiToken: ZENDESK_TOKEN } }),
      RECONCILE_INTERVAL_SECONDS: undefined,
    }),
    poller: { maximumBatchingWindowMs: 0, waitTimeSeconds: 1 },
    logFormat: 'silent',
  });
  // Ten open tickets created in the last 40 minutes; webhooks reached the bridge for seven.
  for (const [i, id] of ids.entries()) {
    const ticket = zendeskTicket(id, Date.now() - 40 * 60_000 + i * 60_000, 'open');
    zendesk.tickets.set(id, ticket);
    if (i >= 7) continue;
    const [body = ''] = zendeskWebhooks(ticket);
    const url = `${stack.url}/webhooks/zendesk`;
    const signed = signZendesk({ method: 'POST', url, body: Buffer.from(body), secret: 'local-dev-secret', nowMs: Date.now() });
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...signed.headers }, body });
    expect(response.status).toBe(202);
  }
  // Processed = both write-backs made (Tags API, then Update Ticket with the note).
  await waitFor('the seven webhooks to be processed', () => ids.slice(0, 7).every((id) => zendesk.writeBacks(id) === 2));
  // Their write-backs moved updated_at to now, which the export hides for a minute: let it pass.
  advanceZendesk(2 * 60_000);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await Promise.all([simpli?.stop(), helpdesk?.stop()]);
});

const run = async (argv: string[]) => {
  const lines: string[] = [];
  // The stack's variables stand in for .local/stack.json (tests never write the developer's).
  const report = await reconcileCommand(argv, (line) => lines.push(line), (name) => resolveToolTarget(name, stack.env, undefined, '/nonexistent/stack.json'));
  return { report, lines };
};

describe('npm run reconcile against npm start', () => {
  it('--dry-run lists the three missing tickets and enqueues nothing', async () => {
    const { report, lines } = await run(['--provider', 'zendesk', '--since', '1h', '--dry-run']);
    expect(report).toMatchObject({ dryRun: true, found: 10, known: 7, enqueued: 0 });
    expect(lines).toContain('found 10, would enqueue 3, already known 7 (10 tickets in 1 page(s))');
    expect(lines.filter((l) => l.startsWith('  new '))).toEqual(ids.slice(7).map((id) => `  new zendesk:ticket.created:${id}`));
  });

  it('--since 1h processes exactly the tickets no webhook brought, once', async () => {
    const { report, lines } = await run(['--provider', 'zendesk', '--since', '1h']);
    expect(report).toMatchObject({ found: 10, known: 7, enqueued: 3, complete: true });
    expect(lines).toContain('found 10, enqueued 3, already known 7 (10 tickets in 1 page(s))');
    await waitFor('the three recovered tickets to be processed', () => ids.every((id) => zendesk.writeBacks(id) === 2));
    expect(routed()).toEqual(new Set(ids.map(String)));
    expect(simpli.calls('POST', '/route')).toHaveLength(10);
  });

  it('a second run enqueues nothing', async () => {
    advanceZendesk(2 * 60_000);
    const { report, lines } = await run(['--provider', 'zendesk', '--since', '1h']);
    expect(report).toMatchObject({ found: 10, known: 10, enqueued: 0 });
    expect(lines).toContain('found 10, enqueued 0, already known 10 (10 tickets in 1 page(s))');
  });

  it('says what is wrong with a bad --since or --provider', async () => {
    await expect(run(['--provider', 'zendesk', '--since', 'yesterday'])).rejects.toThrow(/--since "yesterday" is not a time: give an ISO 8601 time/);
    await expect(run(['--provider', 'nope'])).rejects.toThrow(/--provider is "nope": name one of zendesk/);
    await expect(run(['--provider', 'generic'])).rejects.toThrow(/cannot list generic tickets/);
  });
});
