/**
 * Salesforce credentials that renew, against a fake org built from Salesforce's documented
 * contract: the token endpoint `POST /services/oauth2/token` takes a form-encoded
 * `grant_type=client_credentials&client_id&client_secret` (or the JWT bearer grant) and answers
 * `{access_token, signature, instance_url, id, token_type: "Bearer", issued_at}` with no
 * `expires_in`; bad credentials get `400 {"error":"invalid_client","error_description":…}`
 * (help.salesforce.com "OAuth 2.0 Client Credentials Flow for Server-to-Server Integration").
 * The REST API answers an expired or unknown token with `401 [{"message":"Session expired or
 * invalid","errorCode":"INVALID_SESSION_ID"}]` (REST API Developer Guide, "Status Codes and Error Responses").
 */
import { createVerify, generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isRetryable, PermanentEventError } from '../../../lib/errors.ts';
import { createHttpClient } from '../../../lib/http.ts';
import { salesforceTokens } from '../../../lib/providers/salesforce/auth.ts';
import { salesforceProvider } from '../../../lib/providers/salesforce/index.ts';
import type { NormalizedEvent, ProviderSettings, StepResults } from '../../../lib/providers/types.ts';
import { startFakeServer, type FakeServer, type RecordedRequest, type Responder } from '../../support/fake-server.ts';
import { helpdeskContract } from '../../support/helpdesk-contracts.ts';
import { upstreamFailure } from '../../support/upstream-failure.ts';

const CLIENT_ID = '3MVG9fake.consumer.key';
const CLIENT_SECRET = 'fake-consumer-secret';
const USERNAME = 'integration@acme.example';
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_KEY = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

interface FakeOrg {
  server: FakeServer;
  /** Tokens the org accepts now; a test expires one by deleting it. */
  valid: Set<string>;
  issued: number;
  tokenMode: 'ok' | 'invalid_client' | 'down';
  responder: Responder;
  tokenRequests(): RecordedRequest[];
  apiRequests(): RecordedRequest[];
}

function verifyAssertion(assertion: string): boolean {
  const [header, claims, signature] = assertion.split('.');
  if (header === undefined || claims === undefined || signature === undefined) return false;
  const okSignature = createVerify('RSA-SHA256').update(`${header}.${claims}`).verify(publicKey, signature, 'base64url');
  const c = JSON.parse(Buffer.from(claims, 'base64url').toString()) as Record<string, unknown>;
  const expOk = typeof c.exp === 'number' && c.exp * 1000 > Date.now() && c.exp * 1000 <= Date.now() + 180_000 + 1000;
  return okSignature && JSON.parse(Buffer.from(header, 'base64url').toString()).alg === 'RS256' && c.iss === CLIENT_ID && c.sub === USERNAME && c.aud === 'https://login.salesforce.com' && expOk;
}

async function startFakeOrg(): Promise<FakeOrg> {
  const org: FakeOrg = {
    server: undefined as unknown as FakeServer,
    valid: new Set(),
    issued: 0,
    tokenMode: 'ok',
    responder: () => ({}),
    tokenRequests: () => org.server.requests.filter((r) => r.path === '/services/oauth2/token'),
    apiRequests: () => org.server.requests.filter((r) => r.path.startsWith('/services/data/')),
  };
  org.responder = (req) => {
    if (req.path === '/services/oauth2/token') {
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/x-www-form-urlencoded') {
        return { status: 400, json: { error: 'invalid_request', error_description: 'must be a form-encoded POST' } };
      }
      if (org.tokenMode === 'down') return { status: 503, text: 'Service Unavailable' };
      const form = new URLSearchParams(req.rawBody);
      const grant = form.get('grant_type');
      const ok =
        org.tokenMode === 'ok' &&
        ((grant === 'client_credentials' && form.get('client_id') === CLIENT_ID && form.get('client_secret') === CLIENT_SECRET) ||
          (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer' && verifyAssertion(form.get('assertion') ?? '')));
      if (!ok) return { status: 400, json: { error: 'invalid_client', error_description: 'invalid client credentials' } };
      const token = `00Dfake!token-${++org.issued}`;
      org.valid.add(token);
      return {
        json: {
          access_token: token,
          signature: 'c2lnbmF0dXJl',
          token_format: 'opaque',
          instance_url: org.server.url,
          id: 'https://login.salesforce.com/id/00Dd0000000XXXXXXX/005d0000000XXXXX',
          token_type: 'Bearer',
          issued_at: String(Date.now()),
        },
      };
    }
    const auth = String(req.headers.authorization ?? '');
    if (!auth.startsWith('Bearer ') || !org.valid.has(auth.slice(7))) {
      return { status: 401, json: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] };
    }
    if (req.method === 'PATCH') return { status: 204 };
    if (req.method === 'POST') return { status: 201, json: { id: '00a5e00000CmT09AAF', success: true, errors: [] } };
    return { json: { Id: '5005e00000QxYz1AAF' } };
  };
  // REST calls are also checked against Salesforce's API rules (helpdesk-contracts.ts).
  org.server = await startFakeServer(org.responder, { contract: helpdeskContract });
  return org;
}

let org: FakeOrg;
const http = createHttpClient({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });

beforeAll(async () => {
  org = await startFakeOrg();
});
afterAll(async () => {
  await org.server.stop();
});
afterEach(() => org.server.assertNoViolations());
beforeEach(() => {
  org.server.requests.length = 0;
  org.valid.clear();
  org.tokenMode = 'ok';
  org.issued = 0;
  org.server.respond(org.responder);
  salesforceTokens.clear();
});

const event: NormalizedEvent = {
  eventType: 'ticket.created',
  ticketId: '5005e00000QxYz1AAF',
  subject: 'Charged twice',
  body: 'I was charged twice.',
  customerId: '0035e00000CtC01AAF',
  channel: 'email',
  conversation: [{ role: 'customer', content: 'I was charged twice.' }],
  metadata: { source: 'salesforce' },
};
const results: StepResults = { classify: { category: 'billing', urgency: 'high', confidence: 0.9 } };

const clientCredentials = (): ProviderSettings => ({ instanceUrl: org.server.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });

/** Runs every write-back op of one event (a PATCH of the Case and a CaseComment insert). */
async function writeBack(settings: ProviderSettings): Promise<void> {
  for (const op of salesforceProvider.writeBack({ event, results, confidenceThreshold: 0.6 }, { settings, http })) await op.run(http);
}

describe('Salesforce client credentials flow', () => {
  it('asks the token endpoint once, then calls the API with that Bearer token for every call of the container', async () => {
    await writeBack(clientCredentials());
    await writeBack(clientCredentials());
    const [tokenRequest, ...more] = org.tokenRequests();
    expect(more).toEqual([]);
    expect(Object.fromEntries(new URLSearchParams(tokenRequest?.rawBody))).toEqual({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(org.apiRequests().map((r) => [r.method, r.headers.authorization])).toEqual([
      ['PATCH', 'Bearer 00Dfake!token-1'],
      ['POST', 'Bearer 00Dfake!token-1'],
      ['PATCH', 'Bearer 00Dfake!token-1'],
      ['POST', 'Bearer 00Dfake!token-1'],
    ]);
  });

  it('makes exactly one token request for many concurrent events (single flight)', async () => {
    await Promise.all(Array.from({ length: 8 }, () => writeBack(clientCredentials())));
    expect(org.tokenRequests()).toHaveLength(1);
    expect(org.apiRequests()).toHaveLength(16);
  });

  it('renews once on 401 INVALID_SESSION_ID when the token expires mid-run, and repeats the call', async () => {
    await writeBack(clientCredentials());
    org.valid.clear(); // the org's session timeout passes
    await writeBack(clientCredentials());
    expect(org.tokenRequests()).toHaveLength(2);
    expect(org.apiRequests().map((r) => `${r.method} ${r.headers.authorization}`)).toEqual([
      'PATCH Bearer 00Dfake!token-1',
      'POST Bearer 00Dfake!token-1',
      'PATCH Bearer 00Dfake!token-1',
      'PATCH Bearer 00Dfake!token-2',
      'POST Bearer 00Dfake!token-2',
    ]);
  });

  it('renews once for many concurrent calls that all meet the expired token', async () => {
    await writeBack(clientCredentials());
    org.valid.clear();
    await Promise.all(Array.from({ length: 6 }, () => writeBack(clientCredentials())));
    expect(org.tokenRequests()).toHaveLength(2);
  });

  it('does not loop: a 401 after the renewal fails the call (permanent), with one renewal only', async () => {
    org.server.respond((req) =>
      req.path === '/services/oauth2/token'
        ? { json: { access_token: `t-${Math.random()}`, token_type: 'Bearer', instance_url: org.server.url } }
        : { status: 401, json: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] },
    );
    const error = await upstreamFailure(writeBack(clientCredentials()));
    expect(error.status).toBe(401);
    expect(org.server.requests.filter((r) => r.path === '/services/oauth2/token')).toHaveLength(2);
    expect(org.server.requests.filter((r) => r.path.startsWith('/services/data/'))).toHaveLength(2);
  });

  it('a refused credential is a clear, retryable error (the event is retried, not parked), and is not cached', async () => {
    org.tokenMode = 'invalid_client';
    const error = await upstreamFailure(writeBack(clientCredentials()));
    expect(error).toMatchObject({ reason: 'token_request_failed', retryable: true, status: 400 });
    expect(isRetryable(error)).toBe(true);
    expect(error.message).toContain('HTTP 400, invalid_client');
    expect(error.message).toContain('check HELPDESK_CONFIG.salesforce.clientId and clientSecret');
    expect(error.message).not.toContain(CLIENT_SECRET);
    // One token request: a 400 is not retried in place.
    expect(org.tokenRequests()).toHaveLength(1);
    expect(org.apiRequests()).toHaveLength(0);

    org.tokenMode = 'ok'; // the operator fixes the app; the next delivery succeeds
    await writeBack(clientCredentials());
    expect(org.apiRequests()).toHaveLength(2);
  });

  it('an unreachable token endpoint is retryable too', async () => {
    org.tokenMode = 'down';
    const error = await upstreamFailure(writeBack(clientCredentials()));
    expect(error).toMatchObject({ reason: 'token_request_failed', retryable: true, status: 503 });
  });

  it('renews before tokenLifetimeSeconds runs out, without waiting for a 401', async () => {
    let nowMs = 1_000_000;
    const { salesforceAuth } = await import('../../../lib/providers/salesforce/auth.ts');
    const auth = salesforceAuth({ ...clientCredentials(), tokenLifetimeSeconds: 3600 }, org.server.url, () => nowMs);
    const get = () => auth.request(http, { service: 'salesforce', method: 'GET', url: `${org.server.url}/services/data/v62.0/sobjects/Case/5005e00000QxYz1AAF`, timeoutMs: 2000 });
    await get();
    nowMs += 3_500_000; // 100 s before the hour ends: still the first token
    await get();
    expect(org.tokenRequests()).toHaveLength(1);
    nowMs += 45_000; // within the last minute of the hour (renewed 60 s ahead)
    await get();
    expect(org.tokenRequests()).toHaveLength(2);
    expect(org.apiRequests().map((r) => r.headers.authorization)).toEqual(['Bearer 00Dfake!token-1', 'Bearer 00Dfake!token-1', 'Bearer 00Dfake!token-2']);
  });

  it('names the missing setting when only half of the credentials is there', () => {
    expect(() => salesforceProvider.writeBack({ event, results, confidenceThreshold: 0.6 }, { settings: { instanceUrl: org.server.url, clientId: CLIENT_ID }, http })).toThrow(
      /HELPDESK_CONFIG\.salesforce\.clientSecret must be the consumer secret/,
    );
    expect(() => salesforceProvider.writeBack({ event, results, confidenceThreshold: 0.6 }, { settings: { instanceUrl: org.server.url }, http })).toThrow(PermanentEventError);
  });
});

describe('Salesforce JWT bearer flow', () => {
  const jwt = (): ProviderSettings => ({ instanceUrl: org.server.url, clientId: CLIENT_ID, username: USERNAME, privateKey: PRIVATE_KEY });

  it('signs an RS256 assertion (iss, sub, aud, exp ≤ 3 min) that the token endpoint verifies, and uses the token', async () => {
    await writeBack(jwt());
    const form = new URLSearchParams(org.tokenRequests()[0]?.rawBody);
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(verifyAssertion(form.get('assertion') ?? '')).toBe(true);
    expect(org.apiRequests().map((r) => r.headers.authorization)).toEqual(['Bearer 00Dfake!token-1', 'Bearer 00Dfake!token-1']);
  });

  it('renews with a new assertion after 401 INVALID_SESSION_ID', async () => {
    await writeBack(jwt());
    org.valid.clear();
    await writeBack(jwt());
    expect(org.tokenRequests()).toHaveLength(2);
  });

  it('refuses a privateKey that is not a PEM key, naming the setting', () => {
    expect(() => salesforceProvider.writeBack({ event, results, confidenceThreshold: 0.6 }, { settings: { ...jwt(), privateKey: 'not a key' }, http })).toThrow(
      /HELPDESK_CONFIG\.salesforce\.privateKey must be the PEM private key/,
    );
  });
});

describe('Salesforce static accessToken (unchanged)', () => {
  it('is sent as given, with no token request, and its 401 stays permanent', async () => {
    org.valid.add('static-token');
    await writeBack({ instanceUrl: org.server.url, accessToken: 'static-token' });
    expect(org.tokenRequests()).toEqual([]);
    expect(org.apiRequests().map((r) => r.headers.authorization)).toEqual(['Bearer static-token', 'Bearer static-token']);
    org.valid.clear();
    const error = await upstreamFailure(writeBack({ instanceUrl: org.server.url, accessToken: 'static-token' }));
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect(org.tokenRequests()).toEqual([]);
  });
});

/**
 * The token answer's `instance_url` names the org's instance, and Salesforce's walk-through sends
 * API calls there (Connect REST API quickstart, step 2). `POD` stands for the org's My Domain; a
 * fetch that plays DNS routes it to a second fake (`pod`) sharing the org's valid tokens, and
 * records every URL the bridge asked for, so a call to any other host is seen, never sent.
 */
describe('Salesforce instance_url from the token answer', () => {
  const POD = 'https://acme.my.salesforce.com';
  let pod: FakeServer;
  const fetched: string[] = [];
  const podHttp = createHttpClient({
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    fetch: async (url, init) => {
      fetched.push(url);
      if (url.startsWith(`${POD}/`)) return fetch(`${pod.url}${url.slice(POD.length)}`, init);
      if (url.startsWith(`${org.server.url}/`)) return fetch(url, init);
      return new Response('{"error":"not a host of this test"}', { status: 502 });
    },
  });
  const answering = (instanceUrl: unknown) =>
    org.server.respond((req) => {
      const reply = org.responder(req);
      return req.path === '/services/oauth2/token' && reply instanceof Object && 'json' in reply && (reply.status ?? 200) === 200
        ? { ...reply, json: { ...(reply.json as object), instance_url: instanceUrl } }
        : reply;
    });
  const writeBackVia = async (settings: ProviderSettings) => {
    for (const op of salesforceProvider.writeBack({ event, results, confidenceThreshold: 0.6 }, { settings, http: podHttp })) await op.run(podHttp);
  };
  const apiUrls = () => fetched.filter((u) => u.includes('/services/data/'));

  beforeAll(async () => {
    pod = await startFakeServer((req) => org.responder(req), { contract: helpdeskContract });
  });
  afterAll(async () => {
    await pod?.stop();
  });
  beforeEach(() => {
    pod.requests.length = 0;
    fetched.length = 0;
  });
  afterEach(() => pod.assertNoViolations());

  it('client credentials: API calls go to the instance the token answer names, with that token', async () => {
    answering(POD);
    await writeBackVia(clientCredentials());
    expect(fetched[0]).toBe(`${org.server.url}/services/oauth2/token`);
    expect(apiUrls().every((u) => u.startsWith(`${POD}/services/data/`))).toBe(true);
    expect(pod.requests.map((r) => [r.method, r.headers.authorization])).toEqual([
      ['PATCH', 'Bearer 00Dfake!token-1'],
      ['POST', 'Bearer 00Dfake!token-1'],
    ]);
    expect(org.apiRequests()).toEqual([]);
  });

  it('JWT bearer too, and the token renewed after 401 INVALID_SESSION_ID keeps its instance', async () => {
    answering(POD);
    const jwt = { instanceUrl: org.server.url, clientId: CLIENT_ID, username: USERNAME, privateKey: PRIVATE_KEY };
    await writeBackVia(jwt);
    org.valid.clear();
    await writeBackVia(jwt);
    expect(org.tokenRequests()).toHaveLength(2);
    expect(pod.requests.map((r) => r.headers.authorization)).toEqual(['Bearer 00Dfake!token-1', 'Bearer 00Dfake!token-1', 'Bearer 00Dfake!token-1', 'Bearer 00Dfake!token-2', 'Bearer 00Dfake!token-2']);
    expect(org.apiRequests()).toEqual([]);
  });

  it.each([
    ['another host', 'https://collector.example'],
    ['http on a Salesforce host', 'http://acme.my.salesforce.com'],
    ['a Salesforce name as a subdomain of another host', 'https://acme.my.salesforce.com.collector.example'],
    ['a look-alike suffix', 'https://acmesalesforce.com'],
    ['credentials in the URL', 'https://bridge:pw@acme.my.salesforce.com'],
    ['an explicit port', 'https://acme.my.salesforce.com:8443'],
    ['not a URL', 'acme.my.salesforce.com'],
    ['not a string', 42],
  ])('ignores an untrusted instance_url (%s): the calls stay on the configured instanceUrl', async (_, instanceUrl) => {
    answering(instanceUrl);
    await writeBackVia(clientCredentials());
    expect(apiUrls()).toHaveLength(2);
    expect(apiUrls().every((u) => u.startsWith(`${org.server.url}/services/data/`))).toBe(true);
    expect(pod.requests).toEqual([]);
    expect(org.apiRequests()).toHaveLength(2);
  });
});
