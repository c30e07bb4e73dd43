/**
 * HubSpot public (OAuth) apps: access tokens from a refresh token, against a fake HubSpot built
 * from its documented contract. The token endpoint `POST /oauth/2026-03/token` takes every
 * parameter form-encoded in the body — `grant_type=refresh_token&client_id&client_secret&refresh_token`,
 * nothing in the query — and answers `{access_token, refresh_token, token_type, expires_in: 1800}`
 * ("Refresh an access token", https://developers.hubspot.com/docs/api-reference/2026-03/authentication/oauth-tokens/refresh-oauth-token;
 * the v1 migration guide, step 3). `/oauth/v1/token`, retired on 2027-02-16, is not served. A bad
 * refresh token gets a 400 with RFC 6749's `error` plus HubSpot's `status: "BAD_REFRESH_TOKEN"`
 * (changelog "New OAuth v3 API endpoints and standardized error responses"). The CRM API answers
 * an expired token with 401 and category `EXPIRED_AUTHENTICATION`.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isRetryable, PermanentEventError } from '../../../lib/errors.ts';
import { createHttpClient } from '../../../lib/http.ts';
import { createHubSpotApi } from '../../../lib/providers/hubspot/api.ts';
import { hubspotTokens, oauthAuth } from '../../../lib/providers/hubspot/auth.ts';
import { readSettings, requireAuth } from '../../../lib/providers/hubspot/settings.ts';
import { startFakeServer, type FakeServer, type RecordedRequest, type Responder } from '../../support/fake-server.ts';
import { helpdeskContract } from '../../support/helpdesk-contracts.ts';
import { upstreamFailure } from '../../support/upstream-failure.ts';

const TOKEN_PATH = '/oauth/2026-03/token';
const CLIENT_ID = '5fake-client-id';
const CLIENT_SECRET = 'fake-client-secret';
const REFRESH_TOKEN = 'na1-fake-refresh-token';

let hubspot: FakeServer;
const valid = new Set<string>();
let issued = 0;
let tokenMode: 'ok' | 'bad_refresh_token' | 'down' = 'ok';
const http = createHttpClient({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
const tokenRequests = (): RecordedRequest[] => hubspot.requests.filter((r) => r.path === TOKEN_PATH);
const apiRequests = (): RecordedRequest[] => hubspot.requests.filter((r) => r.path.startsWith('/crm/'));

const hubspotResponder: Responder = (req) => {
    if (req.path === TOKEN_PATH) {
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/x-www-form-urlencoded') return { status: 415, json: { status: 'error' } };
      // The 2026-03 endpoint takes its parameters in the body only.
      if ([...req.query.keys()].length > 0) return { status: 400, json: { error: 'invalid_request', error_description: 'parameters belong in the body', status: 'error' } };
      if (tokenMode === 'down') return { status: 502, text: 'Bad Gateway' };
      const form = new URLSearchParams(req.rawBody);
      const ok =
        tokenMode === 'ok' &&
        form.get('grant_type') === 'refresh_token' &&
        form.get('client_id') === CLIENT_ID &&
        form.get('client_secret') === CLIENT_SECRET &&
        form.get('refresh_token') === REFRESH_TOKEN;
      if (!ok) return { status: 400, json: { error: 'invalid_grant', error_description: 'missing or invalid refresh token', status: 'BAD_REFRESH_TOKEN', message: 'missing or invalid refresh token', correlationId: 'c0ffee' } };
      const token = `CKfake-access-${++issued}`;
      valid.add(token);
      return { json: { access_token: token, refresh_token: REFRESH_TOKEN, token_type: 'bearer', expires_in: 1800 } };
    }
    const auth = String(req.headers.authorization ?? '');
    if (!valid.has(auth.replace(/^Bearer /, ''))) {
      return { status: 401, json: { status: 'error', message: 'The OAuth token used to make this call expired 1 second(s) ago.', category: 'EXPIRED_AUTHENTICATION' } };
    }
    return { json: { id: '512', properties: { subject: 'Charged twice' } } };
};

beforeAll(async () => {
  // CRM calls are checked against HubSpot's OpenAPI file (helpdesk-contracts.ts).
  hubspot = await startFakeServer(hubspotResponder, { contract: helpdeskContract });
});
afterAll(async () => {
  await hubspot.stop();
});
afterEach(() => hubspot.assertNoViolations());
beforeEach(() => {
  hubspot.requests.length = 0;
  valid.clear();
  issued = 0;
  tokenMode = 'ok';
  hubspot.respond(hubspotResponder);
  hubspotTokens.clear();
});

const oauth = () => ({ refreshToken: REFRESH_TOKEN, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenUrl: `${hubspot.url}${TOKEN_PATH}` });
const settings = () => readSettings({ baseUrl: hubspot.url, refreshToken: REFRESH_TOKEN, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
const getTicket = (auth = requireAuth(settings())) => createHubSpotApi(http, hubspot.url, auth).get('/crm/v3/objects/tickets/512');

describe('HubSpot OAuth (public app) credentials', () => {
  it('exchanges the refresh token at {baseUrl}/oauth/2026-03/token, as documented, and calls the API with the access token', async () => {
    expect(await getTicket()).toMatchObject({ id: '512' });
    await getTicket();
    expect(tokenRequests()).toHaveLength(1);
    expect(Object.fromEntries(new URLSearchParams(tokenRequests()[0]?.rawBody))).toEqual({
      grant_type: 'refresh_token',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      refresh_token: REFRESH_TOKEN,
    });
    expect(apiRequests().map((r) => r.headers.authorization)).toEqual(['Bearer CKfake-access-1', 'Bearer CKfake-access-1']);
  });

  it('renews 5 minutes before expires_in runs out, without waiting for a 401', async () => {
    let nowMs = 0;
    const auth = oauthAuth(oauth(), () => nowMs);
    await getTicket(auth);
    nowMs = 24 * 60_000; // 6 minutes before the 30-minute token ends: still good
    await getTicket(auth);
    expect(tokenRequests()).toHaveLength(1);
    nowMs = 25 * 60_000 + 1; // inside the 5-minute margin
    await getTicket(auth);
    expect(tokenRequests()).toHaveLength(2);
    expect(apiRequests().map((r) => r.headers.authorization)).toEqual(['Bearer CKfake-access-1', 'Bearer CKfake-access-1', 'Bearer CKfake-access-2']);
  });

  it('renews once on a 401 (token revoked before its expiry) and repeats the call', async () => {
    await getTicket();
    valid.clear();
    await getTicket();
    expect(tokenRequests()).toHaveLength(2);
    expect(apiRequests().map((r) => r.headers.authorization)).toEqual(['Bearer CKfake-access-1', 'Bearer CKfake-access-1', 'Bearer CKfake-access-2']);
  });

  it('makes exactly one token request for concurrent events, first use or renewal', async () => {
    await Promise.all(Array.from({ length: 8 }, () => getTicket()));
    expect(tokenRequests()).toHaveLength(1);
    valid.clear();
    await Promise.all(Array.from({ length: 8 }, () => getTicket()));
    expect(tokenRequests()).toHaveLength(2);
  });

  it('a refused refresh token is a clear, retryable error, and is not cached', async () => {
    tokenMode = 'bad_refresh_token';
    const error = await upstreamFailure(getTicket());
    expect(error).toMatchObject({ reason: 'token_request_failed', retryable: true, status: 400 });
    expect(isRetryable(error)).toBe(true);
    expect(error.message).toContain('HTTP 400, invalid_grant');
    expect(error.message).toContain('HELPDESK_CONFIG.hubspot.refreshToken, clientId and clientSecret');
    expect(error.message).not.toContain(REFRESH_TOKEN);
    expect(error.message).not.toContain(CLIENT_SECRET);
    expect(tokenRequests()).toHaveLength(1);
    tokenMode = 'ok';
    await getTicket();
    expect(tokenRequests()).toHaveLength(2);
  });

  it('retries a token endpoint that is down (5xx) in place, then fails retryably', async () => {
    tokenMode = 'down';
    const error = await upstreamFailure(getTicket());
    expect(error).toMatchObject({ reason: 'token_request_failed', retryable: true, status: 502 });
    expect(tokenRequests()).toHaveLength(3);
  });

  it('refuses a token answer whose access_token could break the Authorization header, and one that is not JSON', async () => {
    for (const reply of [{ json: { access_token: 'abc\r\nX-Injected: 1', expires_in: 1800 } }, { json: { token_type: 'bearer', expires_in: 1800 } }, { text: '<html>login</html>' }]) {
      hubspotTokens.clear();
      hubspot.respond((req) => (req.path === TOKEN_PATH ? reply : { status: 500 }));
      const error = await upstreamFailure(getTicket());
      expect(error).toMatchObject({ reason: 'token_request_failed', retryable: true });
    }
    expect(apiRequests()).toEqual([]);
  });

  it('asks for all three settings together, naming the missing one', () => {
    expect(() => readSettings({ refreshToken: REFRESH_TOKEN, clientId: CLIENT_ID })).toThrow(PermanentEventError);
    expect(() => readSettings({ refreshToken: REFRESH_TOKEN, clientId: CLIENT_ID })).toThrow(/HELPDESK_CONFIG\.hubspot\.clientSecret is missing/);
  });
});

describe('HubSpot private-app token (unchanged)', () => {
  it('is sent as given with no token request, and a 401 is not retried', async () => {
    valid.add('pat-na1-static');
    await getTicket(requireAuth(readSettings({ baseUrl: hubspot.url, accessToken: 'pat-na1-static' })));
    expect(tokenRequests()).toEqual([]);
    valid.clear();
    const error = await upstreamFailure(getTicket(requireAuth(readSettings({ baseUrl: hubspot.url, accessToken: 'pat-na1-static' }))));
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect(apiRequests()).toHaveLength(2);
  });
});
