import { createHash, createHmac } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { toIngestInput } from '../../../lib/endpoint.ts';
import { AuthenticityError } from '../../../lib/errors.ts';
import { hubspotProvider } from '../../../lib/providers/hubspot/index.ts';
import type { ProviderSettings, WebhookRequest } from '../../../lib/providers/types.ts';

/** Independent of the code under test: the documented v3 recipe, on an already-decoded URI. */
const signV3 = (secret: string, method: string, uri: string, body: string, timestamp: string) =>
  createHmac('sha256', secret).update(`${method}${uri}${body}${timestamp}`, 'utf8').digest('base64');

const SECRET = 'local-dev-secret';
const URL_ = 'https://bridge.example.com/webhooks/hubspot';
const BODY = '[{"eventId":1,"subscriptionId":2,"portalId":3,"occurredAt":4,"subscriptionType":"ticket.creation","attemptNumber":0,"objectId":5}]';
const NOW = 1_752_613_922_216;

function request(headers: Record<string, string>, body = BODY, url = URL_, method = 'POST'): WebhookRequest {
  return { method, url, rawBody: Buffer.from(body), headers, query: {} };
}

function v3Headers(body = BODY, url = URL_, timestampMs = NOW, secret = SECRET): Record<string, string> {
  const ts = String(timestampMs);
  return { 'x-hubspot-signature-v3': signV3(secret, 'POST', url, body, ts), 'x-hubspot-request-timestamp': ts };
}

function verify(req: WebhookRequest, options: { secrets?: readonly string[]; settings?: ProviderSettings; nowMs?: number } = {}) {
  hubspotProvider.verify({ request: req, secrets: options.secrets ?? [SECRET], settings: options.settings ?? {}, nowMs: options.nowMs ?? NOW });
}

function rejection(fn: () => void): { name: string; reason: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof AuthenticityError) return { name: error.name, reason: error.reason };
    throw error;
  }
  throw new Error('expected an AuthenticityError');
}

describe('HubSpot published test vectors (reference/helpdesks.md)', () => {
  const legacySecret = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';

  it('H1: v1 = hex SHA-256(secret + body), accepted when v1 is enabled', () => {
    const body =
      '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]';
    const headers = { 'x-hubspot-signature': '232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de', 'x-hubspot-signature-version': 'v1' };
    expect(() => verify(request(headers, body), { secrets: [legacySecret], settings: { signatureVersions: ['v3', 'v1'] } })).not.toThrow();
  });

  it('H2: v2 = hex SHA-256(secret + GET + URI + empty body)', () => {
    const headers = { 'x-hubspot-signature': 'eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e', 'x-hubspot-signature-version': 'v2' };
    const req = request(headers, '', 'https://www.example.com/webhook_uri', 'GET');
    expect(() => verify(req, { secrets: [legacySecret], settings: { signatureVersions: ['v2'] } })).not.toThrow();
  });

  it('H3: v2 = hex SHA-256(secret + POST + URI + body)', () => {
    const headers = { 'x-hubspot-signature': '9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900', 'x-hubspot-signature-version': 'v2' };
    const req = request(headers, '{"example_field":"example_value"}', 'https://www.example.com/webhook_uri');
    expect(() => verify(req, { secrets: [legacySecret], settings: { signatureVersions: ['v3', 'v2'] } })).not.toThrow();
  });

  it('H4: v3 over POST + URI + body + timestamp 15000000 (SDK vector)', () => {
    const headers = { 'x-hubspot-signature-v3': 'HPW73RUtKmcYoEDADG0s6MmGFWUzWJKAW07r8RDgcQw=', 'x-hubspot-request-timestamp': '15000000' };
    const req = request(headers, "{'example_field':'example_value'}", 'https://www.example.com/webhook_uri');
    expect(() => verify(req, { secrets: [legacySecret], nowMs: 15_000_000 })).not.toThrow();
  });

  it('H5: v3 of a real contact.creation delivery (docs Java example)', () => {
    const body =
      '[{"eventId":531833541,"subscriptionId":3923621,"portalId":48807704,"appId":16111050,"occurredAt":1752613920733,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":138017612137,"changeFlag":"CREATED","changeSource":"CRM_UI","sourceId":"userId:76023669"}]';
    const headers = { 'x-hubspot-signature-v3': 'gbj1XPRvUt0noT7i7fXfTzOD4sLzQmf0VT28ZYq0EYg=', 'x-hubspot-request-timestamp': '1752613922216' };
    const req = request(headers, body, 'https://webhook.site/335453f5-94b3-49d9-b684-a55354d4b8df');
    expect(() => verify(req, { secrets: ['cfc68c0b-4b4e-4ef8-b764-95350e4ea479'], nowMs: 1_752_613_922_216 + 60_000 })).not.toThrow();
  });

  it('H5 with one byte of the body changed is rejected', () => {
    const body =
      '[{"eventId":531833542,"subscriptionId":3923621,"portalId":48807704,"appId":16111050,"occurredAt":1752613920733,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":138017612137,"changeFlag":"CREATED","changeSource":"CRM_UI","sourceId":"userId:76023669"}]';
    const headers = { 'x-hubspot-signature-v3': 'gbj1XPRvUt0noT7i7fXfTzOD4sLzQmf0VT28ZYq0EYg=', 'x-hubspot-request-timestamp': '1752613922216' };
    const req = request(headers, body, 'https://webhook.site/335453f5-94b3-49d9-b684-a55354d4b8df');
    expect(rejection(() => verify(req, { secrets: ['cfc68c0b-4b4e-4ef8-b764-95350e4ea479'], nowMs: 1_752_613_922_216 }))).toEqual({
      name: 'AuthenticityError',
      reason: 'no_matching_signature',
    });
  });
});

describe('HubSpot v3 verification', () => {
  it('accepts any active secret (rotation)', () => {
    const req = request(v3Headers(BODY, URL_, NOW, 'new-secret'));
    expect(() => verify(req, { secrets: ['old-secret', 'new-secret'] })).not.toThrow();
  });

  it('accepts a timestamp up to 5 minutes old or ahead, and rejects beyond, in both directions', () => {
    expect(() => verify(request(v3Headers(BODY, URL_, NOW - 300_000)))).not.toThrow();
    expect(() => verify(request(v3Headers(BODY, URL_, NOW + 300_000)))).not.toThrow();
    expect(rejection(() => verify(request(v3Headers(BODY, URL_, NOW - 300_001))))).toEqual({ name: 'AuthenticityError', reason: 'timestamp_too_old' });
    expect(rejection(() => verify(request(v3Headers(BODY, URL_, NOW + 300_001))))).toEqual({ name: 'AuthenticityError', reason: 'timestamp_too_new' });
  });

  it('signs the URI with the documented encodings decoded (%3A %2F %3F %40 %21 %24 %27 %28 %29 %2A %2C %3B), in either hex case', () => {
    const called = 'https://bridge.example.com/webhooks/hubspot?a=b%3Ac%2Fd%3Fe%40f%21g%24h%27i%28j%29k%2Al%2Cm%3Bn&x=%3a%2f';
    const decoded = "https://bridge.example.com/webhooks/hubspot?a=b:c/d?e@f!g$h'i(j)k*l,m;n&x=:/";
    const ts = String(NOW);
    const headers = { 'x-hubspot-signature-v3': signV3(SECRET, 'POST', decoded, BODY, ts), 'x-hubspot-request-timestamp': ts };
    expect(() => verify(request(headers, BODY, called))).not.toThrow();
  });

  it('does not decode other encodings (%20 stays as sent)', () => {
    const called = 'https://bridge.example.com/webhooks/hubspot?q=a%20b';
    const ts = String(NOW);
    const wronglyDecoded = { 'x-hubspot-signature-v3': signV3(SECRET, 'POST', 'https://bridge.example.com/webhooks/hubspot?q=a b', BODY, ts), 'x-hubspot-request-timestamp': ts };
    expect(rejection(() => verify(request(wronglyDecoded, BODY, called))).reason).toBe('no_matching_signature');
    const asSent = { 'x-hubspot-signature-v3': signV3(SECRET, 'POST', called, BODY, ts), 'x-hubspot-request-timestamp': ts };
    expect(() => verify(request(asSent, BODY, called))).not.toThrow();
  });

  it('rejects a signature made for another URL (the host and path are signed)', () => {
    const req = request(v3Headers(BODY, 'https://other.example.com/webhooks/hubspot'));
    expect(rejection(() => verify(req)).reason).toBe('no_matching_signature');
  });

  describe('every rejection is an AuthenticityError with its own reason', () => {
    const cases: [string, () => void, string][] = [
      ['no secret configured', () => verify(request(v3Headers()), { secrets: [] }), 'no_secret_configured'],
      ['only empty secrets', () => verify(request(v3Headers()), { secrets: [''] }), 'no_secret_configured'],
      ['no signature header at all', () => verify(request({ 'x-hubspot-request-timestamp': String(NOW) })), 'missing_signature'],
      ['v3 without its timestamp', () => verify(request({ 'x-hubspot-signature-v3': v3Headers()['x-hubspot-signature-v3'] ?? '' })), 'missing_timestamp'],
      ['a timestamp that is not epoch ms', () => verify(request({ ...v3Headers(), 'x-hubspot-request-timestamp': '2025-07-15T21:12:02Z' })), 'malformed_timestamp'],
      ['a signature that is not base64 of 32 bytes', () => verify(request({ ...v3Headers(), 'x-hubspot-signature-v3': 'bm90LWEtZGlnZXN0' })), 'malformed_signature'],
      ['a signature by another secret', () => verify(request(v3Headers(BODY, URL_, NOW, 'attacker'))), 'no_matching_signature'],
      ['a v3 signature with a tampered body', () => verify(request(v3Headers(), BODY.replace('"objectId":5', '"objectId":6'))), 'no_matching_signature'],
      ['a stale timestamp', () => verify(request(v3Headers(BODY, URL_, NOW - 3_600_000))), 'timestamp_too_old'],
      ['a future timestamp', () => verify(request(v3Headers(BODY, URL_, NOW + 3_600_000))), 'timestamp_too_new'],
      ['v3 disabled by settings and no legacy header', () => verify(request(v3Headers()), { settings: { signatureVersions: ['v1'] } }), 'signature_version_not_enabled'],
      ['invalid signatureVersions setting fails closed', () => verify(request(v3Headers()), { settings: { signatureVersions: ['v4'] } }), 'invalid_settings'],
    ];
    for (const [name, run, reason] of cases) {
      it(`${name} → ${reason}`, () => {
        expect(rejection(run)).toEqual({ name: 'AuthenticityError', reason });
      });
    }
  });
});

describe('HubSpot v1/v2 (legacy) only when enabled in settings.signatureVersions', () => {
  const v1 = (body: string, secret = SECRET) => createHash('sha256').update(secret + body).digest('hex');

  it('rejects a valid v1 signature by default (v3 only)', () => {
    const req = request({ 'x-hubspot-signature': v1(BODY), 'x-hubspot-signature-version': 'v1' });
    expect(rejection(() => verify(req))).toEqual({ name: 'AuthenticityError', reason: 'signature_version_not_enabled' });
  });

  it('accepts v1 once enabled, and still prefers v3 when both are present', () => {
    const settings = { signatureVersions: ['v3', 'v1'] };
    expect(() => verify(request({ 'x-hubspot-signature': v1(BODY), 'x-hubspot-signature-version': 'v1' }), { settings })).not.toThrow();
    // A real CRM delivery carries both; a forged v3 is not rescued by a valid v1.
    const both = { 'x-hubspot-signature': v1(BODY), 'x-hubspot-signature-version': 'v1', ...v3Headers(BODY, URL_, NOW, 'attacker') };
    expect(rejection(() => verify(request(both), { settings })).reason).toBe('no_matching_signature');
  });

  it('uses v1 when v3 is disabled even if the v3 headers are present', () => {
    const both = { 'x-hubspot-signature': v1(BODY), 'x-hubspot-signature-version': 'v1', ...v3Headers(BODY, URL_, NOW, 'attacker') };
    expect(() => verify(request(both), { settings: { signatureVersions: ['v1'] } })).not.toThrow();
  });

  it.each([
    ['no version header', { 'x-hubspot-signature': 'a'.repeat(64) }, 'missing_signature_version'],
    ['an unknown version', { 'x-hubspot-signature': 'a'.repeat(64), 'x-hubspot-signature-version': 'v9' }, 'unknown_signature_version'],
    ['v2 when only v1 is enabled', { 'x-hubspot-signature': 'a'.repeat(64), 'x-hubspot-signature-version': 'v2' }, 'signature_version_not_enabled'],
    ['a malformed hex digest', { 'x-hubspot-signature': 'xyz', 'x-hubspot-signature-version': 'v1' }, 'malformed_signature'],
    ['a digest by another secret', { 'x-hubspot-signature': v1(BODY, 'attacker'), 'x-hubspot-signature-version': 'v1' }, 'no_matching_signature'],
  ])('%s → %s', (_name, headers, reason) => {
    expect(rejection(() => verify(request(headers), { settings: { signatureVersions: ['v1'] } }))).toEqual({ name: 'AuthenticityError', reason });
  });
});

describe('the URI HubSpot signed, as lib/endpoint.ts requestUrl() rebuilds it behind API Gateway', () => {
  function gatewayEvent(domainName: string, rawPath: string, stage: string, headers: Record<string, string>, rawQueryString = ''): APIGatewayProxyEventV2 {
    return {
      version: '2.0',
      routeKey: 'POST /webhooks/{provider}',
      rawPath,
      rawQueryString,
      headers: { host: domainName, 'x-forwarded-proto': 'https', 'content-type': 'application/json', ...headers },
      requestContext: {
        accountId: '123456789012',
        apiId: 'a1b2c3d4e5',
        domainName,
        domainPrefix: domainName.split('.')[0] ?? '',
        http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '54.174.62.1', userAgent: 'HubSpot Webhooks' },
        requestId: 'r-1',
        routeKey: 'POST /webhooks/{provider}',
        stage,
        time: '15/Jul/2025:21:12:02 +0000',
        timeEpoch: NOW,
      },
      body: BODY,
      isBase64Encoded: false,
    };
  }

  function verifyThroughGateway(calledUrl: string, event: (headers: Record<string, string>) => APIGatewayProxyEventV2, publicBaseUrl: string | undefined) {
    const input = toIngestInput(event(v3Headers(BODY, calledUrl)), publicBaseUrl);
    expect(input.provider).toBe('hubspot');
    verify({ ...input.request });
  }

  const host = 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com';

  it('verifies a request signed for https://<api-id>.execute-api.<region>.amazonaws.com/webhooks/hubspot ($default stage)', () => {
    const called = `https://${host}/webhooks/hubspot`;
    expect(() => verifyThroughGateway(called, (h) => gatewayEvent(host, '/webhooks/hubspot', '$default', h), undefined)).not.toThrow();
    expect(() => verifyThroughGateway(called, (h) => gatewayEvent(host, '/webhooks/hubspot', '$default', h), `https://${host}`)).not.toThrow();
  });

  it('verifies with a named stage (/prod is in rawPath), with or without PUBLIC_BASE_URL set to the stage URL', () => {
    const called = `https://${host}/prod/webhooks/hubspot`;
    const event = (h: Record<string, string>) => gatewayEvent(host, '/prod/webhooks/hubspot', 'prod', h);
    expect(() => verifyThroughGateway(called, event, undefined)).not.toThrow();
    expect(() => verifyThroughGateway(called, event, `https://${host}/prod`)).not.toThrow();
  });

  it('verifies behind a custom domain when PUBLIC_BASE_URL names it, query string included', () => {
    const called = 'https://hooks.example.com/webhooks/hubspot?tenant=acme';
    // Through CloudFront or a proxy the event's domainName is the API's own host.
    const event = (h: Record<string, string>) => gatewayEvent(host, '/webhooks/hubspot', '$default', h, 'tenant=acme');
    expect(() => verifyThroughGateway(called, event, 'https://hooks.example.com')).not.toThrow();
    expect(rejection(() => verifyThroughGateway(called, event, undefined)).reason).toBe('no_matching_signature');
  });
});
