import { describe, expect, it } from 'vitest';
import { AuthenticityError } from '../../lib/errors.ts';
import type { WebhookRequest } from '../../lib/providers/types.ts';
import { verifyStandardWebhook } from '../../lib/standard-webhooks.ts';

// The cross-language known-answer vector of the Standard Webhooks libraries
// (standard-webhooks/standard-webhooks, libraries/*/webhook.test.*: "sign function works").
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: '1614265330',
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const NOW_MS = 1614265330 * 1000;

function request(headers: Record<string, string>, body = VECTOR.body): WebhookRequest {
  return { method: 'POST', url: 'https://x/webhooks/generic', rawBody: Buffer.from(body), headers, query: {} };
}
const valid = { 'webhook-id': VECTOR.id, 'webhook-timestamp': VECTOR.timestamp, 'webhook-signature': VECTOR.signature };

function reasonOf(fn: () => void): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AuthenticityError);
    return (error as AuthenticityError).reason;
  }
  throw new Error('expected an AuthenticityError');
}

describe('verifyStandardWebhook', () => {
  it('accepts the published known-answer vector', () => {
    expect(() => verifyStandardWebhook(request(valid), [VECTOR.secret], NOW_MS)).not.toThrow();
  });

  it('accepts when any of several signatures is valid, skipping unknown versions', () => {
    const headers = { ...valid, 'webhook-signature': `v2,abc v1,${'A'.repeat(43)}= ${VECTOR.signature}` };
    expect(() => verifyStandardWebhook(request(headers), [VECTOR.secret], NOW_MS)).not.toThrow();
  });

  it('accepts with the second of two active secrets (rotation)', () => {
    expect(() => verifyStandardWebhook(request(valid), ['whsec_b2xkLXNlY3JldA==', VECTOR.secret], NOW_MS)).not.toThrow();
  });

  it('rejects a changed body', () => {
    expect(reasonOf(() => verifyStandardWebhook(request(valid, '{"test": 2432232315}'), [VECTOR.secret], NOW_MS))).toBe('no_matching_signature');
  });

  it('rejects a missing header', () => {
    const { 'webhook-id': _id, ...rest } = valid;
    expect(reasonOf(() => verifyStandardWebhook(request(rest), [VECTOR.secret], NOW_MS))).toBe('missing_headers');
  });

  it('rejects a non-numeric timestamp', () => {
    expect(reasonOf(() => verifyStandardWebhook(request({ ...valid, 'webhook-timestamp': '2021-02-25' }), [VECTOR.secret], NOW_MS))).toBe(
      'malformed_timestamp',
    );
  });

  it('rejects a timestamp more than five minutes old, and one more than five minutes ahead', () => {
    expect(reasonOf(() => verifyStandardWebhook(request(valid), [VECTOR.secret], NOW_MS + 301_000))).toBe('timestamp_too_old');
    expect(reasonOf(() => verifyStandardWebhook(request(valid), [VECTOR.secret], NOW_MS - 301_000))).toBe('timestamp_too_new');
  });

  it('rejects a truncated signature', () => {
    expect(
      reasonOf(() => verifyStandardWebhook(request({ ...valid, 'webhook-signature': VECTOR.signature.slice(0, -4) }), [VECTOR.secret], NOW_MS)),
    ).toBe('malformed_signature');
  });
});

describe('decodeSignature', () => {
  it('refuses a non-canonical base64 spelling of a valid digest (spare bits set)', async () => {
    const { decodeSignature } = await import('../../lib/verify-hmac.ts');
    const valid = VECTOR.signature.slice(3); // g0hM…1OE=
    expect(decodeSignature(valid, 'base64', 32)).toBeDefined();
    // The last character before '=' carries 2 spare bits: 'E' (000100) → 'F' (000101) decodes alike.
    const twin = `${valid.slice(0, -2)}F=`;
    expect(Buffer.from(twin, 'base64').equals(Buffer.from(valid, 'base64'))).toBe(true);
    expect(decodeSignature(twin, 'base64', 32)).toBeUndefined();
  });
});
