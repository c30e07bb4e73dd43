/**
 * Standard Webhooks verification (https://www.standardwebhooks.com): HMAC-SHA256 over
 * `${webhook-id}.${webhook-timestamp}.${body}`, base64, in a space-delimited list of `v1,<sig>`.
 * Secrets are `whsec_<base64 key>`; a secret without the prefix is used as raw bytes.
 */
import { AuthenticityError } from './errors.ts';
import { TIME_SIGNED, type Verified, type WebhookRequest } from './providers/types.ts';
import { assertFresh, decodeSignature, hmac, matchesAnySecret } from './verify-hmac.ts';

export function verifyStandardWebhook(request: WebhookRequest, secrets: readonly string[], nowMs: number): Verified {
  const id = request.headers['webhook-id'];
  const timestamp = request.headers['webhook-timestamp'];
  const signatures = request.headers['webhook-signature'];
  if (id === undefined || timestamp === undefined || signatures === undefined) {
    throw new AuthenticityError('missing_headers', 'webhook-id, webhook-timestamp and webhook-signature are all required');
  }
  if (!/^\d{1,12}$/.test(timestamp.trim())) {
    throw new AuthenticityError('malformed_timestamp', 'webhook-timestamp is not whole seconds since the epoch');
  }
  assertFresh(Number(timestamp.trim()) * 1000, nowMs);
  const received = signatures
    .split(' ')
    .map((entry) => entry.split(','))
    .filter(([version, sig]) => version === 'v1' && sig !== undefined)
    .map(([, sig]) => decodeSignature(sig ?? '', 'base64', 32))
    .filter((sig): sig is Buffer => sig !== undefined);
  if (received.length === 0) throw new AuthenticityError('malformed_signature', 'webhook-signature has no v1 signature');
  const signed = [`${id}.${timestamp.trim()}.`, request.rawBody] as const;
  // A secret that yields no key is refused at configuration (config.ts); here it matches nothing.
  const usable = secrets.filter((secret) => secretProblem(secret) === undefined);
  if (!matchesAnySecret(received, usable, (secret) => hmac('sha256', keyOf(secret), ...signed))) {
    throw new AuthenticityError('no_matching_signature', 'webhook-signature matches no active secret');
  }
  return TIME_SIGNED;
}

/**
 * Why a configured webhook secret cannot be used as a key, or undefined when it can. `whsec_` +
 * nothing (or + text that is not base64) decodes to an empty key, and an HMAC with an empty key is
 * one anybody can compute (issue #13 finding 8). Applies to every provider's secrets: none may be
 * empty or blank either.
 */
export function secretProblem(secret: string): string | undefined {
  if (secret.trim() === '') return 'is empty or blank';
  if (!secret.startsWith('whsec_')) return undefined;
  const encoded = secret.slice('whsec_'.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return 'starts with whsec_ but the rest is not base64 (Standard Webhooks: whsec_ + the base64 key)';
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0 || key.toString('base64').replace(/=+$/, '') !== encoded.replace(/=+$/, '')) {
    return 'starts with whsec_ but the rest does not decode to a key (Standard Webhooks: whsec_ + the base64 key)';
  }
  return undefined;
}

function keyOf(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}
