/**
 * The one reader of the environment. Each function parses what one Lambda needs and throws a
 * ConfigError naming the variable at cold start, so a misconfigured deployment fails on its first
 * invocation with a message that says what to fix — not on its first webhook hours later.
 * Defaults are documented in the README's configuration table.
 */
import * as z from './schema.ts';
import { ConfigError } from './errors.ts';
import { lazy } from './lazy.ts';
import { secretProblem } from './standard-webhooks.ts';
import { parseAllowList } from './ip-allow.ts';
import { compileConnector, isConnectorEntry } from './providers/connector/compile.ts';
import { PRESETS } from './providers/connector/presets/index.ts';
import { CONNECTOR_NAME } from './providers/connector/spec.ts';
import { PROVIDER_NAMES, type ProviderName, type ProviderSettings } from './providers/types.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** provider → active secrets (several during a rotation). */
export type WebhookSecrets = Readonly<Partial<Record<ProviderName, readonly string[]>>>;
/** provider → its helpdesk settings (API base URL, credentials, field ids…). */
export type HelpdeskConfig = Readonly<Partial<Record<ProviderName, ProviderSettings>>>;

/** The documented local-only secret; `npm start` uses it when WEBHOOK_SECRETS is unset. */
export const LOCAL_DEV_SECRET = 'local-dev-secret';

/** Largest webhook body accepted. SQS takes 256 KiB per message; 16 KiB is left for the envelope. */
export const DEFAULT_MAX_BODY_BYTES = 240 * 1024;
/** Real Sentiment's model timeout is 60 s (reference/simpli.md); 15 s more for its fallback and the network. */
export const DEFAULT_SENTIMENT_TIMEOUT_MS = 75_000;

export interface SecretsSource<T> {
  /** Inline JSON (local, tests), already parsed and checked at cold start … */
  readonly inline?: T | undefined;
  /** … or the Secrets Manager secret holding that JSON (AWS). */
  readonly secretArn?: string | undefined;
}

export interface IngestConfig {
  readonly queueUrl: string;
  readonly webhookSecrets: SecretsSource<WebhookSecrets>;
  readonly secretsCacheSeconds: number;
  /** DETAILED_METRICS (template parameter DetailedMetrics): false writes the metric lines without their EMF directive. */
  readonly detailedMetrics: boolean;
  readonly maxBodyBytes: number;
  /** Base URL the helpdesks call (HubSpot v3 signs the full URL); else taken from the request. */
  readonly publicBaseUrl: string | undefined;
  readonly helpdeskConfig: SecretsSource<HelpdeskConfig>;
  /** The Ledger's TTL (LEDGER_TTL_DAYS): older events are ignored as replays. */
  readonly ledgerTtlDays: number;
}

export interface SimpliConfig {
  readonly triageUrl: string;
  readonly sentimentUrl: string;
  readonly qaUrl: string;
  readonly replyUrl: string;
  readonly apiKey: string | undefined;
  readonly draftReplies: boolean;
  readonly draftStyle: string;
  readonly draftLanguage: string;
  readonly timeoutMs: number;
  readonly qaTimeoutMs: number;
  /** Sentiment's own timeout (its model may take up to 60 s); `timeoutMs` when absent. */
  readonly sentimentTimeoutMs?: number | undefined;
}

export interface ProcessConfig {
  readonly simpli: SimpliConfig;
  readonly ledgerTable: string;
  readonly deadLetterQueueUrl: string;
  readonly helpdeskConfig: SecretsSource<HelpdeskConfig>;
  readonly secretsCacheSeconds: number;
  /** DETAILED_METRICS (template parameter DetailedMetrics): false writes the metric lines without their EMF directive. */
  readonly detailedMetrics: boolean;
  /** Must equal the queue's redrive maxReceiveCount: on the last receive the event is parked with its reason. */
  readonly maxReceiveCount: number;
  readonly leaseSeconds: number;
  readonly ledgerTtlDays: number;
  readonly confidenceThreshold: number;
  /** Local only: providers without HELPDESK_CONFIG write to this JSONL file instead of their API. */
  readonly dryRunFile: string | undefined;
}

export function loadIngestConfig(env: Env = process.env): IngestConfig {
  const webhookSecrets = secretsSource(env, 'WEBHOOK_SECRETS', parseWebhookSecrets);
  const helpdeskConfig = optionalSecretsSource(env, 'HELPDESK_CONFIG', parseIngestHelpdeskConfig);
  assertSecretsNameProviders(webhookSecrets, helpdeskConfig);
  return {
    queueUrl: required(env, 'QUEUE_URL', 'the TicketQueue URL'),
    webhookSecrets,
    secretsCacheSeconds: integer(env, 'SECRETS_CACHE_SECONDS', 300, 0, 3600),
    detailedMetrics: boolean(env, 'DETAILED_METRICS', true),
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES, 1024, DEFAULT_MAX_BODY_BYTES),
    publicBaseUrl: optionalUrl(env, 'PUBLIC_BASE_URL'),
    helpdeskConfig,
    // The Ledger's memory, so that ingest refuses events older than it (replays, issue #13 finding 5).
    ledgerTtlDays: integer(env, 'LEDGER_TTL_DAYS', 30, 1, 3650),
  };
}

export function loadProcessConfig(env: Env = process.env): ProcessConfig {
  return {
    simpli: {
      triageUrl: requiredUrl(env, 'TRIAGE_URL'),
      sentimentUrl: requiredUrl(env, 'SENTIMENT_URL'),
      qaUrl: requiredUrl(env, 'QA_URL'),
      replyUrl: requiredUrl(env, 'REPLY_URL'),
      apiKey: optional(env, 'SIMPLI_API_KEY'),
      draftReplies: boolean(env, 'DRAFT_REPLIES', false),
      draftStyle: optional(env, 'DRAFT_STYLE') ?? 'friendly',
      draftLanguage: optional(env, 'DRAFT_LANGUAGE') ?? 'en',
      timeoutMs: integer(env, 'SIMPLI_TIMEOUT_MS', 10_000, 100, 60_000),
      qaTimeoutMs: integer(env, 'QA_TIMEOUT_MS', 30_000, 100, 120_000),
      // Sentiment asks its model with a 60 s timeout before its keyword fallback: wait 75 s, so a
      // slow model is waited for rather than called again (README, "Simpli").
      sentimentTimeoutMs: integer(env, 'SENTIMENT_TIMEOUT_MS', DEFAULT_SENTIMENT_TIMEOUT_MS, 100, 120_000),
    },
    ledgerTable: required(env, 'LEDGER_TABLE', 'the Ledger DynamoDB table name'),
    deadLetterQueueUrl: required(env, 'DEAD_LETTER_QUEUE_URL', 'the DeadLetterQueue URL'),
    helpdeskConfig: optionalSecretsSource(env, 'HELPDESK_CONFIG', parseHelpdeskConfig),
    secretsCacheSeconds: integer(env, 'SECRETS_CACHE_SECONDS', 300, 0, 3600),
    detailedMetrics: boolean(env, 'DETAILED_METRICS', true),
    maxReceiveCount: integer(env, 'MAX_RECEIVE_COUNT', 5, 1, 1000),
    leaseSeconds: integer(env, 'LEASE_SECONDS', 120, 1, 43_200),
    ledgerTtlDays: integer(env, 'LEDGER_TTL_DAYS', 30, 1, 3650),
    confidenceThreshold: number(env, 'CONFIDENCE_THRESHOLD', 0.6, 0, 1),
    dryRunFile: optional(env, 'HELPDESK_DRY_RUN_FILE'),
  };
}

/** A built-in provider's name, or a connector's own (issue #12). */
// Built on first use (lib/lazy.ts): as deployed, the secrets come from Secrets Manager at the first
// request, so the cold start needs neither schema (issue #10).
const providerKey = () => z.union([z.enum(PROVIDER_NAMES), z.string().check(z.regex(CONNECTOR_NAME))]);
const secretsSchema = lazy(() => z.record(providerKey(), z.array(z.string())));
const helpdeskSchema = lazy(() => z.record(providerKey(), z.record(z.string(), z.unknown())));
const KEYS_HINT = `built-in providers (${PROVIDER_NAMES.join(', ')}), presets (${Object.keys(PRESETS).join(', ')}) or a connector's own lower-case name`;

/** Parses WEBHOOK_SECRETS JSON (inline or from Secrets Manager); `origin` names where it came from. */
export function parseWebhookSecrets(json: string, origin: string): WebhookSecrets {
  const secrets = parseJson(json, origin, secretsSchema(), '{"zendesk": ["secret-1", "secret-2"], "generic": ["…"]}');
  // A secret that is no key (empty, blank, `whsec_` + nothing) would verify what anybody signs.
  for (const [provider, list] of Object.entries(secrets)) {
    list?.forEach((secret, index) => {
      const problem = secretProblem(secret);
      if (problem !== undefined) {
        throw new ConfigError('unusable_secret', `${origin}.${provider}[${index}] ${problem}: set a random secret of at least 24 bytes, or remove the entry`);
      }
    });
  }
  return secrets;
}

/**
 * Parses HELPDESK_CONFIG JSON (inline or from Secrets Manager) as IngestFunction reads it: also
 * every `allowedIps`, which only ingest enforces — so ProcessFunction and ReconcileFunction, which
 * use parseHelpdeskConfig, do not bundle lib/ip-allow.ts (issue #10, cold start).
 */
export function parseIngestHelpdeskConfig(json: string, origin: string): HelpdeskConfig {
  const config = parseHelpdeskConfig(json, origin);
  // Checked here, at cold start (or when the secret is loaded), so a typo in a range stops the
  // deployment with the path of the entry instead of turning a helpdesk away at its first webhook.
  for (const [provider, settings] of Object.entries(config)) {
    const path = origin === 'HELPDESK_CONFIG' ? `HELPDESK_CONFIG.${provider}.allowedIps` : `${origin} → ${provider}.allowedIps`;
    parseAllowList(settings?.allowedIps, path);
  }
  return config;
}

/** Parses HELPDESK_CONFIG JSON (inline or from Secrets Manager): its shape, and every connector's specification. */
export function parseHelpdeskConfig(json: string, origin: string): HelpdeskConfig {
  const config = parseJson(json, origin, helpdeskSchema(), '{"generic": {"updateUrl": "https://…/tickets/{ticket_id}", "token": "…"}}');
  for (const [name, settings] of Object.entries(config)) {
    if ((PROVIDER_NAMES as readonly string[]).includes(name)) continue;
    if (!isConnectorEntry(name, settings)) {
      throw new ConfigError(
        'unknown_provider',
        `${origin} has an entry "${name}" that is neither a provider nor a preset: give it a "connector" specification or "preset": one of ${Object.keys(PRESETS).join(', ')}`,
      );
    }
    // Each connector's specification is checked now: a typo fails the cold start with its path.
    compileConnector(name, settings);
  }
  return config;
}

/**
 * With both inline, every WEBHOOK_SECRETS key must name something served: a built-in, a preset or
 * a connector of HELPDESK_CONFIG — so a typo ("zendsk") fails at start instead of never matching.
 */
function assertSecretsNameProviders(secrets: SecretsSource<WebhookSecrets>, helpdesk: SecretsSource<HelpdeskConfig>): void {
  if (secrets.inline === undefined || helpdesk.secretArn !== undefined) return;
  const declared = helpdesk.inline ?? {};
  for (const name of Object.keys(secrets.inline)) {
    if ((PROVIDER_NAMES as readonly string[]).includes(name) || Object.hasOwn(declared, name)) continue;
    throw new ConfigError(
      'invalid_shape',
      `WEBHOOK_SECRETS has an invalid entry at ${name}; keys must be ${KEYS_HINT} declared in HELPDESK_CONFIG`,
    );
  }
}

function parseJson<T>(json: string, origin: string, schema: z.Schema<T>, example: string): T {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ConfigError('invalid_json', `${origin} is not valid JSON; expected an object like ${example}`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const where = result.error.issues
      .map((i) => ('keys' in i && Array.isArray(i.keys) ? i.keys.join(', ') : i.path.join('.') || '(top level)'))
      .join(', ');
    throw new ConfigError(
      'invalid_shape',
      `${origin} has an invalid entry at ${where}; keys must be ${KEYS_HINT}, and look like ${example}`,
    );
  }
  return result.data;
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function required(env: Env, name: string, what: string): string {
  const value = optional(env, name);
  if (value === undefined) throw new ConfigError('missing_variable', `${name} is not set: it must name ${what}`);
  return value;
}

function requiredUrl(env: Env, name: string): string {
  const value = required(env, name, 'a Simpli service base URL, e.g. http://triage:8000');
  assertUrl(name, value);
  return value.replace(/\/+$/, '');
}

function optionalUrl(env: Env, name: string): string | undefined {
  const value = optional(env, name);
  if (value !== undefined) assertUrl(name, value);
  return value?.replace(/\/+$/, '');
}

function assertUrl(name: string, value: string): void {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new ConfigError('invalid_url', `${name} must be an http(s) URL, got "${value}"`);
  }
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = number(env, name, fallback, min, max);
  if (!Number.isInteger(value)) throw new ConfigError('invalid_number', `${name} must be a whole number`);
  return value;
}

function number(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError('invalid_number', `${name} must be a number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = optional(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError('invalid_boolean', `${name} must be true or false, got "${raw}"`);
}

function secretsSource<T>(env: Env, name: string, parse: (json: string, origin: string) => T): SecretsSource<T> {
  const source = optionalSecretsSource(env, name, parse);
  if (source.inline === undefined && source.secretArn === undefined) {
    throw new ConfigError(
      'missing_variable',
      `neither ${name} nor ${name}_ARN is set: set ${name}_ARN to the Secrets Manager secret, or ${name} to its JSON`,
    );
  }
  return source;
}

function optionalSecretsSource<T>(env: Env, name: string, parse: (json: string, origin: string) => T): SecretsSource<T> {
  const json = optional(env, name);
  // Parsed now, once, so a typo fails the cold start, not the first webhook.
  return { inline: json === undefined ? undefined : parse(json, name), secretArn: optional(env, `${name}_ARN`) };
}

export interface ReconcileConfig {
  readonly queueUrl: string;
  readonly ledgerTable: string;
  readonly helpdeskConfig: SecretsSource<HelpdeskConfig>;
  readonly secretsCacheSeconds: number;
  /** DETAILED_METRICS (template parameter DetailedMetrics): false writes the metric lines without their EMF directive. */
  readonly detailedMetrics: boolean;
  /** RECONCILE_PROVIDERS: the providers the schedule reconciles (comma-separated; empty = none). */
  readonly providers: readonly ProviderName[];
  readonly maxPages: number;
  readonly overlapSeconds: number;
  readonly lookbackSeconds: number;
  readonly leaseSeconds: number;
}

/** ReconcileFunction and the reconcile / backfill tools (README, "Reconciliation and backfill"). */
export function loadReconcileConfig(env: Env = process.env): ReconcileConfig {
  return {
    queueUrl: required(env, 'QUEUE_URL', 'the TicketQueue URL'),
    ledgerTable: required(env, 'LEDGER_TABLE', 'the Ledger DynamoDB table name'),
    helpdeskConfig: optionalSecretsSource(env, 'HELPDESK_CONFIG', parseHelpdeskConfig),
    secretsCacheSeconds: integer(env, 'SECRETS_CACHE_SECONDS', 300, 0, 3600),
    detailedMetrics: boolean(env, 'DETAILED_METRICS', true),
    providers: providerList(env, 'RECONCILE_PROVIDERS'),
    maxPages: integer(env, 'RECONCILE_MAX_PAGES', 50, 1, 10_000),
    overlapSeconds: integer(env, 'RECONCILE_OVERLAP_SECONDS', 300, 0, 86_400),
    lookbackSeconds: integer(env, 'RECONCILE_LOOKBACK_SECONDS', 3600, 60, 30 * 86_400),
    leaseSeconds: integer(env, 'RECONCILE_LEASE_SECONDS', 900, 60, 43_200),
  };
}

function providerList(env: Env, name: string): ProviderName[] {
  const names = (optional(env, name) ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  for (const p of names) {
    if (!(PROVIDER_NAMES as readonly string[]).includes(p)) throw new ConfigError('invalid_provider', `${name} names "${p}": use a comma-separated list of ${PROVIDER_NAMES.join(', ')}`);
  }
  return names as ProviderName[];
}
