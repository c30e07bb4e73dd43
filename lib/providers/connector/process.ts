/** A connector's normalization and write-back, from its specification. */
import { PermanentEventError } from '../../errors.ts';
import type { HttpClient } from '../../http.ts';
import { at, firstString, optionalAgent, plainText } from '../../mapping.ts';
import { summarizeResults } from '../../write-back-summary.ts';
import { CHANNELS, type Channel, type ConversationMessage, type NormalizedEvent, type ProviderSettings, type QueuedEvent, type WriteBackInput, type WriteBackOp } from '../types.ts';
import type { CompiledConnector, CompiledRequest } from './compile.ts';
import type { AuthSpec } from './spec.ts';
import type { FieldName } from './spec.ts';
import { renderJson, renderText, type TemplatePart } from './template.ts';
import { roleOf } from './parse.ts';

const TIMEOUT_MS = 10_000;

export function normalizeConnector(connector: CompiledConnector, event: QueuedEvent): NormalizedEvent {
  const { fields, spec } = connector;
  const p = event.payload;
  const html = new Set<string>(spec.fields.html ?? []);
  const get = (field: FieldName): string | undefined => {
    const value = firstString(p, fields[field] ?? []);
    return value !== undefined && html.has(field) ? plainText(value) : value;
  };
  const body = get('body') ?? '';
  const messageText = event.eventType === 'message.created' ? (get('message') ?? body) : undefined;
  const thread = threadOf(connector, p, html.has('thread'));
  const conversation = thread.length > 0 ? thread : [{ role: 'customer' as const, content: messageText ?? body }];
  const status = get('status');
  return {
    eventType: event.eventType,
    ticketId: event.ticketId,
    subject: get('subject') ?? '',
    body,
    customerId: get('customerId') ?? '',
    ...optionalAgent(get('agentId')),
    channel: channelOf(get('channel'), spec.fields.channels),
    messageText,
    conversation: conversation.filter((m) => m.content !== ''),
    metadata: status === undefined ? {} : { status },
  };
}

function threadOf(connector: CompiledConnector, payload: unknown, stripHtml: boolean): ConversationMessage[] {
  const thread = connector.spec.fields.thread;
  if (thread === undefined) return [];
  const list = at(payload, thread.path);
  if (!Array.isArray(list)) return [];
  const ordered = thread.newestFirst === true ? [...list].reverse() : list;
  return ordered.flatMap((item): ConversationMessage[] => {
    const content = firstString(item, thread.content);
    if (content === undefined) return [];
    return [{ role: roleOf(connector, firstString(item, thread.role ?? [])) ?? 'customer', content: stripHtml ? plainText(content) : content }];
  });
}

function channelOf(value: string | undefined, map: Readonly<Record<string, Channel>> | undefined): Channel {
  if (value === undefined) return 'web';
  const mapped = map?.[value];
  if (mapped !== undefined) return mapped;
  const v = value.trim().toLowerCase();
  return (CHANNELS as readonly string[]).includes(v) ? (v as Channel) : 'web';
}

export function writeBackConnector(connector: CompiledConnector, input: WriteBackInput, settings: ProviderSettings): WriteBackOp[] {
  const summary = summarizeResults(input, typeof settings.tagPrefix === 'string' ? { tagPrefix: settings.tagPrefix } : {});
  if (summary.steps.length === 0) return [];
  const event = input.event;
  const values: Record<string, unknown> = {
    ticket_id: event.ticketId,
    customer_id: event.customerId === '' ? undefined : event.customerId,
    agent_id: event.agentId === '' ? undefined : event.agentId,
    event_type: event.eventType,
    tags: summary.tags.length === 0 ? undefined : summary.tags,
    priority: summary.priority === undefined ? undefined : connector.spec.priority?.[summary.priority],
    note: settings.writeNotes === false ? undefined : summary.note,
    custom_fields: customFieldsOf(summary.fields, settings.customFields),
    ...summary.fields,
  };
  const steps = summary.steps.join('+');
  return connector.requests.flatMap((request): WriteBackOp[] => {
    if (!request.results.some((r) => r !== 'tag' && values[r] !== undefined) && !(request.forEachTag && values.tags !== undefined)) return [];
    const noted = request.results.includes('note') && values.note !== undefined ? summary.noteSteps : [];
    const items = request.forEachTag ? (summary.tags as string[]) : [undefined];
    return items.map((tag) => ({
      key: `${connector.name}:${request.index}:${request.method}:${steps}${tag === undefined ? '' : `:${tag}`}`,
      noted,
      run: async (http: HttpClient) => {
        let own = tag === undefined ? values : { ...values, tag };
        if (request.results.includes('tags') && connector.spec.tags?.mode === 'replace' && values.tags !== undefined) {
          const current = await readTags(connector, http, own, settings);
          const missing = summary.tags.filter((t) => !current.includes(t));
          own = { ...own, tags: missing.length === 0 ? undefined : [...current, ...missing] };
          if (!request.results.some((r) => r !== 'tags' && own[r] !== undefined) && own.tags === undefined) return;
        }
        await send(connector, http, request, own, settings);
      },
    }));
  });
}

function customFieldsOf(fields: Readonly<Record<string, string | number>>, mapping: unknown): Record<string, string | number> | undefined {
  let out: Record<string, string | number> = { ...fields };
  if (mapping !== null && typeof mapping === 'object' && !Array.isArray(mapping)) {
    // `customFields` names the helpdesk's field for each ai_* value; unnamed values are not sent.
    out = {};
    for (const [ours, theirs] of Object.entries(mapping)) {
      const value = fields[ours];
      if (typeof theirs === 'string' && value !== undefined) out[theirs] = value;
    }
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

async function send(connector: CompiledConnector, http: HttpClient, request: CompiledRequest, values: Record<string, unknown>, settings: ProviderSettings): Promise<void> {
  const lookup = (name: string) => (name.startsWith('settings.') ? settings[name.slice('settings.'.length)] : values[name]);
  const body = request.body === undefined ? undefined : renderJson(request.body, lookup);
  await http.request({
    service: connector.name,
    method: request.method,
    url: renderUrl(connector, request.url, values, settings),
    headers: authHeaders(request.auth, settings),
    ...(body === undefined ? {} : { json: body }),
    timeoutMs: TIMEOUT_MS,
  });
}

async function readTags(connector: CompiledConnector, http: HttpClient, values: Record<string, unknown>, settings: ProviderSettings): Promise<string[]> {
  const read = connector.tagsRead;
  if (read === undefined) return [];
  const response = await http.request({
    service: connector.name,
    method: 'GET',
    url: renderUrl(connector, read.url, values, settings),
    headers: authHeaders(read.auth, settings),
    timeoutMs: TIMEOUT_MS,
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch (cause) {
    throw new PermanentEventError('unreadable_tags', `${connector.name} answered the tag read with something that is not JSON`, { cause });
  }
  const list = at(parsed, read.path);
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => {
    const name = read.item === undefined ? item : at(item, read.item);
    return typeof name === 'string' ? [name] : [];
  });
}

/**
 * The URL from its template: the leading `{settings.…}` is the API origin as configured; every
 * other value is encoded as exactly one path segment. "." and ".." cannot be encoded (URL parsers
 * resolve even %2E%2E), so an event that would put them in a URL fails instead of writing elsewhere.
 */
export function renderUrl(connector: CompiledConnector, parts: readonly TemplatePart[], values: Readonly<Record<string, unknown>>, settings: ProviderSettings): string {
  const url = renderText(parts, (name) => {
    const leading = parts[0] !== undefined && 'variable' in parts[0] && parts[0].variable === name;
    const raw = name.startsWith('settings.') ? settings[name.slice('settings.'.length)] : values[name];
    if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
    const text = String(raw);
    if (leading && name.startsWith('settings.')) return text.replace(/\/+$/, '');
    if (text === '.' || text === '..' || text === '') {
      throw new PermanentEventError('unsafe_path_segment', `{${name}} is "${text}", which cannot be one path segment of a ${connector.name} URL`);
    }
    return encodeURIComponent(text);
  });
  if (url === undefined || !URL.canParse(url)) {
    throw new PermanentEventError('missing_url_value', `a ${connector.name} write-back URL lacks a value: ${parts.map((p) => ('literal' in p ? p.literal : `{${p.variable}}`)).join('')}`);
  }
  return url;
}

function authHeaders(auth: AuthSpec, settings: ProviderSettings): Record<string, string> {
  const fill = (template: string) =>
    template.replace(/\{settings\.([A-Za-z0-9_-]+)\}/g, (_, key: string) => {
      const value = settings[key];
      return typeof value === 'string' ? value : '';
    });
  switch (auth.type) {
    case 'none':
      return {};
    case 'bearer':
      return { authorization: `Bearer ${fill(auth.token)}` };
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${fill(auth.username)}:${fill(auth.password)}`).toString('base64')}` };
    case 'header':
      return { [auth.name.toLowerCase()]: fill(auth.value) };
  }
}
