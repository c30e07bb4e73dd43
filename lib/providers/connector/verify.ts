/**
 * A connector's authenticity check, as its specification says: an HMAC over a message template,
 * a shared token, or Standard Webhooks. Raw bytes, every active secret, constant-time compares,
 * a two-sided timestamp window; no secret configured = every request refused.
 */
import { createHmac } from 'node:crypto';
import { AuthenticityError } from '../../errors.ts';
import { verifyStandardWebhook } from '../../standard-webhooks.ts';
import { assertFresh, assertHasSecrets, DEFAULT_TOLERANCE_MS, decodeSignature, digestsEqual, matchesAnySecret, sha256 } from '../../verify-hmac.ts';
import { TIME_SIGNED, type Verified, type WebhookRequest } from '../types.ts';
import type { CompiledConnector } from './compile.ts';

const DIGEST_BYTES = { sha1: 20, sha256: 32, sha512: 64 } as const;

/** Returns TIME_SIGNED when the scheme signs a time checked against a window; undefined otherwise. */
export function verifyConnector(connector: CompiledConnector, request: WebhookRequest, secrets: readonly string[], nowMs: number): Verified | undefined {
  assertHasSecrets(connector.name, secrets);
  const auth = connector.spec.authenticity;
  if (auth.type === 'standard-webhooks') return verifyStandardWebhook(request, secrets, nowMs);
  if (auth.type === 'token') {
    verifyToken(auth.in, auth.name?.toLowerCase(), request, secrets);
    return undefined;
  }
  const headerName = auth.header.toLowerCase();
  const header = request.headers[headerName];
  if (header === undefined) throw new AuthenticityError('missing_signature', `no ${headerName} header`);
  const prefix = auth.prefix ?? '';
  const trimmed = header.trim();
  if (prefix !== '' && trimmed.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) {
    throw new AuthenticityError('malformed_signature', `${headerName} does not start with "${prefix}"`);
  }
  const received = decodeSignature(trimmed.slice(prefix.length), auth.encoding, DIGEST_BYTES[auth.algorithm]);
  if (received === undefined) throw new AuthenticityError('malformed_signature', `${headerName} is not a ${auth.encoding} ${auth.algorithm} digest`);

  let timestamp = '';
  if (auth.timestamp !== undefined) {
    const name = auth.timestamp.header.toLowerCase();
    timestamp = (request.headers[name] ?? '').trim();
    if (timestamp === '') throw new AuthenticityError('missing_timestamp', `no ${name} header`);
    const toleranceMs = auth.timestamp.toleranceSeconds === undefined ? DEFAULT_TOLERANCE_MS : auth.timestamp.toleranceSeconds * 1000;
    assertFresh(timestampMs(timestamp, auth.timestamp.format), nowMs, toleranceMs);
  }
  // The message is assembled from its template once; only the key differs per secret.
  const parts = connector.message.map((part): string | Buffer => {
    if ('literal' in part) return part.literal;
    switch (part.variable) {
      case 'body':
        return request.rawBody;
      case 'timestamp':
        return timestamp;
      case 'url':
        return request.url;
      case 'method':
        return request.method.toUpperCase();
      default:
        return request.headers[part.variable.slice('header.'.length).toLowerCase()] ?? '';
    }
  });
  const algorithm = auth.algorithm;
  if (!matchesAnySecret([received], secrets, (secret) => parts.reduce((mac, p) => mac.update(p), createHmac(algorithm, secret)).digest())) {
    throw new AuthenticityError('no_matching_signature', `${headerName} matches no active secret`);
  }
  // A checked timestamp header the HMAC does not cover could be set by anyone: only a signed one counts.
  return auth.timestamp !== undefined && connector.message.some((part) => 'variable' in part && part.variable === 'timestamp') ? TIME_SIGNED : undefined;
}

function timestampMs(value: string, format: 'unix-seconds' | 'unix-ms' | 'iso8601'): number {
  if (format === 'iso8601') return /^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:?\d\d)$/.test(value) ? Date.parse(value) : Number.NaN;
  if (!/^\d{1,16}$/.test(value)) return Number.NaN;
  return format === 'unix-seconds' ? Number(value) * 1000 : Number(value);
}

function verifyToken(where: 'header' | 'query' | 'basic', name: string | undefined, request: WebhookRequest, secrets: readonly string[]): void {
  let presented: string | undefined;
  if (where === 'header') presented = request.headers[name ?? ''];
  else if (where === 'query') presented = request.query[name ?? ''];
  else {
    const header = request.headers.authorization ?? '';
    const match = /^Basic\s+([A-Za-z0-9+/]+={0,2})$/i.exec(header.trim());
    if (match?.[1] !== undefined) {
      const decoded = Buffer.from(match[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      // The token may be the password (user:token) or, as Freshdesk-style senders do, the user.
      presented = colon === -1 ? decoded : decoded.slice(colon + 1) || decoded.slice(0, colon);
    }
  }
  if (presented === undefined || presented === '') throw new AuthenticityError('missing_token', `no token in the ${where}`);
  // Compared as digests, so neither the length nor a prefix of a secret shows in the timing.
  const received = sha256(presented);
  let matched = false;
  for (const secret of secrets) {
    if (secret !== '' && digestsEqual(received, sha256(secret))) matched = true;
  }
  if (!matched) throw new AuthenticityError('no_matching_token', `the token in the ${where} matches no active secret`);
}

