/**
 * Intercom signs every notification with `X-Hub-Signature: sha1=<hex>`: HMAC-SHA1 of the raw body
 * keyed with the app's client secret (Intercom "Signed notifications", helpdesks.md §3.2). Nothing
 * time-dependent is signed, so replays are caught by the notification id in the Ledger.
 */
import { AuthenticityError } from '../../errors.ts';
import { assertHasSecrets, decodeSignature, hmac, matchesAnySecret } from '../../verify-hmac.ts';
import type { VerifyInput } from '../types.ts';

export const INTERCOM_SIGNATURE_HEADER = 'x-hub-signature';
const SHA1_BYTES = 20;

/** Throws an AuthenticityError (missing / malformed / no match / no secret) unless authentic. */
export function verifyIntercom({ request, secrets }: VerifyInput): undefined {
  assertHasSecrets('intercom', secrets);
  const header = request.headers[INTERCOM_SIGNATURE_HEADER];
  if (header === undefined || header.trim() === '') {
    throw new AuthenticityError('missing_signature', `no ${INTERCOM_SIGNATURE_HEADER} header`);
  }
  const match = /^sha1=(.*)$/i.exec(header.trim());
  const received = match?.[1] === undefined ? undefined : decodeSignature(match[1], 'hex', SHA1_BYTES);
  if (received === undefined) {
    throw new AuthenticityError('malformed_signature', `${INTERCOM_SIGNATURE_HEADER} is not "sha1=" followed by 40 hex digits`);
  }
  if (!matchesAnySecret([received], secrets, (secret) => hmac('sha1', secret, request.rawBody))) {
    throw new AuthenticityError('no_matching_signature', `${INTERCOM_SIGNATURE_HEADER} matches no active client secret`);
  }
}
