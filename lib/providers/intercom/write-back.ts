/**
 * Results → Intercom REST calls (helpdesks.md §3.4): tags by id (listed, created when missing,
 * then attached one by one — attaching never removes a tag), the mapped custom attributes, and an
 * internal admin note. Each is one WriteBackOp whose key carries the steps it reports, so the
 * Ledger runs it once and a later attempt with more results writes only what is new.
 */
import { PermanentEventError } from '../../errors.ts';
import type { HttpClient } from '../../http.ts';
import { summarizeResults, type WriteBackSummary } from '../../write-back-summary.ts';
import type { ProviderContext, WriteBackInput, WriteBackOp } from '../types.ts';
import { intercomObjectOf } from './normalize.ts';
import { intercomHeaders, intercomSettings, type IntercomSettings } from './settings.ts';

const API_TIMEOUT_MS = 10_000;

export function intercomWriteBack(input: WriteBackInput, { settings: raw }: ProviderContext): readonly WriteBackOp[] {
  const settings = intercomSettings(raw);
  const summary = summarizeResults(input, settings.tagPrefix === undefined ? {} : { tagPrefix: settings.tagPrefix });
  if (summary.steps.length === 0) return [];
  const steps = summary.steps.join('+');
  // Tickets are addressed by their API `id` under /tickets (not the Inbox number).
  const target = `${settings.baseUrl}/${intercomObjectOf(input.event) === 'ticket' ? 'tickets' : 'conversations'}/${encodeURIComponent(input.event.ticketId)}`;
  const ops: WriteBackOp[] = [];

  if (summary.tags.length > 0) {
    ops.push({ key: `tags:${steps}`, run: (http) => addTags(http, settings, target, summary.tags) });
  }
  const attributes = attributesOf(summary, settings);
  if (Object.keys(attributes).length > 0) {
    const isTicket = intercomObjectOf(input.event) === 'ticket';
    ops.push({
      key: `attributes:${steps}`,
      run: async (http) => {
        // PUT /conversations/{id} merges `custom_attributes` (attributes not named keep their
        // values); tickets take `ticket_attributes` the same way.
        await call(http, settings, 'PUT', target, isTicket ? { ticket_attributes: attributes } : { custom_attributes: conversationAttributes(attributes) });
      },
    });
  }
  if (summary.note !== undefined && settings.writeNotes) {
    const body = { message_type: 'note', type: 'admin', admin_id: settings.adminId, body: noteHtml(summary.note) };
    ops.push({
      key: `note:${steps}`,
      noted: summary.noteSteps,
      run: async (http) => {
        await call(http, settings, 'POST', `${target}/reply`, body);
      },
    });
  }
  return ops;
}

/**
 * Only attributes the deployment mapped in `customFields` are written: the bridge never touches an
 * attribute it does not own. `customFields.priority` receives Simpli's priority word — Intercom's
 * own priority flag is not settable through a documented API (helpdesks.md §3.4, NOT CONFIRMED).
 */
function attributesOf(summary: WriteBackSummary, settings: IntercomSettings): Record<string, string | number> {
  const attributes: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(summary.fields)) {
    const attribute = settings.customFields[name];
    if (attribute !== undefined) attributes[attribute] = value;
  }
  const priorityAttribute = settings.customFields.priority;
  if (priorityAttribute !== undefined && summary.priority !== undefined) attributes[priorityAttribute] = summary.priority;
  return attributes;
}

/**
 * Conversation `custom_attributes` values as Intercom 2.11 types them: `string` (or a custom object
 * instance) only — `custom_attributes` in descriptions/2.11/api.intercom.io.yaml, as restored from
 * 8ca4732 (../shared/specs/helpdesks/SOURCES.md); 2.12 adds integers, never decimals. So every
 * number (confidence 0.87, sentiment -0.6, risk 0.7, QA 0.92) is sent as its decimal text ("0.87"),
 * which keeps its value exactly; the README says to create these attributes as Text. Ticket
 * attributes (`update_ticket_request.ticket_attributes`, a free object) keep their numbers.
 */
export function conversationAttributes(attributes: Readonly<Record<string, string | number>>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, String(value)]));
}

interface IntercomTag {
  readonly id: string;
  readonly name: string;
}

async function addTags(http: HttpClient, settings: IntercomSettings, target: string, names: readonly string[]): Promise<void> {
  const existing = tagsOf(await call(http, settings, 'GET', `${settings.baseUrl}/tags`));
  for (const name of names) {
    let tag = existing.find((t) => t.name.toLowerCase() === name.toLowerCase());
    if (tag === undefined) {
      // POST /tags {name} creates the tag (Intercom "Create or update a tag").
      tag = tagOf(await call(http, settings, 'POST', `${settings.baseUrl}/tags`, { name }));
      if (tag === undefined) throw new PermanentEventError('invalid_intercom_response', `POST /tags for "${name}" returned no tag id`);
    }
    await call(http, settings, 'POST', `${target}/tags`, { id: tag.id, admin_id: settings.adminId });
  }
}

async function call(http: HttpClient, settings: IntercomSettings, method: string, url: string, json?: unknown): Promise<unknown> {
  const response = await http.request({
    service: 'intercom',
    method,
    url,
    headers: intercomHeaders(settings.accessToken),
    ...(json === undefined ? {} : { json }),
    timeoutMs: API_TIMEOUT_MS,
  });
  if (response.body.trim() === '') return undefined;
  try {
    return JSON.parse(response.body) as unknown;
  } catch {
    return undefined;
  }
}

/** `GET /tags` answers `{type: "list", data: [{type: "tag", id, name}]}`. */
function tagsOf(list: unknown): IntercomTag[] {
  const data = (list as { data?: unknown } | undefined)?.data;
  if (!Array.isArray(data)) return [];
  return data.flatMap((t: unknown) => {
    const tag = tagOf(t);
    return tag === undefined ? [] : [tag];
  });
}

function tagOf(value: unknown): IntercomTag | undefined {
  const v = value as { id?: unknown; name?: unknown } | null | undefined;
  const id = typeof v?.id === 'number' ? String(v.id) : v?.id;
  return typeof id === 'string' && typeof v?.name === 'string' ? { id, name: v.name } : undefined;
}

/** Notes accept some HTML: one paragraph per line, text escaped. Starts with the NOTE_MARKER. */
export function noteHtml(note: string): string {
  const escapeHtml = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  return note
    .split('\n')
    .map((line) => `<p>${escapeHtml(line)}</p>`)
    .join('');
}
