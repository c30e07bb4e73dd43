/**
 * Turns a HELPDESK_CONFIG entry (a preset's name, or a `connector` specification) into a checked
 * connector, or throws a ConfigError whose message names the path of the first problems, e.g.
 * `connectors.front.writeBack[1].url: unknown field {tiket_id}`. It runs at cold start for inline
 * configuration (lib/config.ts) and when settings are loaded from Secrets Manager, so a typo stops
 * the deployment (or that connector alone) instead of sending wrong writes — and nothing can turn
 * authenticity off: every specification names a signature or token check.
 */
import { ConfigError } from '../../errors.ts';
import type { ProviderSettings } from '../types.ts';
import { PRESET_DEFAULTS, PRESETS } from './presets/index.ts';
import { connectorSpecSchema, FIELD_NAMES, type AuthSpec, type ConnectorSpec, type FieldName } from './spec.ts';
import { forEachTemplateString, parseTemplate, variablesOf, type TemplatePart } from './template.ts';

/** Event values a URL may carry, each encoded as one path segment. */
export const URL_FIELDS = ['ticket_id', 'customer_id', 'agent_id', 'event_type'] as const;
/** The bridge's results a body may place (besides URL_FIELDS and settings). */
export const RESULT_FIELDS = [
  'tags',
  'tag',
  'priority',
  'note',
  'custom_fields',
  'ai_category',
  'ai_urgency',
  'ai_confidence',
  'ai_team',
  'ai_agent',
  'ai_sentiment',
  'ai_sentiment_label',
  'ai_escalation_risk',
  'ai_qa_score',
] as const;
const MESSAGE_FIELDS = ['body', 'timestamp', 'url', 'method'];

export interface CompiledRequest {
  readonly index: number;
  readonly method: string;
  readonly url: readonly TemplatePart[];
  readonly auth: AuthSpec;
  readonly body: unknown;
  readonly forEachTag: boolean;
  /** The results this request places: it is sent only when one of them has a value. */
  readonly results: readonly string[];
}

export interface CompiledConnector {
  readonly name: string;
  readonly spec: ConnectorSpec;
  /** `fields` after the deployment's `fieldMap` overrides. */
  readonly fields: Readonly<Partial<Record<FieldName, readonly string[]>>>;
  readonly message: readonly TemplatePart[];
  readonly requests: readonly CompiledRequest[];
  /** The deployment's settings over the preset's defaults (e.g. Help Scout's API origin). */
  readonly settings: ProviderSettings;
  readonly tagsRead: { readonly url: readonly TemplatePart[]; readonly auth: AuthSpec; readonly path: string; readonly item?: string | undefined } | undefined;
}

/** True when a HELPDESK_CONFIG entry (under a non-built-in name) describes a connector. */
export function isConnectorEntry(name: string, settings: ProviderSettings | undefined): boolean {
  if (settings === undefined) return false;
  return settings.connector !== undefined || settings.preset !== undefined || Object.hasOwn(PRESETS, name);
}

const compiled = new WeakMap<object, CompiledConnector>();

/** Compiles once per settings object (they live as long as the cached HELPDESK_CONFIG). */
export function connectorOf(name: string, settings: ProviderSettings): CompiledConnector {
  const hit = compiled.get(settings);
  if (hit !== undefined) return hit;
  const connector = compileConnector(name, settings);
  compiled.set(settings, connector);
  return connector;
}

export function compileConnector(name: string, given: ProviderSettings): CompiledConnector {
  const errors: string[] = [];
  const presetName = given.connector === undefined ? (typeof given.preset === 'string' ? given.preset : name) : undefined;
  const settings: ProviderSettings = { ...(presetName === undefined ? {} : PRESET_DEFAULTS[presetName]), ...given };
  const at = (path: string) => `connectors.${name}${path}`;
  const spec = specOf(name, settings, errors, at);
  if (spec === undefined) throw configError(name, errors);

  const knownSettings = (variable: string, where: string) => {
    const key = variable.slice('settings.'.length);
    const value = settings[key];
    if (typeof value !== 'string' || value.trim() === '') {
      errors.push(`${at(`.settings.${key}`)}: required by ${where}; set HELPDESK_CONFIG.${name}.${key}`);
    }
  };
  const check = (template: string, path: string, allowed: readonly string[]): TemplatePart[] => {
    const parts = parseTemplate(template);
    for (const variable of variablesOf(parts)) {
      if (variable.startsWith('settings.')) knownSettings(variable, path.replace(/^\./, ''));
      else if (!allowed.includes(variable)) errors.push(`${at(path)}: unknown field {${variable}}; use one of ${allowed.map((a) => `{${a}}`).join(' ')} or {settings.<name>}`);
    }
    return parts;
  };
  const checkAuth = (auth: AuthSpec | undefined, path: string): AuthSpec => {
    const chosen = auth ?? spec.auth;
    if (chosen === undefined) {
      errors.push(`${at(path)}: no auth: set "auth" on the request or on the connector ({"type": "none"} when the API needs none)`);
      return { type: 'none' };
    }
    for (const key of ['token', 'username', 'password', 'value'] as const) {
      const template = (chosen as Record<string, unknown>)[key];
      if (typeof template === 'string') check(template, `${auth === undefined ? '.auth' : path}.${key}`, []);
    }
    return chosen;
  };
  const checkUrl = (template: string, path: string): TemplatePart[] => {
    const parts = check(template, path, URL_FIELDS);
    const [first] = parts;
    const origin = first !== undefined && 'variable' in first ? settings[first.variable.slice('settings.'.length)] : first?.literal;
    const originOk =
      first !== undefined &&
      ('variable' in first ? first.variable.startsWith('settings.') : /^https?:\/\/[^/{}]+(\/|$)/.test(first.literal)) &&
      (typeof origin !== 'string' || isHttpUrl(origin));
    if (!originOk) errors.push(`${at(path)}: must start with an http(s) origin or {settings.baseUrl} (an http(s) URL)`);
    return parts;
  };

  const auth = spec.authenticity;
  const messageAllowed = [...MESSAGE_FIELDS, ...headerVariables(auth.type === 'hmac' ? (auth.message ?? '') : '')];
  const message = auth.type === 'hmac' ? check(auth.message ?? '{body}', '.authenticity.message', messageAllowed) : [];
  if (auth.type === 'hmac' && variablesOf(message).includes('timestamp') && auth.timestamp === undefined) {
    errors.push(`${at('.authenticity.message')}: uses {timestamp} but authenticity.timestamp (header, format) is not set`);
  }
  if (auth.type === 'hmac' && !variablesOf(message).includes('body')) errors.push(`${at('.authenticity.message')}: must sign {body}`);
  if (auth.type === 'token' && auth.in !== 'basic' && auth.name === undefined) {
    errors.push(`${at('.authenticity.name')}: required for a token in the ${auth.in}`);
  }
  if (spec.events.source === undefined && spec.events.routes === false) {
    errors.push(`${at('.events')}: names no event: set "source" (a payload path or header:<name>) or allow route events`);
  }
  if (spec.events.source !== undefined && spec.events.map === undefined) errors.push(`${at('.events.map')}: required with events.source`);

  const requests = spec.writeBack.map((request, index): CompiledRequest => {
    const path = `.writeBack[${index}]`;
    const url = checkUrl(request.url, `${path}.url`);
    const results = new Set<string>();
    const bodyAllowed = [...URL_FIELDS, ...RESULT_FIELDS.filter((r) => r !== 'tag' || request.forEach === 'tag')];
    forEachTemplateString(request.body, `${path}.body`, (text, where) => {
      for (const variable of variablesOf(check(text, where, bodyAllowed))) {
        if ((RESULT_FIELDS as readonly string[]).includes(variable)) results.add(variable);
      }
    });
    if (request.forEach === 'tag' && !results.has('tag')) errors.push(`${at(`${path}.body`)}: forEach "tag" needs {tag} in the body`);
    if (results.size === 0) errors.push(`${at(`${path}.body`)}: places no result ({tags}, {note}, {priority}, {ai_…}): the request would write nothing`);
    if (results.has('priority') && spec.priority === undefined) errors.push(`${at(`${path}.body`)}: uses {priority} but the connector has no "priority" table`);
    return {
      index,
      method: request.method,
      url,
      auth: checkAuth(request.auth, `${path}.auth`),
      body: request.body,
      forEachTag: request.forEach === 'tag',
      results: [...results],
    };
  });
  let tagsRead: CompiledConnector['tagsRead'];
  if (spec.tags?.mode === 'replace') {
    const read = spec.tags.read;
    if (read === undefined) errors.push(`${at('.tags.read')}: required when tags.mode is "replace" (the bridge reads, merges, writes)`);
    else tagsRead = { url: checkUrl(read.url, '.tags.read.url'), auth: checkAuth(read.auth, '.tags.read.auth'), path: read.path, item: read.item };
  }
  const fields = fieldsWithOverrides(spec, settings.fieldMap, errors, at);
  if (settings.baseUrl !== undefined && (typeof settings.baseUrl !== 'string' || !isHttpUrl(settings.baseUrl))) {
    errors.push(`${at('.settings.baseUrl')}: must be an http(s) URL such as "https://support.example.com"`);
  }
  if (errors.length > 0) throw configError(name, errors);
  return { name, spec, fields, message, requests, settings, tagsRead };
}

function specOf(name: string, settings: ProviderSettings, errors: string[], at: (p: string) => string): ConnectorSpec | undefined {
  let raw: unknown;
  if (settings.connector !== undefined) {
    if (settings.preset !== undefined) {
      errors.push(`${at('')}: set either "preset" or "connector", not both`);
      return undefined;
    }
    raw = settings.connector;
  } else {
    const preset = typeof settings.preset === 'string' ? settings.preset : name;
    raw = Object.hasOwn(PRESETS, preset) ? PRESETS[preset] : undefined;
    if (raw === undefined) {
      errors.push(`${at('.preset')}: unknown preset "${String(settings.preset ?? name)}"; use one of ${Object.keys(PRESETS).join(', ')} or give a "connector" specification`);
      return undefined;
    }
  }
  const result = connectorSpecSchema().safeParse(raw);
  if (result.success) return result.data;
  for (const issue of result.error.issues.slice(0, 10)) {
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    const keys = 'keys' in issue && Array.isArray(issue.keys) ? ` ${issue.keys.join(', ')}` : '';
    errors.push(`${at(path)}: ${issue.message}${keys}`);
  }
  return undefined;
}

function fieldsWithOverrides(
  spec: ConnectorSpec,
  fieldMap: unknown,
  errors: string[],
  at: (p: string) => string,
): Partial<Record<FieldName, readonly string[]>> {
  const fields: Partial<Record<FieldName, readonly string[]>> = {};
  for (const key of FIELD_NAMES) {
    const paths = spec.fields[key];
    if (paths !== undefined) fields[key] = paths;
  }
  if (fieldMap === undefined) return fields;
  if (fieldMap === null || typeof fieldMap !== 'object' || Array.isArray(fieldMap)) {
    errors.push(`${at('.settings.fieldMap')}: must be an object such as {"customerId": ["custom.account_id"]}`);
    return fields;
  }
  for (const [key, paths] of Object.entries(fieldMap)) {
    if (!(FIELD_NAMES as readonly string[]).includes(key)) errors.push(`${at(`.settings.fieldMap.${key}`)}: unknown field; use one of ${FIELD_NAMES.join(', ')}`);
    else if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string' && p !== '')) errors.push(`${at(`.settings.fieldMap.${key}`)}: must be a list of paths`);
    else fields[key as FieldName] = paths as string[];
  }
  return fields;
}

function headerVariables(template: string): string[] {
  return variablesOf(parseTemplate(template)).filter((v) => v.startsWith('header.'));
}

function isHttpUrl(value: string): boolean {
  return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
}

function configError(name: string, errors: readonly string[]): ConfigError {
  return new ConfigError('invalid_connector', `HELPDESK_CONFIG.${name} is not a valid connector: ${errors.join('; ')}`);
}
