/**
 * The Intercom settings of HELPDESK_CONFIG.intercom (public configuration, README):
 * `{baseUrl, accessToken, adminId, customFields, tagPrefix, writeNotes, fieldMap}`.
 * Read at processing time; a missing or invalid value is a PermanentEventError that names the
 * setting and what to put there, so the DeadLetterQueue says how to fix it.
 */
import { PermanentEventError } from '../../errors.ts';
import type { ProviderSettings } from '../types.ts';

/** US workspaces; EU and AU workspaces use https://api.eu.intercom.io and https://api.au.intercom.io. */
export const DEFAULT_INTERCOM_BASE_URL = 'https://api.intercom.io';

/**
 * The REST API version the bridge speaks (`Intercom-Version` header). Pinned so a change of the
 * app's default version in the Developer Hub cannot change the shapes the bridge reads.
 */
export const INTERCOM_API_VERSION = '2.11';

export interface IntercomSettings {
  readonly baseUrl: string;
  readonly accessToken: string;
  readonly adminId: string;
  /** Summary field (`ai_category`, …, `priority`) → conversation custom attribute / ticket attribute name. */
  readonly customFields: Readonly<Record<string, string>>;
  readonly tagPrefix: string | undefined;
  readonly writeNotes: boolean;
}

function invalid(setting: string, what: string): PermanentEventError {
  return new PermanentEventError(`invalid_setting_${setting}`, `HELPDESK_CONFIG.intercom.${setting} ${what}`);
}

/** The base URL alone (enrichment needs only it and the token). */
export function intercomBaseUrl(settings: ProviderSettings): string {
  const raw = settings.baseUrl ?? DEFAULT_INTERCOM_BASE_URL;
  if (typeof raw !== 'string' || !URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
    throw invalid('baseUrl', 'is not a URL: set it to https://api.intercom.io, https://api.eu.intercom.io or https://api.au.intercom.io');
  }
  return raw.replace(/\/+$/, '');
}

/** The access token, or undefined when none is configured (the payload is then used as is). */
export function optionalAccessToken(settings: ProviderSettings): string | undefined {
  const token = settings.accessToken;
  return typeof token === 'string' && token.trim() !== '' ? token.trim() : undefined;
}

/** Everything write-back needs; throws a PermanentEventError naming the first bad setting. */
export function intercomSettings(settings: ProviderSettings): IntercomSettings {
  const baseUrl = intercomBaseUrl(settings);
  const accessToken = optionalAccessToken(settings);
  if (accessToken === undefined) {
    throw invalid('accessToken', 'is missing: set it to the access token of your Intercom app (Developer Hub → your app → Authentication)');
  }
  const adminId = typeof settings.adminId === 'number' ? String(settings.adminId) : settings.adminId;
  if (typeof adminId !== 'string' || !/^\d+$/.test(adminId.trim())) {
    throw invalid('adminId', 'is missing: set it to the numeric id of the teammate the bridge writes notes and tags as (GET /me → id)');
  }
  const customFields: Record<string, string> = {};
  if (settings.customFields !== undefined) {
    if (settings.customFields === null || typeof settings.customFields !== 'object' || Array.isArray(settings.customFields)) {
      throw invalid('customFields', 'must map ai_* names to attribute names, e.g. {"ai_category": "AI category"}');
    }
    for (const [name, attribute] of Object.entries(settings.customFields)) {
      if (typeof attribute !== 'string' || attribute.trim() === '') {
        throw invalid('customFields', `.${name} must be the name of a conversation attribute (a string)`);
      }
      customFields[name] = attribute;
    }
  }
  return {
    baseUrl,
    accessToken,
    adminId: adminId.trim(),
    customFields,
    tagPrefix: typeof settings.tagPrefix === 'string' ? settings.tagPrefix : undefined,
    writeNotes: settings.writeNotes !== false,
  };
}

/** Headers of every Intercom API call (Bearer token, pinned API version). */
export function intercomHeaders(accessToken: string): Record<string, string> {
  return { authorization: `Bearer ${accessToken}`, 'intercom-version': INTERCOM_API_VERSION };
}
