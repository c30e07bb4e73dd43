/**
 * HELPDESK_CONFIG.zendesk, read when an event is processed. Names are public configuration:
 * `subdomain` | `baseUrl`, `email`, `apiToken`, `customFields`, `tagPrefix`, `writeNotes`, `fieldMap`.
 * A missing or invalid setting is a PermanentEventError that says what to put there.
 */
import { PermanentEventError } from '../../errors.ts';
import type { ProviderSettings } from '../types.ts';

export interface ZendeskSettings {
  /** `https://{subdomain}.zendesk.com`, or `baseUrl` (a local fake, a proxy), without a trailing slash. */
  readonly baseUrl: string;
  /** `Basic base64({email}/token:{apiToken})` (Zendesk API token auth). */
  readonly authorization: string;
  /** ai_* field name → Zendesk custom ticket field id. Fields not listed here are not written. */
  readonly customFields: Readonly<Record<string, number>>;
  readonly tagPrefix: string | undefined;
  readonly writeNotes: boolean;
}

const SUBDOMAIN = /^[a-z0-9][a-z0-9-]{0,62}$/i;

const invalid = (setting: string, what: string) =>
  new PermanentEventError('invalid_settings', `HELPDESK_CONFIG.zendesk.${setting} ${what}`);

/** Where the Zendesk API lives; needed for enrichment as well as write-back. */
export function zendeskBaseUrl(settings: ProviderSettings): string {
  if (typeof settings.baseUrl === 'string') {
    if (!URL.canParse(settings.baseUrl)) throw invalid('baseUrl', 'is not a URL: set it to e.g. "https://acme.zendesk.com"');
    return settings.baseUrl.replace(/\/+$/, '');
  }
  if (typeof settings.subdomain === 'string' && SUBDOMAIN.test(settings.subdomain)) return `https://${settings.subdomain.toLowerCase()}.zendesk.com`;
  throw invalid('subdomain', 'is missing or invalid: set "subdomain" to the "acme" of acme.zendesk.com (or "baseUrl" to the full API origin)');
}

export function zendeskSettings(settings: ProviderSettings): ZendeskSettings {
  const baseUrl = zendeskBaseUrl(settings);
  const { email, apiToken } = settings;
  if (typeof email !== 'string' || !email.includes('@')) {
    throw invalid('email', 'is missing: set it to the email address of the Zendesk agent that owns the API token');
  }
  if (typeof apiToken !== 'string' || apiToken === '') {
    throw invalid('apiToken', 'is missing: create one in Admin Center → Apps and integrations → APIs → Zendesk API');
  }
  return {
    baseUrl,
    authorization: `Basic ${Buffer.from(`${email}/token:${apiToken}`).toString('base64')}`,
    customFields: customFieldsOf(settings.customFields),
    tagPrefix: typeof settings.tagPrefix === 'string' ? settings.tagPrefix : undefined,
    writeNotes: settings.writeNotes !== false,
  };
}

function customFieldsOf(value: unknown): Record<string, number> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('customFields', 'must be an object of ai_* field name → numeric field id, e.g. {"ai_category": 360001234567}');
  }
  const ids: Record<string, number> = {};
  for (const [name, id] of Object.entries(value)) {
    const numeric = typeof id === 'string' && /^\d+$/.test(id) ? Number(id) : id;
    if (typeof numeric !== 'number' || !Number.isSafeInteger(numeric) || numeric <= 0) {
      throw invalid(`customFields.${name}`, 'must be the numeric id of a Zendesk ticket field (Admin Center → Objects and rules → Ticket fields)');
    }
    ids[name] = numeric;
  }
  return ids;
}
