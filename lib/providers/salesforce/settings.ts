/**
 * The Salesforce settings of HELPDESK_CONFIG.salesforce (public configuration, README):
 * `{instanceUrl, accessToken, apiVersion, organizationIds, customFields, tagPrefix, writeNotes,
 * fieldMap}`. `organizationIds` is read by verify(); the rest at processing time, where a missing
 * or invalid value is a PermanentEventError naming the setting and what to put there.
 *
 * Credentials (auth.ts): `clientId` + `clientSecret` (client credentials flow) or `clientId` +
 * `username` + `privateKey` (JWT bearer flow) get tokens that renew; a static `accessToken` is used
 * as given, and when it expires write-back fails with http_401 (permanent, in the
 * DeadLetterQueue): update the setting and redrive.
 */
import { PermanentEventError } from '../../errors.ts';
import type { ProviderSettings } from '../types.ts';
import { hasSalesforceCredentials, salesforceAuth, type SalesforceAuth } from './auth.ts';

/** Documented default: v62.0 (Winter '25), supported by every current org. */
export const DEFAULT_SALESFORCE_API_VERSION = 'v62.0';

export interface SalesforceSettings {
  /** `https://<MyDomain>.my.salesforce.com`, without a trailing slash. */
  readonly instanceUrl: string;
  /** Sends API requests with a Bearer token that renews when it can (auth.ts). */
  readonly auth: SalesforceAuth;
  /** `vNN.N`. */
  readonly apiVersion: string;
  /** Summary field (`ai_category`, …, `ai_tags`) → Case field API name (`AI_Category__c`). */
  readonly customFields: Readonly<Record<string, string>>;
  readonly tagPrefix: string | undefined;
  readonly writeNotes: boolean;
}

function invalid(setting: string, what: string): PermanentEventError {
  return new PermanentEventError(`invalid_setting_${setting}`, `HELPDESK_CONFIG.salesforce.${setting} ${what}`);
}

/** What the API needs (enrichment and write-back). */
export function salesforceApi(settings: ProviderSettings): { baseUrl: string; auth: SalesforceAuth } {
  const raw = settings.instanceUrl;
  if (typeof raw !== 'string' || !URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
    throw invalid('instanceUrl', 'is not a URL: set it to your org’s My Domain URL, e.g. https://acme.my.salesforce.com');
  }
  const auth = salesforceAuth(settings, raw.replace(/\/+$/, ''));
  const version = settings.apiVersion ?? DEFAULT_SALESFORCE_API_VERSION;
  const match = typeof version === 'string' || typeof version === 'number' ? /^v?(\d{2,3}\.\d)$/.exec(String(version).trim()) : null;
  if (match === null) throw invalid('apiVersion', `is not an API version: set it to e.g. "${DEFAULT_SALESFORCE_API_VERSION}"`);
  return { baseUrl: `${raw.replace(/\/+$/, '')}/services/data/v${match[1]}`, auth };
}

/** True when API calls are possible (a dry run without settings normalizes from the payload). */
export function hasApiSettings(settings: ProviderSettings): boolean {
  return typeof settings.instanceUrl === 'string' && hasSalesforceCredentials(settings);
}

export function salesforceSettings(settings: ProviderSettings): SalesforceSettings & { readonly baseUrl: string } {
  const api = salesforceApi(settings);
  const customFields: Record<string, string> = {};
  if (settings.customFields !== undefined) {
    if (settings.customFields === null || typeof settings.customFields !== 'object' || Array.isArray(settings.customFields)) {
      throw invalid('customFields', 'must map ai_* names to Case field API names, e.g. {"ai_category": "AI_Category__c"}');
    }
    for (const [name, field] of Object.entries(settings.customFields)) {
      if (typeof field !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(field)) {
        throw invalid('customFields', `.${name} must be a Case field API name such as "AI_Category__c"`);
      }
      customFields[name] = field;
    }
  }
  return {
    instanceUrl: String(settings.instanceUrl).replace(/\/+$/, ''),
    auth: api.auth,
    apiVersion: api.baseUrl.slice(api.baseUrl.lastIndexOf('/') + 1),
    baseUrl: api.baseUrl,
    customFields,
    tagPrefix: typeof settings.tagPrefix === 'string' ? settings.tagPrefix : undefined,
    writeNotes: settings.writeNotes !== false,
  };
}
