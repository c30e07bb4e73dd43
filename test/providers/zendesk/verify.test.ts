import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuthenticityError } from '../../../lib/errors.ts';
import { zendeskProvider } from '../../../lib/providers/zendesk/index.ts';
import type { WebhookRequest } from '../../../lib/providers/types.ts';
import { signZendesk } from '../../../infra/sign/zendesk.ts';

// Vector Z1 (helpdesks.md, "Test vectors"): the legacy verifying page's published example.
const Z1_SECRET = 'HRkRd4BeOAoUkfZr-mhauJT64rvBASlJRoIyPsd3zeA=';
const Z1_BODY = '{"say": "hello"}';
const Z1_TIMESTAMP = '2021-07-25T10:00:00Z';
const Z1_SIGNATURE_BODY_FIRST = 'tRDSF7URY8BLCDlaBcQ7FHu051Zk+aAB0NKMP53teMw=';
// Vector Z1': the same input in the current documented order (timestamp first).
const Z1_SIGNATURE_TIMESTAMP_FIRST = 'Rry/4TtIdFyawtXXp8QdI6tlAUUQ/5kL1OTp5qo/ZIk=';
const Z1_NOW_MS = Date.parse(Z1_TIMESTAMP) + 30_000;

function request(body: string, headers: Record<string, string>): WebhookRequest {
  return { method: 'POST', url: 'https://bridge.example.com/webhooks/zendesk', rawBody: Buffer.from(body), headers, query: {} };
}

function verify(req: WebhookRequest, secrets: readonly string[] = [Z1_SECRET], nowMs = Z1_NOW_MS): void {
  zendeskProvider.verify({ request: req, secrets, settings: {}, nowMs });
}

function rejection(fn: () => void): { name: string; reason: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof AuthenticityError) return { name: error.name, reason: error.reason };
    throw error;
  }
  throw new Error('expected an AuthenticityError, got none');
}

const z1 = (signature: string, timestamp = Z1_TIMESTAMP) =>
  request(Z1_BODY, { 'x-zendesk-webhook-signature': signature, 'x-zendesk-webhook-signature-timestamp': timestamp });

describe('Zendesk webhook signatures', () => {
  it('accepts the legacy page’s published vector Z1 (body then timestamp)', () => {
    expect(() => verify(z1(Z1_SIGNATURE_BODY_FIRST))).not.toThrow();
  });

  it('accepts vector Z1′, the current documented order (timestamp then body)', () => {
    expect(() => verify(z1(Z1_SIGNATURE_TIMESTAMP_FIRST))).not.toThrow();
  });

  it('uses the signing secret’s bytes as the key, not its base64 decoding', () => {
    const decodedKey = Buffer.from(Z1_SECRET, 'base64url');
    const wrong = createHmac('sha256', decodedKey).update(Z1_TIMESTAMP).update(Z1_BODY).digest('base64');
    expect(rejection(() => verify(z1(wrong)))).toEqual({ name: 'AuthenticityError', reason: 'no_matching_signature' });
  });

  it('accepts a request signed with any of several active secrets (rotation)', () => {
    expect(() => verify(z1(Z1_SIGNATURE_TIMESTAMP_FIRST), ['new-secret-not-yet-in-zendesk', Z1_SECRET])).not.toThrow();
  });

  it('verifies what the signer for `npm run send` produces', () => {
    const nowMs = Date.parse('2024-04-17T17:18:10Z');
    const body = Buffer.from('{"type":"zen:event-type:ticket.created"}');
    const { headers } = signZendesk({ method: 'POST', url: 'https://x/webhooks/zendesk', body, secret: 'local-dev-secret', nowMs });
    expect(headers['x-zendesk-webhook-signature-timestamp']).toBe('2024-04-17T17:18:10Z');
    expect(() =>
      zendeskProvider.verify({ request: { ...request('', headers), rawBody: body }, secrets: ['local-dev-secret'], settings: {}, nowMs }),
    ).not.toThrow();
  });

  describe('rejects, each with its own reason', () => {
    it('no secret configured (fails closed)', () => {
      expect(rejection(() => verify(z1(Z1_SIGNATURE_TIMESTAMP_FIRST), []))).toEqual({ name: 'AuthenticityError', reason: 'no_secret_configured' });
      expect(rejection(() => verify(z1(Z1_SIGNATURE_TIMESTAMP_FIRST), ['']))).toEqual({ name: 'AuthenticityError', reason: 'no_secret_configured' });
    });

    it('a missing signature header', () => {
      const req = request(Z1_BODY, { 'x-zendesk-webhook-signature-timestamp': Z1_TIMESTAMP });
      expect(rejection(() => verify(req))).toEqual({ name: 'AuthenticityError', reason: 'missing_signature' });
    });

    it('a missing timestamp header', () => {
      const req = request(Z1_BODY, { 'x-zendesk-webhook-signature': Z1_SIGNATURE_TIMESTAMP_FIRST });
      expect(rejection(() => verify(req))).toEqual({ name: 'AuthenticityError', reason: 'missing_timestamp' });
    });

    it('a signature that is not a base64 SHA-256 digest', () => {
      expect(rejection(() => verify(z1('not base64!')))).toEqual({ name: 'AuthenticityError', reason: 'malformed_signature' });
      expect(rejection(() => verify(z1('c2hvcnQ=')))).toEqual({ name: 'AuthenticityError', reason: 'malformed_signature' });
    });

    it('a timestamp that is not ISO-8601 (e.g. epoch seconds)', () => {
      expect(rejection(() => verify(z1(Z1_SIGNATURE_TIMESTAMP_FIRST, '1627207200')))).toEqual({ name: 'AuthenticityError', reason: 'malformed_timestamp' });
    });

    it('a signature made with another secret', () => {
      expect(rejection(() => verify(z1(Z1_SIGNATURE_TIMESTAMP_FIRST), ['another-secret']))).toEqual({ name: 'AuthenticityError', reason: 'no_matching_signature' });
    });

    it('a body changed after signing', () => {
      const req = request('{"say": "hello!"}', { 'x-zendesk-webhook-signature': Z1_SIGNATURE_TIMESTAMP_FIRST, 'x-zendesk-webhook-signature-timestamp': Z1_TIMESTAMP });
      expect(rejection(() => verify(req))).toEqual({ name: 'AuthenticityError', reason: 'no_matching_signature' });
    });

    it('a timestamp changed after signing (replay with a fresh time)', () => {
      expect(rejection(() => verify(z1(Z1_SIGNATURE_TIMESTAMP_FIRST, '2021-07-25T10:00:30Z')))).toEqual({ name: 'AuthenticityError', reason: 'no_matching_signature' });
    });

    it('a signature older than five minutes', () => {
      expect(rejection(() => verify(z1(Z1_SIGNATURE_TIMESTAMP_FIRST), [Z1_SECRET], Date.parse(Z1_TIMESTAMP) + 5 * 60_000 + 1))).toEqual({
        name: 'AuthenticityError',
        reason: 'timestamp_too_old',
      });
    });

    it('a signature more than five minutes in the future', () => {
      expect(rejection(() => verify(z1(Z1_SIGNATURE_TIMESTAMP_FIRST), [Z1_SECRET], Date.parse(Z1_TIMESTAMP) - 5 * 60_000 - 1))).toEqual({
        name: 'AuthenticityError',
        reason: 'timestamp_too_new',
      });
    });
  });

  it('accepts the edges of the ±5 minute window', () => {
    expect(() => verify(z1(Z1_SIGNATURE_TIMESTAMP_FIRST), [Z1_SECRET], Date.parse(Z1_TIMESTAMP) + 5 * 60_000)).not.toThrow();
    expect(() => verify(z1(Z1_SIGNATURE_TIMESTAMP_FIRST), [Z1_SECRET], Date.parse(Z1_TIMESTAMP) - 5 * 60_000)).not.toThrow();
  });
});
