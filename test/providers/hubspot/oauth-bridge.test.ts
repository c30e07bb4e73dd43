/**
 * A HubSpot public (OAuth) app end to end on the real handlers (fauxqs + dynalite): a refused
 * refresh token makes the event fail retryably — retried by SQS, not parked — and once the token
 * endpoint accepts again the same event completes with the renewed access token. The token
 * endpoint and API answer with HubSpot's documented shapes (see auth.test.ts).
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubspotTokens } from '../../../lib/providers/hubspot/auth.ts';
import { hubspotProvider } from '../../../lib/providers/hubspot/index.ts';
import { DEFAULT_SECRET, startHarness, type Harness } from '../../support/bridge-harness.ts';
import type { FakeReply, RecordedRequest } from '../../support/fake-server.ts';

const fixtureText = (name: string) => readFileSync(new URL(`../../fixtures/hubspot/${name}`, import.meta.url), 'utf8');
const CALLED = 'https://bridge.example.com/webhooks/hubspot';
const sign = (body: string, ts = String(Date.now())) => ({
  'x-hubspot-signature-v3': createHmac('sha256', DEFAULT_SECRET).update(`POST${CALLED}${body}${ts}`).digest('base64'),
  'x-hubspot-request-timestamp': ts,
});

let tokenEndpointAccepts = false;
let issued = 0;

function hubspot(request: RecordedRequest): FakeReply {
  if (request.path === '/oauth/2026-03/token') {
    const form = new URLSearchParams(request.rawBody);
    if (!tokenEndpointAccepts || form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== 'na1-refresh') {
      return { status: 400, json: { status: 'BAD_REFRESH_TOKEN', message: 'missing or invalid refresh token' } };
    }
    return { json: { token_type: 'bearer', refresh_token: 'na1-refresh', access_token: `CKaccess-${++issued}`, expires_in: 1800 } };
  }
  if (request.headers.authorization !== `Bearer CKaccess-${issued}` || issued === 0) return { status: 401, json: { status: 'error', category: 'EXPIRED_AUTHENTICATION' } };
  if (request.method === 'GET' && /^\/crm\/v3\/objects\/tickets\/\d+$/.test(request.path)) return { json: { ...(JSON.parse(fixtureText('api-ticket.json')) as object), id: request.path.split('/').pop() } };
  if (request.method === 'PATCH') return { json: { id: request.path.split('/').pop(), properties: {} } };
  if (request.method === 'POST' && request.path === '/crm/v3/objects/notes') return { status: 201, json: { id: '90001' } };
  return { status: 404, json: { status: 'error', category: 'OBJECT_NOT_FOUND' } };
}

describe('HubSpot public app: a token refresh that fails is retried, not parked', () => {
  let h: Harness;
  beforeAll(async () => {
    hubspotTokens.clear();
    h = await startHarness({
      providers: { hubspot: hubspotProvider },
      settings: (helpdeskUrl) => ({ hubspot: { baseUrl: helpdeskUrl, refreshToken: 'na1-refresh', clientId: 'app-client-id', clientSecret: 'app-client-secret' } }),
      helpdesk: hubspot,
      maxReceiveCount: 3,
    });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('keeps the event in the queue while the token endpoint refuses, then completes it with the new token', async () => {
    const body = JSON.stringify(JSON.parse(fixtureText('ticket-creation.json')));
    expect((await h.post('/webhooks/hubspot', body, sign(body))).statusCode).toBe(202);
    expect(await h.deliver()).toBe(1);
    const ledgerItem = await h.ledger.get('hubspot:ticket.created:3052741912');
    expect(ledgerItem?.status).not.toBe('done');
    expect(await h.deadLetters()).toEqual([]);
    expect(h.helpdesk.calls('POST', '/oauth/2026-03/token').length).toBeGreaterThan(0);
    expect(h.helpdesk.requests.filter((r) => r.path.startsWith('/crm/'))).toEqual([]);

    tokenEndpointAccepts = true; // the operator fixed the app's credentials
    await h.drain();
    expect((await h.ledger.get('hubspot:ticket.created:3052741912'))?.status).toBe('done');
    expect(await h.deadLetters()).toEqual([]);
    const patches = h.helpdesk.calls('PATCH', '/crm/v3/objects/tickets/3052741912');
    expect(patches).toHaveLength(1);
    expect(patches[0]?.headers.authorization).toBe('Bearer CKaccess-1');
    // Every CRM call kept HubSpot's OpenAPI contract (the harness checks each one).
    h.helpdesk.assertNoViolations();
  });
});
