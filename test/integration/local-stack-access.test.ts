/**
 * `npm start` with the access settings of issue #13: `allowedIps` checked against the socket's
 * address (403; the rejected / ip_not_allowed log line is pinned in allowed-ips.test.ts), and a HubSpot public app whose access token
 * comes from a refresh token, against a fake HubSpot (token endpoint + CRM API, documented shapes
 * as in test/providers/hubspot/auth.test.ts), and a Salesforce org on the client credentials
 * flow whose session expires between two events. Its own file: one stack per process.
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
let salesforce: FakeServer;
/** Tokens the fake Salesforce org accepts now; a test expires them by clearing the set. */
const salesforceSessions = new Set<string>();
/** A fixture as sent now: npm start refuses records older than the Ledger remembers (replays, issue #13). */
const salesforceXml = (name: string) =>
  readFileSync(new URL(`../fixtures/salesforce/${name}`, import.meta.url), 'utf8').replace(/<sf:LastModifiedDate>[^<]*</, `<sf:LastModifiedDate>${new Date().toISOString()}<`);


beforeAll(async () => {
  let issued = 0;
  hubspot = await startFakeServer((req) => {
    if (req.path === '/oauth/2026-03/token') {
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
  let sessions = 0;
  // Salesforce's documented shapes (as in test/providers/salesforce/auth.test.ts): a form-encoded
  // client_credentials grant, an answer without expires_in, 401 INVALID_SESSION_ID once it expires.
  salesforce = await startFakeServer(
    (req) => {
      if (req.path === '/services/oauth2/token') {
        const form = new URLSearchParams(req.rawBody);
        if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== 'local-key' || form.get('client_secret') !== 'local-secret') {
          return { status: 400, json: { error: 'invalid_client', error_description: 'invalid client credentials' } };
        }
        const token = `00Dlocal!${++sessions}`;
        salesforceSessions.add(token);
        return { json: { access_token: token, instance_url: salesforce.url, id: 'https://login.salesforce.com/id/00D/005', token_type: 'Bearer', issued_at: String(Date.now()), signature: 'c2ln' } };
      }
      if (!salesforceSessions.has(String(req.headers.authorization ?? '').replace(/^Bearer /, ''))) {
        return { status: 401, json: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] };
      }
      if (req.method === 'PATCH') return { status: 204 };
      if (req.method === 'POST') return { status: 201, json: { id: '00a5e00000CmT09AAF', success: true, errors: [] } };
      return { status: 404, json: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }] };
    },
    { contract: helpdeskContract },
  );
  stack = await startLocalStack({
    port: 0,
    env: {
      ...LOCAL_DEFAULTS_ENV,
      HELPDESK_CONFIG: JSON.stringify({
        intercom: { allowedIps: ['192.0.2.0/24'] },
        salesforce: { instanceUrl: salesforce.url, clientId: 'local-key', clientSecret: 'local-secret', organizationIds: ['00D5e000000XyZaEAK'] },
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
  await salesforce?.stop();
});

async function until(what: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

describe('npm start with allowedIps and renewing Salesforce and HubSpot tokens', () => {
  it('answers 403 to a loopback client that Intercom’s allowedIps does not list, before any signature check', async () => {
    const response = await fetch(`${stack.url}/webhooks/intercom`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.1' },
      body: '{"type":"notification_event","topic":"ping"}',
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: 'forbidden' });
  });

  it('Salesforce client credentials: one token for the first Case, renewed once when the session expires before the next', async () => {
    const post = async (file: string) => {
      const url = `${stack.url}/webhooks/salesforce/ticket-created?token=local-dev-secret`;
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' }, body: salesforceXml(file) });
      expect(response.status).toBe(200);
    };
    const comments = () => salesforce.calls('POST', '/services/data/v62.0/sobjects/CaseComment').filter((r) => r.headers.authorization !== undefined);
    await post('case-created.xml');
    await until(() => comments().length >= 1);
    expect(salesforce.calls('POST', '/services/oauth2/token')).toHaveLength(1);

    salesforceSessions.clear(); // the org's session timeout passes between events
    await post('case-created-batch.xml');
    // The batch's two Cases are written back concurrently: a request that went out with the expired
    // token before the renewal (answered 401) is repeated once with the new one, in either order.
    const renewed = () => comments().filter((r) => r.headers.authorization === 'Bearer 00Dlocal!2');
    await until(() => renewed().length >= 2);
    expect(salesforce.calls('POST', '/services/oauth2/token')).toHaveLength(2);
    expect(comments()[0]?.headers.authorization).toBe('Bearer 00Dlocal!1');
    expect(new Set(renewed().map((r) => (r.body as { ParentId?: string }).ParentId)).size).toBe(2);
    expect(comments().every((r) => r.headers.authorization === 'Bearer 00Dlocal!1' || r.headers.authorization === 'Bearer 00Dlocal!2')).toBe(true);
    salesforce.assertNoViolations();
  });

  it('accepts HubSpot from loopback and writes back with an access token obtained from the refresh token', async () => {
    const body = Buffer.from(JSON.stringify(JSON.parse(fixtureText('ticket-creation.json'))));
    const url = `${stack.url}/webhooks/hubspot`;
    const headers = signers.hubspot?.({ method: 'POST', url, body, secret: 'local-dev-secret', nowMs: Date.now() }).headers ?? {};
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect(response.status).toBe(202);

    await until(() => hubspot.calls('PATCH', /^\/crm\/v3\/objects\/tickets\//).length > 0);
    const patch = hubspot.calls('PATCH', /^\/crm\/v3\/objects\/tickets\//)[0];
    expect(patch?.headers.authorization).toBe('Bearer CKlocal-1');
    expect(hubspot.calls('POST', '/oauth/2026-03/token')).toHaveLength(1);
    hubspot.assertNoViolations();
  });
});
