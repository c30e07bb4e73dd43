/**
 * `npm run send` signs connector webhooks as the connector's specification says: each request it
 * sends is checked by the bridge's own verification of that connector (a separate implementation).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendEvent, type SampleEvent } from '../../infra/send.ts';
import { connectorIngest } from '../../lib/providers/connector/index.ts';
import type { ProviderSettings } from '../../lib/providers/types.ts';
import { startFakeServer, type FakeServer } from '../support/fake-server.ts';
import { frontInbound, helpscoutConversation, jiraIssueCreated, zammadBody } from './payloads.ts';

const SECRET = 'send-secret';
const CUSTOM: ProviderSettings = {
  baseUrl: 'https://api.acme.example',
  token: 't',
  connector: {
    authenticity: { type: 'token', in: 'query', name: 'key' },
    events: { source: 'kind', map: { opened: 'ticket.created' } },
    fields: { ticketId: ['id'] },
    auth: { type: 'none' },
    writeBack: [{ method: 'POST', url: '{settings.baseUrl}/cases/{ticket_id}', body: { text: '{note}' } }],
  },
};
const CONFIG: Record<string, ProviderSettings> = { acme: CUSTOM };
const settingsOf = (name: string): ProviderSettings => CONFIG[name] ?? { baseUrl: 'https://x.example', token: 't', email: 'e' };

describe('npm run send for connectors', () => {
  let server: FakeServer;
  beforeAll(async () => {
    // Answers as the bridge would: 202 when the connector's verification accepts the request, else 401.
    server = await startFakeServer((r) => {
      const name = /^\/webhooks\/([a-z0-9-]+)/.exec(r.path)?.[1] ?? '';
      const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)]));
      try {
        connectorIngest(name).verify({
          request: { method: r.method, url: `http://bridge.example${r.path}?${r.query}`, rawBody: Buffer.from(r.rawBody), headers, query: Object.fromEntries(r.query) },
          secrets: [SECRET],
          settings: settingsOf(name),
          nowMs: Date.now(),
        });
        return { status: 202, json: { status: 'accepted' } };
      } catch {
        return { status: 401, json: { error: 'unauthorized' } };
      }
    });
  });
  afterAll(async () => {
    await server.stop();
  });

  const event = (rawPath: string, body: string, headers: Record<string, string> = {}): SampleEvent => ({ rawPath, rawQueryString: '', headers, body, isBase64Encoded: false });

  it('signs each preset as its vendor does', async () => {
    const samples = [
      event('/webhooks/zammad/ticket-created', zammadBody(), { 'x-hub-signature': 'sha1=stale' }),
      event('/webhooks/jira', jiraIssueCreated()),
      event('/webhooks/helpscout', helpscoutConversation(), { 'x-helpscout-event': 'convo.created' }),
      event('/webhooks/front', frontInbound()),
    ];
    for (const sample of samples) {
      const result = await sendEvent(sample, { baseUrl: server.url, secret: SECRET });
      expect({ path: sample.rawPath, signed: result.signed, status: result.status }).toEqual({ path: sample.rawPath, signed: true, status: 202 });
    }
  });

  it('signs a custom connector from HELPDESK_CONFIG (a token in the query), and leaves an undeclared name unsigned', async () => {
    const custom = await sendEvent(event('/webhooks/acme', '{"kind":"opened","id":"1"}'), { baseUrl: server.url, secret: SECRET, helpdeskConfig: CONFIG });
    expect([custom.signed, custom.status, new URL(custom.url).searchParams.get('key')]).toEqual([true, 202, SECRET]);
    const unknown = await sendEvent(event('/webhooks/acme', '{}'), { baseUrl: server.url, secret: SECRET });
    expect([unknown.signed, unknown.status]).toEqual([false, 401]);
  });
});
