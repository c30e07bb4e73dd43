/**
 * `npm start` with the access settings of issue #13: `allowedIps` checked against the socket's
 * address (403; the rejected / ip_not_allowed log line is pinned in allowed-ips.test.ts), and a HubSpot public app whose access token
 * comes from a refresh token, against a fake HubSpot (token endpoint + CRM API, documented shapes
 * as in test/providers/hubspot/auth.test.ts). Its own file: one stack per process.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signers } from '../../infra/sign/index.ts';
import { startLocalStack, type LocalStack } from '../../infra/start.ts';
import { startFakeServer, type FakeServer } from '../support/fake-server.ts';
import { helpdeskContract } from '../support/helpdesk-contracts.ts';
import { LOCAL_DEFAULTS_ENV } from '../support/local-stack-env.ts';

const fixtureText = (name: string) => readFileSync(new URL(`../fixtures/hubspot/${name}`, import.meta.url), 'utf8');

let stack: LocalStack;
let hubspot: FakeServer;


beforeAll(async () => {
  let issued = 0;
  hubspot = await startFakeServer((req) => {
    if (req.path === '/oauth/v1/token') {
      const form = new URLSearchParams(req.rawBody);
      if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== 'na1-local-refresh' || form.get('client_secret') !== 'local-app-secret') {
        return { status: 400, json: { status: 'BAD_REFRESH_TOKEN', message: 'missing or invalid refresh token' } };
      }
      return { json: { token_type: 'bearer', refresh_token: 'na1-local-refresh', access_token: `CKlocal-${++issued}`, expires_in: 1800 } };
    }
    if (req.headers.authorization !== `Bearer CKlocal-${issued}`) return { status: 401, json: { status: 'error', category: 'EXPIRED_AUTHENTICATION' } };
    if (req.method === 'GET' && /^\/crm\/v3\/objects\/tickets\/\d+$/.test(req.path)) return { json: { ...(JSON.parse(fixtureText('api-ticket.json')) as object), id: req.path.split('/').pop() } };
    if (req.method === 'PATCH') return { json: { id: req.path.split('/').pop(), properties: {} } };
    if (req.method === 'POST' && req.path === '/crm/v3/objects/notes') return { status: 201, json: { id: '90001' } };
    return { status: 404, json: { status: 'error', category: 'OBJECT_NOT_FOUND' } };
  }, { contract: helpdeskContract });
  stack = await startLocalStack({
    port: 0,
    env: {
      ...LOCAL_DEFAULTS_ENV,
      HELPDESK_CONFIG: JSON.stringify({
        intercom: { allowedIps: ['192.0.2.0/24'] },
        hubspot: { allowedIps: ['127.0.0.0/8', '::1/128'], baseUrl: hubspot.url, refreshToken: 'na1-local-refresh', clientId: 'local-app', clientSecret: 'local-app-secret' },
      }),
    },
    poller: { maximumBatchingWindowMs: 0 },
    logFormat: 'json',
    print: () => {},
  });
});

afterAll(async () => {
  await stack?.stop();
  await hubspot?.stop();
});

describe('npm start with allowedIps and a renewing HubSpot token', () => {
  it('answers 403 to a loopback client that Intercom’s allowedIps does not list, before any signature check', async () => {
    const response = await fetch(`${stack.url}/webhooks/intercom`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.1' },
      body: '{"type":"notification_event","topic":"ping"}',
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: 'forbidden' });
  });

  it('accepts HubSpot from loopback and writes back with an access token obtained from the refresh token', async () => {
    const body = Buffer.from(JSON.stringify(JSON.parse(fixtureText('ticket-creation.json'))));
    const url = `${stack.url}/webhooks/hubspot`;
    const headers = signers.hubspot?.({ method: 'POST', url, body, secret: 'local-dev-secret', nowMs: Date.now() }).headers ?? {};
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect(response.status).toBe(202);

    const until = Date.now() + 15_000;
    while (hubspot.calls('PATCH', /^\/crm\/v3\/objects\/tickets\//).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const patch = hubspot.calls('PATCH', /^\/crm\/v3\/objects\/tickets\//)[0];
    expect(patch?.headers.authorization).toBe('Bearer CKlocal-1');
    expect(hubspot.calls('POST', '/oauth/v1/token')).toHaveLength(1);
    hubspot.assertNoViolations();
  });
});
