import { describe, expect, it } from 'vitest';
import { AuthenticityError } from '../../../lib/errors.ts';
import { intercomProvider } from '../../../lib/providers/intercom/index.ts';
import type { WebhookRequest } from '../../../lib/providers/types.ts';
import { fixture, request, SECRET, signed } from './support.ts';

const NOW_MS = Date.parse('2024-06-01T10:00:00Z');

function verify(req: WebhookRequest, secrets: readonly string[] = [SECRET]): void {
  intercomProvider.verify({ request: req, secrets, settings: {}, nowMs: NOW_MS });
}

function rejection(req: WebhookRequest, secrets: readonly string[] = [SECRET]): AuthenticityError {
  try {
    verify(req, secrets);
  } catch (error) {
    if (error instanceof AuthenticityError) return error;
    throw error;
  }
  throw new Error('expected an AuthenticityError');
}

describe('Intercom X-Hub-Signature verification', () => {
  // Intercom publishes no vector with its secret (helpdesks.md §3.2); these were computed with
  // Python's hmac module, independently of the code under test.
  it('accepts the Python-computed HMAC-SHA1 of a fixture body', () => {
    const body = fixture('conversation-user-created');
    expect(() => verify(request(body, { 'x-hub-signature': 'sha1=61346055e28f7af4e204989eda83a25b13eedf92' }))).not.toThrow();
  });

  it('accepts the Python-computed vector for a ping body and another client secret', () => {
    const body = '{"topic":"ping","id":null}';
    expect(() =>
      verify(request(body, { 'x-hub-signature': 'sha1=0b52bc2a9d8636e5ac33a82f91d3a6f75a2701a5' }), ['client-secret-123']),
    ).not.toThrow();
  });

  it('accepts upper-case hex and a SHA1= prefix in any case', () => {
    const body = '{"topic":"ping","id":null}';
    expect(() => verify(request(body, { 'x-hub-signature': 'SHA1=0B52BC2A9D8636E5AC33A82F91D3A6F75A2701A5' }), ['client-secret-123'])).not.toThrow();
  });

  it('accepts a request signed with any of several active secrets (rotation)', () => {
    const body = fixture('ticket-created');
    expect(() => verify(signed(body, 'new-secret'), ['old-secret', 'new-secret'])).not.toThrow();
    expect(() => verify(signed(body, 'old-secret'), ['old-secret', 'new-secret'])).not.toThrow();
  });

  it('rejects a missing header', () => {
    const error = rejection(request(fixture('ping')));
    expect(error.reason).toBe('missing_signature');
  });

  it.each([
    ['no sha1= prefix', '61346055e28f7af4e204989eda83a25b13eedf92'],
    ['a sha256= prefix', 'sha256=61346055e28f7af4e204989eda83a25b13eedf92'],
    ['39 hex digits', 'sha1=61346055e28f7af4e204989eda83a25b13eedf9'],
    ['a SHA-256 length digest', `sha1=${'ab'.repeat(32)}`],
    ['non-hex characters', 'sha1=61346055e28f7af4e204989eda83a25b13eedfzz'],
    ['base64 instead of hex', 'sha1=YTQ2MDU1ZTI4ZjdhZjRlMjA0OTg5ZWRh'],
  ])('rejects a malformed header: %s', (_case, header) => {
    const error = rejection(request(fixture('conversation-user-created'), { 'x-hub-signature': header }));
    expect(error.reason).toBe('malformed_signature');
  });

  it('rejects a signature made with another secret', () => {
    expect(rejection(signed(fixture('ticket-created'), 'attacker')).reason).toBe('no_matching_signature');
  });

  it('rejects a body changed after signing (one byte)', () => {
    const body = fixture('conversation-user-created');
    const good = signed(body);
    const tampered = { ...good, rawBody: Buffer.from(body.replace('Charged twice', 'Charged thrice')) };
    expect(rejection(tampered).reason).toBe('no_matching_signature');
  });

  it('fails closed when no secret is configured, even for a body signed with the empty key', () => {
    const body = fixture('ping');
    expect(rejection(signed(body, ''), []).reason).toBe('no_secret_configured');
    expect(rejection(signed(body, ''), ['']).reason).toBe('no_secret_configured');
  });
});
