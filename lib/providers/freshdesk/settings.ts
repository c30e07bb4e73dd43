/**
 * HELPDESK_CONFIG.freshdesk, read when an event is processed. Names are public configuration:
 * `domain` | `baseUrl`, `apiKey`, `customFields`, `tagPrefix`, `writeNotes`, `fieldMap`.
 * A missing or invalid setting is a PermanentEventError that says what to put there.
 */
import { PermanentEventError } from '../../errors.ts';
import type { ProviderSettings } from '../types.ts';

export interface FreshdeskSettings {
  /** `https://{domain}` or `baseUrl`, without a trailing slash. */
  readonly baseUrl: string;
  /** `Basic base64({apiKey}:X)` (https://developers.freshdesk.com/api/#authentication). */
  readonly authorization: string;
  /** ai_* field name → Freshdesk custom field name (`cf_…`). Fields not listed are not written. */
  readonly customFields: Readonly<Record<string, string>>;
  readonly tagPrefix: string | undefined;
  readonly writeNotes: boolean;
}

const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;

const invalid = (setting: string, what: string) =>
  new PermanentEventError('invalid_settings', `HELPDESK_CONFIG.freshdesk.${setting} ${what}`);

/** Where the Freshdesk API lives: `baseUrl`, else `domain` ("acme" or "acme.freshdesk.com"). */
export function freshdeskBaseUrl(settings: ProviderSettings): string {
  if (typeof settings.baseUrl === 'string') {
    if (!URL.canParse(settings.baseUrl)) throw invalid('baseUrl', 'is not a URL: set it to e.g. "https://acme.freshdesk.com"');
    return settings.baseUrl.replace(/\/+$/, '');
  }
  const domain = typeof settings.domain === 'string' ? settings.domain.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '') : undefined;
  if (domain === undefined || !HOST.test(domain)) {
    throw invalid('domain', 'is missing or invalid: set it to your helpdesk\'s host, e.g. "acme.freshdesk.com" (or "baseUrl" to the full API origin)');
  }
  return `https://${domain.includes('.') ? domain : `${domain}.freshdesk.com`}`.toLowerCase();
}

export function freshdeskSettings(settings: ProviderSettings): FreshdeskSettings {
  const baseUrl = freshdeskBaseUrl(settings);
  if (typeof settings.apiKey !== 'string' || settings.apiKey === '') {
    throw invalid('apiKey', 'is missing: copy the API key of the agent the bridge writes as (Profile settings → View API key)');
  }
  return {
    baseUrl,
    authorization: `Basic ${Buffer.from(`${settings.apiKey}:X`).toString('base64')}`,
    customFields: customFieldsOf(settings.customFields),
    tagPrefix: typeof settings.tagPrefix === 'string' ? settings.tagPrefix : undefined,
    writeNotes: settings.writeNotes !== false,
  };
}

function customFieldsOf(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('customFields', 'must be an object of ai_* field name → Freshdesk field name, e.g. {"ai_category": "cf_ai_category"}');
  }
  const names: Record<string, string> = {};
  for (const [name, field] of Object.entries(value)) {
    // The API names custom fields `cf_<label>` (Admin → Ticket fields shows the label).
    if (typeof field !== 'string' || !/^cf_[a-z0-9_]+$/i.test(field)) {
      throw invalid(`customFields.${name}`, 'must be the API name of a Freshdesk ticket field, starting with "cf_" (e.g. "cf_ai_category")');
    }
    names[name] = field;
  }
  return names;
}
