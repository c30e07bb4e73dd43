/**
 * The signature primitives every provider uses: HMAC over raw bytes, constant-time comparison
 * against several active secrets, and a two-sided timestamp window with an injected clock.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { AuthenticityError } from './errors.ts';

export type HmacAlgorithm = 'sha1' | 'sha256';
export type DigestEncoding = 'hex' | 'base64';

/** Default replay window: Zendesk, HubSpot v3 and Standard Webhooks all use five minutes. */
export const DEFAULT_TOLERANCE_MS = 5 * 60 * 1000;

export function hmac(algorithm: HmacAlgorithm, secret: string | Buffer, ...parts: (string | Buffer)[]): Buffer {
  const mac = createHmac(algorithm, secret);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

export function sha256(...parts: (string | Buffer)[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/**
 * Decodes a received signature strictly: a value of the wrong encoding or length decodes to
 * undefined instead of a prefix of garbage (Buffer.from is lenient with bad base64/hex).
 */
export function decodeSignature(value: string, encoding: DigestEncoding, expectedBytes: number): Buffer | undefined {
  const trimmed = value.trim();
  const pattern = encoding === 'hex' ? /^[0-9a-fA-F]+$/ : /^[A-Za-z0-9+/]+={0,2}$/;
  if (!pattern.test(trimmed)) return undefined;
  const decoded = Buffer.from(trimmed, encoding);
  if (decoded.length !== expectedBytes) return undefined;
  // Only the canonical spelling: base64 with spare bits set decodes to the same bytes, and a
  // signature that is not byte-for-byte what the sender computed is not the sender's.
  const canonical = decoded.toString(encoding);
  return (encoding === 'hex' ? canonical === trimmed.toLowerCase() : canonical === trimmed) ? decoded : undefined;
}

/** Constant-time equality of two digests; false (not a throw) on length mismatch. */
export function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * True when `received` (already decoded) equals the digest of `compute(secret)` for any active
 * secret. Every secret is tried, so the time taken does not reveal which one matched.
 */
export function matchesAnySecret(
  received: readonly Buffer[],
  secrets: readonly string[],
  compute: (secret: string) => Buffer,
): boolean {
  let matched = false;
  for (const secret of secrets) {
    if (secret === '') continue;
    const expected = compute(secret);
    for (const candidate of received) {
      if (digestsEqual(candidate, expected)) matched = true;
    }
  }
  return matched;
}

/** Throws unless `timestampMs` lies within `toleranceMs` of `nowMs`, in both directions. */
export function assertFresh(timestampMs: number, nowMs: number, toleranceMs = DEFAULT_TOLERANCE_MS): void {
  if (!Number.isFinite(timestampMs)) {
    throw new AuthenticityError('malformed_timestamp', 'signature timestamp is not a valid time');
  }
  if (timestampMs < nowMs - toleranceMs) {
    throw new AuthenticityError('timestamp_too_old', `signature timestamp is more than ${toleranceMs} ms old`);
  }
  if (timestampMs > nowMs + toleranceMs) {
    throw new AuthenticityError('timestamp_too_new', `signature timestamp is more than ${toleranceMs} ms in the future`);
  }
}

/** Fails closed when a provider has no secret configured: never "no secret = no check". */
export function assertHasSecrets(provider: string, secrets: readonly string[]): void {
  if (!secrets.some((s) => s !== '')) {
    throw new AuthenticityError('no_secret_configured', `no webhook secret is configured for ${provider}`);
  }
}
