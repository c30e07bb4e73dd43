/**
 * Freshdesk signs nothing (helpdesks.md §2.2): an automation rule's "Trigger webhook" action can
 * only send credentials. The shared token (WEBHOOK_SECRETS.freshdesk) arrives either as the HTTP
 * Basic password ("Requires authentication", any user name) or in an `x-webhook-token` header;
 * with Freshdesk's "API key" option the key is sent as the user name (password `X`), which is
 * accepted too. Compared in constant time against every active token.
 */
import { AuthenticityError } from '../../errors.ts';
import { assertHasSecrets, matchesAnySecret, sha256 } from '../../verify-hmac.ts';
import type { VerifyInput } from '../types.ts';

export const TOKEN_HEADER = 'x-webhook-token';

export function verifyFreshdesk({ request, secrets }: VerifyInput): undefined {
  assertHasSecrets('freshdesk', secrets);
  const candidates: string[] = [];
  const header = request.headers[TOKEN_HEADER];
  if (header !== undefined && header.trim() !== '') candidates.push(header.trim());
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    try {
      candidates.push(...basicCredentials(authorization));
    } catch (error) {
      // Another scheme beside a token header (a proxy's credentials) does not void the token.
      if (candidates.length === 0) throw error;
    }
  }
  if (candidates.length === 0) {
    throw new AuthenticityError('missing_credentials', `neither HTTP Basic credentials nor an ${TOKEN_HEADER} header`);
  }
  // Hashing first gives equal-length digests, so the comparison time says nothing about the token.
  const received = candidates.map((c) => sha256(c));
  if (!matchesAnySecret(received, secrets, (secret) => sha256(secret))) {
    throw new AuthenticityError('no_matching_token', 'the webhook token matches no active secret');
  }
}

/** `Basic base64(user:password)` → [password] (or [user] when the password is Freshdesk's `X`). */
function basicCredentials(authorization: string): string[] {
  const match = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(authorization);
  if (match?.[1] === undefined) {
    throw new AuthenticityError('malformed_authorization', 'the Authorization header is not HTTP Basic credentials');
  }
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) throw new AuthenticityError('malformed_authorization', 'the Basic credentials have no "user:password" form');
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (password === 'X' || password === '') return user === '' ? [] : [user];
  return [password];
}
