/**
 * HubSpot request validation (https://developers.hubspot.com/docs/api/webhooks/validating-requests,
 * reference/helpdesks.md §5.2). v3 is the scheme: base64 HMAC-SHA256 with the app's client secret
 * over method + URI + body + timestamp, with a 5-minute window. v1 and v2 are unkeyed SHA-256
 * hashes with no timestamp (replayable forever), so they are accepted only when a deployment lists
 * them in `signatureVersions`.
 */
import { AuthenticityError, PermanentEventError } from '../../errors.ts';
import { shown } from '../../log-safe.ts';
import { assertFresh, assertHasSecrets, decodeSignature, DEFAULT_TOLERANCE_MS, hmac, matchesAnySecret, sha256 } from '../../verify-hmac.ts';
import { TIME_SIGNED, type Verified, type VerifyInput, type WebhookRequest } from '../types.ts';
import { readSettings, type SignatureVersion } from './settings.ts';

export const V3_SIGNATURE_HEADER = 'x-hubspot-signature-v3';
export const TIMESTAMP_HEADER = 'x-hubspot-request-timestamp';
export const LEGACY_SIGNATURE_HEADER = 'x-hubspot-signature';
export const VERSION_HEADER = 'x-hubspot-signature-version';

/** "Reject the request if the timestamp is older than 5 minutes" (SDKs: 300000 ms). */
export const HUBSPOT_TOLERANCE_MS = DEFAULT_TOLERANCE_MS;

/**
 * The URL-encodings HubSpot decodes in the request URI before signing with v3 ("You do not need to
 * decode the question mark that denotes the beginning of the query string"). Matched in either hex
 * case: percent-encoding is case-insensitive (RFC 3986 §2.1), so `%3a` is the same URI as `%3A`.
 */
const V3_DECODED: Readonly<Record<string, string>> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

/** The URI exactly as v3 signs it: the called URL with the documented characters decoded. */
export function v3SignedUri(url: string): string {
  return url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (match) => V3_DECODED[match.toUpperCase()] ?? match);
}

/** Throws AuthenticityError (one reason per failed check) unless the request is from HubSpot. */
export function verifyHubSpot({ request, secrets, settings, nowMs }: VerifyInput): Verified | undefined {
  assertHasSecrets('hubspot', secrets);
  const versions = enabledVersions(settings);
  const v3 = request.headers[V3_SIGNATURE_HEADER];
  if (v3 !== undefined && versions.includes('v3')) {
    verifyV3(request, v3, secrets, nowMs);
    return TIME_SIGNED;
  }
  const legacy = request.headers[LEGACY_SIGNATURE_HEADER];
  if (legacy !== undefined) {
    const version = request.headers[VERSION_HEADER]?.trim().toLowerCase();
    if (version === undefined || version === '') {
      throw new AuthenticityError('missing_signature_version', `${LEGACY_SIGNATURE_HEADER} came without ${VERSION_HEADER}`);
    }
    if (version !== 'v1' && version !== 'v2') {
      throw new AuthenticityError('unknown_signature_version', `${VERSION_HEADER} "${shown(version.slice(0, 8))}" is neither v1 nor v2`);
    }
    if (!versions.includes(version)) {
      throw new AuthenticityError(
        'signature_version_not_enabled',
        `a ${version} signature arrived but HELPDESK_CONFIG.hubspot.signatureVersions is ${JSON.stringify(versions)}`,
      );
    }
    // v1/v2 sign no time: ingest marks their events for the Ledger's identity memory.
    verifyLegacy(request, version, legacy, secrets);
    return undefined;
  }
  if (v3 !== undefined) {
    throw new AuthenticityError('signature_version_not_enabled', `a v3 signature arrived but HELPDESK_CONFIG.hubspot.signatureVersions is ${JSON.stringify(versions)}`);
  }
  throw new AuthenticityError('missing_signature', `no ${V3_SIGNATURE_HEADER} (or enabled ${LEGACY_SIGNATURE_HEADER}) header`);
}

function verifyV3(request: WebhookRequest, header: string, secrets: readonly string[], nowMs: number): void {
  const timestamp = request.headers[TIMESTAMP_HEADER]?.trim();
  if (timestamp === undefined || timestamp === '') throw new AuthenticityError('missing_timestamp', `no ${TIMESTAMP_HEADER} header`);
  if (!/^\d{1,16}$/.test(timestamp)) throw new AuthenticityError('malformed_timestamp', `${TIMESTAMP_HEADER} is not epoch milliseconds`);
  assertFresh(Number(timestamp), nowMs, HUBSPOT_TOLERANCE_MS);
  const received = decodeSignature(header, 'base64', 32);
  if (received === undefined) throw new AuthenticityError('malformed_signature', `${V3_SIGNATURE_HEADER} is not a base64 SHA-256 digest`);
  const uri = v3SignedUri(request.url);
  const method = request.method.toUpperCase();
  if (!matchesAnySecret([received], secrets, (secret) => hmac('sha256', secret, method, uri, request.rawBody, timestamp))) {
    throw new AuthenticityError('no_matching_signature', `${V3_SIGNATURE_HEADER} matches no active secret`);
  }
}

/** v1: hex SHA-256(secret + body); v2: hex SHA-256(secret + method + URI + body). Not HMACs. */
function verifyLegacy(request: WebhookRequest, version: 'v1' | 'v2', header: string, secrets: readonly string[]): void {
  const received = decodeSignature(header, 'hex', 32);
  if (received === undefined) throw new AuthenticityError('malformed_signature', `${LEGACY_SIGNATURE_HEADER} is not 64 hex digits`);
  const method = request.method.toUpperCase();
  const compute =
    version === 'v1'
      ? (secret: string) => sha256(secret, request.rawBody)
      : (secret: string) => sha256(secret, method, request.url, request.rawBody);
  if (!matchesAnySecret([received], secrets, compute)) {
    throw new AuthenticityError('no_matching_signature', `${LEGACY_SIGNATURE_HEADER} (${version}) matches no active secret`);
  }
}

/** Invalid settings fail closed (401), without echoing configuration to an unauthenticated caller. */
function enabledVersions(settings: VerifyInput['settings']): readonly SignatureVersion[] {
  try {
    return readSettings(settings).signatureVersions;
  } catch (error) {
    if (error instanceof PermanentEventError) {
      throw new AuthenticityError('invalid_settings', `cannot verify: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
