/**
 * Zendesk webhook authenticity (https://developer.zendesk.com/documentation/webhooks/verifying/):
 * `X-Zendesk-Webhook-Signature` = base64(HMAC-SHA256(signing secret, TIMESTAMP + BODY)), the
 * timestamp from `X-Zendesk-Webhook-Signature-Timestamp` (ISO-8601 UTC).
 */
import { AuthenticityError } from '../../errors.ts';
import { assertFresh, assertHasSecrets, decodeSignature, hmac, matchesAnySecret } from '../../verify-hmac.ts';
import { TIME_SIGNED, type Verified, type VerifyInput } from '../types.ts';

export const SIGNATURE_HEADER = 'x-zendesk-webhook-signature';
export const TIMESTAMP_HEADER = 'x-zendesk-webhook-signature-timestamp';

/**
 * Zendesk publishes no replay window (helpdesks.md §1.2, NOT CONFIRMED); five minutes either way,
 * as HubSpot and Standard Webhooks use.
 */
export const ZENDESK_TOLERANCE_MS = 5 * 60 * 1000;

// ISO-8601 date-time with an explicit zone, as Zendesk sends it (`2021-03-25T05:09:27Z`).
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;

/** Throws an AuthenticityError with a distinct reason unless the request is Zendesk's. */
export function verifyZendesk({ request, secrets, nowMs }: VerifyInput): Verified {
  assertHasSecrets('zendesk', secrets);
  const header = request.headers[SIGNATURE_HEADER];
  if (header === undefined) throw new AuthenticityError('missing_signature', `no ${SIGNATURE_HEADER} header`);
  const timestamp = request.headers[TIMESTAMP_HEADER];
  if (timestamp === undefined) throw new AuthenticityError('missing_timestamp', `no ${TIMESTAMP_HEADER} header`);
  const received = decodeSignature(header, 'base64', 32);
  if (received === undefined) throw new AuthenticityError('malformed_signature', `${SIGNATURE_HEADER} is not a base64 SHA-256 digest`);
  const trimmed = timestamp.trim();
  if (!ISO_8601.test(trimmed)) throw new AuthenticityError('malformed_timestamp', `${TIMESTAMP_HEADER} is not an ISO-8601 time`);

  // The key is the signing secret's own bytes: it looks like base64 but is not decoded (Zendesk
  // docs). The current page signs TIMESTAMP‖BODY; an older page and its published vector sign
  // BODY‖TIMESTAMP (helpdesks.md §1.2, vector Z1). Both need the secret, so accepting both
  // weakens nothing.
  const matched = matchesAnySecret([received], secrets, (secret) => hmac('sha256', secret, timestamp, request.rawBody)) ||
    matchesAnySecret([received], secrets, (secret) => hmac('sha256', secret, request.rawBody, timestamp));
  if (!matched) throw new AuthenticityError('no_matching_signature', `${SIGNATURE_HEADER} matches no active secret`);
  // Freshness after the signature: the timestamp is only trustworthy once it is authenticated.
  assertFresh(Date.parse(trimmed), nowMs, ZENDESK_TOLERANCE_MS);
  return TIME_SIGNED;
}
