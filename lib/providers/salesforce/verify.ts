/**
 * Salesforce Outbound Messages are not signed (helpdesks.md §4.2). Salesforce's guidance is TLS,
 * IP ranges or mutual TLS, and "verify that messages contain your organization ID". The bridge
 * checks a shared token — in the `token` query parameter of the endpoint URL (an outbound message
 * cannot add headers) or in `x-webhook-token` (Flow/Apex callouts can) — in constant time against
 * every active secret, then, when `organizationIds` is configured, the envelope's OrganizationId.
 */
import { AuthenticityError } from '../../errors.ts';
import { shown } from '../../log-safe.ts';
import { assertHasSecrets, matchesAnySecret, sha256 } from '../../verify-hmac.ts';
import type { ProviderSettings, VerifyInput } from '../types.ts';
import { parseOutboundMessage } from './outbound-message.ts';
import { canonicalId } from './salesforce-id.ts';

export const TOKEN_QUERY_PARAMETER = 'token';
export const TOKEN_HEADER = 'x-webhook-token';

export function verifySalesforce({ request, secrets, settings }: VerifyInput): undefined {
  assertHasSecrets('salesforce', secrets);
  // Read the allow-list first: a broken setting must fail closed even for a valid token.
  const allowed = allowedOrganizations(settings);
  const candidates = [request.query[TOKEN_QUERY_PARAMETER], request.headers[TOKEN_HEADER]].filter(
    (t): t is string => t !== undefined && t !== '',
  );
  if (candidates.length === 0) {
    throw new AuthenticityError('missing_token', `no "${TOKEN_QUERY_PARAMETER}" query parameter and no ${TOKEN_HEADER} header`);
  }
  // Hashing both sides gives equal-length digests, so the comparison is constant time whatever
  // the token's length.
  if (!matchesAnySecret(candidates.map((t) => sha256(t)), secrets, (secret) => sha256(secret))) {
    throw new AuthenticityError('no_matching_token', 'the token matches no active secret');
  }
  if (allowed === undefined) return;
  const organizationId = parseOutboundMessage(request.rawBody).organizationId;
  if (organizationId === undefined) throw new AuthenticityError('missing_organization_id', 'the outbound message has no OrganizationId');
  const canonical = canonicalId(organizationId);
  if (canonical === undefined || !allowed.has(canonical)) {
    throw new AuthenticityError('organization_not_allowed', `OrganizationId ${shown(organizationId)} is not in organizationIds`);
  }
}

/** The allow-list as case-correct 15-character ids; undefined when not configured. */
function allowedOrganizations(settings: ProviderSettings): Set<string> | undefined {
  const list = settings.organizationIds;
  if (list === undefined || list === null) return undefined;
  const ids = Array.isArray(list) ? list : typeof list === 'string' ? list.split(',') : undefined;
  const canonical = ids?.map((id) => (typeof id === 'string' ? canonicalId(id) : undefined));
  if (canonical === undefined || canonical.length === 0 || canonical.some((id) => id === undefined)) {
    // Fail closed: a typo in the allow-list must not silently switch the check off.
    throw new AuthenticityError(
      'invalid_organization_ids_setting',
      'HELPDESK_CONFIG.salesforce.organizationIds must be a list of 15- or 18-character organization ids (Setup → Company Information)',
    );
  }
  return new Set(canonical as string[]);
}
