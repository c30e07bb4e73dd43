/**
 * HELPDESK_CONFIG.hubspot: the public configuration of the HubSpot provider (README, "HubSpot").
 * `baseUrl` and `accessToken` are fixed by the issue; the rest are documented options with
 * defaults. The webhook secret (the app's client secret) is NOT a setting: it comes from
 * WEBHOOK_SECRETS.hubspot.
 */
import * as z from '../../schema.ts';
import { PermanentEventError } from '../../errors.ts';
import { lazy } from '../../lazy.ts';
import type { Priority } from '../../write-back-summary.ts';
import type { ProviderSettings } from '../types.ts';
import { HUBSPOT_TOKEN_PATH, oauthAuth, privateAppAuth, type HubSpotAuth, type HubSpotOAuth } from './auth.ts';

/** HubSpot's signature versions (reference/helpdesks.md §5.2). Only v3 is timestamped. */
export const SIGNATURE_VERSIONS = ['v1', 'v2', 'v3'] as const;
export type SignatureVersion = (typeof SIGNATURE_VERSIONS)[number];

export const DEFAULT_BASE_URL = 'https://api.hubapi.com';

/**
 * The "Closed" status of HubSpot's default ticket pipeline (stages 1 New, 2 Waiting on contact,
 * 3 Waiting on us, 4 Closed). Accounts with their own pipelines list their closed stage ids in
 * `closedStageIds` (Settings › Objects › Tickets › Pipelines shows each status's internal id).
 */
export const DEFAULT_CLOSED_STAGE_IDS: readonly string[] = ['4'];

/** The ai_* fields of lib/write-back-summary.ts → the HubSpot ticket property that stores each. */
export const DEFAULT_CUSTOM_FIELDS: Readonly<Record<string, string>> = {
  ai_category: 'ai_category',
  ai_urgency: 'ai_urgency',
  ai_confidence: 'ai_confidence',
  ai_team: 'ai_team',
  ai_agent: 'ai_agent',
  ai_sentiment: 'ai_sentiment',
  ai_sentiment_label: 'ai_sentiment_label',
  ai_escalation_risk: 'ai_escalation_risk',
  ai_qa_score: 'ai_qa_score',
};

/** HubSpot has no native ticket tags (helpdesks.md §5.4): a multi-checkbox or text property. */
export const DEFAULT_TAGS_PROPERTY = 'ai_tags';

/** Simpli priority → `hs_ticket_priority` internal value (HubSpot's default options). */
export const DEFAULT_PRIORITY_VALUES: Readonly<Record<Priority, string>> = {
  low: 'LOW',
  medium: 'MEDIUM',
  high: 'HIGH',
  urgent: 'URGENT',
};

/** Note → ticket, HUBSPOT_DEFINED (helpdesks.md §5.4, [secondary]); overridable. */
export const DEFAULT_NOTE_ASSOCIATION_TYPE_ID = 228;

export interface HubSpotSettings {
  readonly baseUrl: string;
  readonly accessToken: string | undefined;
  /** A public (OAuth) app's credentials; when set they win over `accessToken`. */
  readonly oauth: HubSpotOAuth | undefined;
  /** Which signature versions verify() accepts; v1/v2 only when listed here. */
  readonly signatureVersions: readonly SignatureVersion[];
  readonly closedStageIds: readonly string[];
  /** ai_* field → property name; fields mapped to null are not written. */
  readonly customFields: Readonly<Record<string, string>>;
  readonly tagsProperty: string | undefined;
  readonly tagPrefix: string | undefined;
  readonly writeNotes: boolean;
  readonly priorityValues: Readonly<Record<Priority, string>>;
  /** Events whose `sourceId` is listed are ignored (e.g. the bridge's own private app / user). */
  readonly ignoredSourceIds: readonly string[];
  readonly noteAssociationTypeId: number;
  readonly fieldMap: unknown;
}

const idSchema = () => z.union([z.string(), z.number()]);
// Built on first use (lib/lazy.ts): a container without HubSpot never needs it (issue #10).
const schema = lazy(() =>
  z.looseObject({
    baseUrl: z.optional(z.url()),
    accessToken: z.optional(z.string().check(z.minLength(1))),
    refreshToken: z.optional(z.string().check(z.minLength(1))),
    clientId: z.optional(z.string().check(z.minLength(1))),
    clientSecret: z.optional(z.string().check(z.minLength(1))),
    tokenUrl: z.optional(z.url()),
    signatureVersions: z.optional(z.array(z.enum(SIGNATURE_VERSIONS)).check(z.minLength(1))),
    closedStageIds: z.optional(z.array(idSchema()).check(z.minLength(1))),
    customFields: z.optional(z.record(z.string(), z.nullable(z.string().check(z.minLength(1))))),
    tagsProperty: z.optional(z.nullable(z.string().check(z.minLength(1)))),
    tagPrefix: z.optional(z.string()),
    writeNotes: z.optional(z.boolean()),
    priorityValues: z.optional(z.partialRecord(z.enum(['low', 'medium', 'high', 'urgent']), z.string().check(z.minLength(1)))),
    ignoredSourceIds: z.optional(z.array(idSchema())),
    noteAssociationTypeId: z.optional(z.number().check(z.int(), z.positive())),
    fieldMap: z.optional(z.unknown()),
  }),
);

const EXAMPLES: Readonly<Record<string, string>> = {
  baseUrl: '"https://api.hubapi.com"',
  accessToken: 'a private-app access token, e.g. "pat-na1-…"',
  refreshToken: 'the refresh token your public app received when it was installed',
  clientId: 'your public app\'s client ID (Auth tab)',
  clientSecret: 'your public app\'s client secret (Auth tab)',
  tokenUrl: '"https://api.hubapi.com/oauth/2026-03/token"',
  signatureVersions: '["v3"] (add "v1" or "v2" only for apps that cannot send v3)',
  closedStageIds: '["4"] (the internal ids of your pipelines\' closed statuses)',
  customFields: '{"ai_category": "simpli_category", "ai_agent": null}',
  tagsProperty: '"ai_tags", or null to write no tags',
  priorityValues: '{"urgent": "HIGH"}',
  ignoredSourceIds: '["userId:123"]',
  noteAssociationTypeId: '228',
};

/** Validates HELPDESK_CONFIG.hubspot; throws PermanentEventError naming the setting and a fix. */
export function readSettings(raw: ProviderSettings): HubSpotSettings {
  const result = schema().safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = String(issue?.path[0] ?? '');
    const path = issue?.path.map(String).join('.') ?? '';
    throw new PermanentEventError(
      'invalid_settings',
      `HELPDESK_CONFIG.hubspot.${path} is invalid (${issue?.message ?? 'wrong type'}): set it to e.g. ${EXAMPLES[key] ?? 'the documented value'}`,
    );
  }
  const s = result.data;
  const oauthParts = { refreshToken: s.refreshToken, clientId: s.clientId, clientSecret: s.clientSecret };
  const missing = Object.entries(oauthParts).filter(([, v]) => v === undefined).map(([k]) => k);
  if (missing.length > 0 && missing.length < 3) {
    throw new PermanentEventError(
      'invalid_settings',
      `HELPDESK_CONFIG.hubspot.${missing[0]} is missing: a public (OAuth) app needs refreshToken, clientId and clientSecret together (or use a private app's accessToken instead)`,
    );
  }
  const baseUrl = (s.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const oauth: HubSpotOAuth | undefined =
    s.refreshToken !== undefined && s.clientId !== undefined && s.clientSecret !== undefined
      ? { refreshToken: s.refreshToken, clientId: s.clientId, clientSecret: s.clientSecret, tokenUrl: s.tokenUrl ?? `${baseUrl}${HUBSPOT_TOKEN_PATH}` }
      : undefined;
  const customFields: Record<string, string> = {};
  const merged = { ...DEFAULT_CUSTOM_FIELDS, ...s.customFields };
  for (const [field, property] of Object.entries(merged)) if (property !== null) customFields[field] = property;
  return {
    baseUrl,
    accessToken: s.accessToken,
    oauth,
    signatureVersions: s.signatureVersions ?? ['v3'],
    closedStageIds: (s.closedStageIds ?? DEFAULT_CLOSED_STAGE_IDS).map(String),
    customFields,
    tagsProperty: s.tagsProperty === null ? undefined : (s.tagsProperty ?? DEFAULT_TAGS_PROPERTY),
    tagPrefix: s.tagPrefix,
    writeNotes: s.writeNotes ?? true,
    priorityValues: { ...DEFAULT_PRIORITY_VALUES, ...s.priorityValues },
    ignoredSourceIds: (s.ignoredSourceIds ?? []).map(String),
    noteAssociationTypeId: s.noteAssociationTypeId ?? DEFAULT_NOTE_ASSOCIATION_TYPE_ID,
    fieldMap: s.fieldMap,
  };
}

/** The API credentials, required only where the bridge calls HubSpot (normalize, write-back). */
export function requireAuth(settings: HubSpotSettings): HubSpotAuth {
  return settings.oauth !== undefined ? oauthAuth(settings.oauth) : privateAppAuth(requireAccessToken(settings));
}

/** The private-app token, when no OAuth credentials are set. */
export function requireAccessToken(settings: HubSpotSettings): string {
  if (settings.accessToken === undefined) {
    throw new PermanentEventError(
      'missing_access_token',
      'HELPDESK_CONFIG.hubspot.accessToken is not set: create a private app with the tickets scope (and crm.objects.contacts.read, conversations.read for chat messages) and put its access token there, or set a public app\'s refreshToken, clientId and clientSecret',
    );
  }
  return settings.accessToken;
}

/** Properties the bridge writes: a propertyChange webhook about one of them is the bridge's own echo. */
export function bridgeOwnedProperties(settings: HubSpotSettings): ReadonlySet<string> {
  const owned = new Set(Object.values(settings.customFields));
  if (settings.tagsProperty !== undefined) owned.add(settings.tagsProperty);
  return owned;
}
