/**
 * Zendesk's listing for reconciliation and backfill: the cursor-based Incremental Ticket Export,
 * `GET /api/v2/incremental/tickets/cursor?start_time={unix seconds}` (the OpenAPI file's path; `.json`
 * is optional) for the first page, then
 * `?cursor={after_cursor}` until `end_of_stream` is true. It returns every ticket created or
 * changed on or after start_time, oldest change first, up to 1000 per page, except those changed
 * within the last minute; the endpoint allows 10 requests per minute and answers 429 with
 * Retry-After, which lib/http.ts honours.
 * https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/
 * https://developer.zendesk.com/documentation/ticketing/managing-tickets/using-the-incremental-export-api
 *
 * Identity, the same as parse.ts gives the webhooks (README, "Reconciliation"):
 * - `ticket.created:{id}` for every ticket (both webhook shapes use it);
 * - `ticket.resolved:{id}` for a solved or closed ticket. The webhook's event id cannot be
 *   reproduced from the API, so parse.ts names a resolution by its ticket alone too.
 * - `message.created:{id}:{comment id}` for a customer's reply, only with `reconcileComments` and
 *   for reconciliation (ListQuery.messages): the tickets export does not carry comments, so a second
 *   export is read alongside, the time-based Incremental Ticket Event Export with the
 *   `comment_events` sideload, `GET /api/v2/incremental/ticket_events?start_time=…&include=comment_events`
 *   (the OpenAPI file's IncrementalTicketEvents; the next page starts at `end_time`, until
 *   `end_of_stream`; the same 10-per-minute limit). A reply is a public comment outside the ticket's
 *   `Create` event (that one is the description) by an author who is neither agent nor admin
 *   (List Users by role), as the `ticket.comment_added` subscription's `author.is_staff` false; its
 *   identity is the subscription's. Trigger webhooks name a reply by a hash of its text, which the
 *   export cannot reproduce: hence the setting, for event subscriptions.
 *   https://developer.zendesk.com/documentation/ticketing/managing-tickets/using-the-incremental-export-api#exporting-ticket-events
 *
 * A ticket id must pass the check ingest applies to a webhook's (lib/ticket-id.ts): a record
 * whose id Zendesk would never issue is reported, not queued. The cursor is Zendesk's opaque
 * `after_cursor`; one Zendesk refuses (400/422) is reported as invalid_cursor, with what to do.
 *
 * The queued payload is the trigger shape normalize.ts reads (`{ticket: {id, subject, …}}`), with
 * `via` flattened to its channel.
 */
import { UpstreamError } from '../../errors.ts';
import type { HttpClient } from '../../http.ts';
import { cursorObject, invalidCursor } from '../../reconcile/cursor.ts';
import { listSetting, type HelpdeskLister, type ListedEvent, type ListedRecord } from '../../reconcile/types.ts';
import { isValidTicketId, ticketIdFormat } from '../../ticket-id.ts';
import { ZENDESK_TIMEOUT_MS } from './api.ts';
import { RESOLVED_STATUSES } from './fields.ts';
import { isOwnNote } from './parse.ts';
import { zendeskSettings } from './settings.ts';

/** Zendesk's maximum page size for the export. */
export const ZENDESK_EXPORT_PAGE_SIZE = 1000;
/** "items that were created or changed within the minute prior to your request are excluded". */
export const ZENDESK_EXPORT_SETTLE_MS = 60_000;

/** Staff pages read per listing page at most (100 users each). */
const MAX_STAFF_PAGES = 20;

/** Where each export continues: the tickets' after_cursor, the events' start_time; null at the end. */
interface ZendeskCursor {
  readonly tickets?: string | null;
  readonly events?: number | null;
}

export const zendeskLister: HelpdeskLister = {
  provider: 'zendesk',
  settleMs: ZENDESK_EXPORT_SETTLE_MS,
  async listPage(http, settings, query) {
    const api = zendeskSettings(settings);
    const pageSize = listSetting(settings, 'exportPageSize', ZENDESK_EXPORT_PAGE_SIZE);
    const withComments = query.messages === true && settings.reconcileComments === true;
    const start = cursorOf(query.cursor);
    const records: ListedRecord[] = [];
    const rejected: string[] = [];
    const next: { tickets: string | null; events: number | null } = { tickets: null, events: null };

    if (start.tickets !== null) {
      const cursor = start.tickets;
      const params =
        cursor === undefined ? `start_time=${Math.max(0, Math.floor(query.sinceMs / 1000))}&per_page=${pageSize}` : `cursor=${encodeURIComponent(cursor)}&per_page=${pageSize}`;
      const body = await getJson(http, api.authorization, `${api.baseUrl}/api/v2/incremental/tickets/cursor?${params}`).catch((error: unknown) => {
        // A cursor Zendesk does not know (truncated, from another account) is refused as a bad request.
        if (cursor !== undefined && error instanceof UpstreamError && (error.status === 400 || error.status === 422)) {
          throw invalidCursor('zendesk', `was refused by Zendesk (${error.status})`, error);
        }
        throw error;
      });
      if (!Array.isArray(body.tickets)) throw malformed('the incremental export answered without a tickets list');
      for (const t of body.tickets as unknown[]) {
        const record = recordOf(t);
        if (typeof record === 'string') rejected.push(record);
        else if (record !== undefined) records.push(record);
      }
      const after = typeof body.after_cursor === 'string' && body.after_cursor !== '' ? body.after_cursor : undefined;
      if (body.end_of_stream !== true && after === undefined) throw malformed('the incremental export is not at its end but gave no after_cursor');
      next.tickets = body.end_of_stream === true ? null : (after ?? null);
    }

    if (withComments && start.events !== null) {
      const startTime = start.events ?? Math.max(0, Math.floor(query.sinceMs / 1000));
      const body = await getJson(http, api.authorization, `${api.baseUrl}/api/v2/incremental/ticket_events?start_time=${startTime}&include=comment_events`);
      if (!Array.isArray(body.ticket_events)) throw malformed('the ticket events export answered without a ticket_events list');
      const candidates = (body.ticket_events as unknown[]).flatMap(customerCommentsOf);
      const staff = candidates.some((c) => typeof c !== 'string') ? await staffIds(http, api.authorization, api.baseUrl) : new Set<string>();
      for (const c of candidates) {
        if (typeof c === 'string') rejected.push(c);
        else if (!staff.has(c.authorId)) records.push(c.record);
      }
      const endTime = typeof body.end_time === 'number' && Number.isSafeInteger(body.end_time) ? body.end_time : undefined;
      if (body.end_of_stream !== true && (endTime === undefined || endTime <= startTime)) throw malformed('the ticket events export is not at its end but gave no later end_time');
      next.events = body.end_of_stream === true ? null : (endTime ?? null);
    }

    if (!withComments) return { records, next: next.tickets ?? undefined, rejected };
    return { records, next: next.tickets === null && next.events === null ? undefined : JSON.stringify(next), rejected };
  },
};

/**
 * The stored cursor: `{"tickets", "events"}` (a pass that lists comments), or the tickets export's
 * own after_cursor (a pass that does not, and every cursor stored before comments were listed).
 */
function cursorOf(text: string | undefined): ZendeskCursor {
  if (text === undefined) return {};
  if (text.trim() === '') throw invalidCursor('zendesk', 'is empty');
  if (!text.trimStart().startsWith('{')) return { tickets: text };
  const c = cursorObject('zendesk', text);
  const tickets = c.tickets;
  const events = c.events;
  if (tickets !== undefined && tickets !== null && (typeof tickets !== 'string' || tickets === '')) throw invalidCursor('zendesk', 'has a `tickets` cursor that is not a string');
  if (events !== undefined && events !== null && (typeof events !== 'number' || !Number.isSafeInteger(events) || events < 0)) throw invalidCursor('zendesk', 'has an `events` start_time that is not a unix time');
  return { ...(tickets === undefined ? {} : { tickets }), ...(events === undefined ? {} : { events }) };
}

interface CustomerComment {
  readonly authorId: string;
  readonly record: ListedRecord;
}

/**
 * The public comments of one ticket event (`include=comment_events` puts each in `child_events`,
 * `event_type: "Comment"`), except a new ticket's first comment (its description: the `Create`
 * event, handled by ticket.created, as parse.ts ignores it) and the bridge's own notes. Whether the
 * author is staff is decided by the caller (staffIds): the export does not say.
 */
function customerCommentsOf(value: unknown): (CustomerComment | string)[] {
  if (value === null || typeof value !== 'object') return ['a ticket event that is not a JSON object'];
  const e = value as Record<string, unknown>;
  if (e.event_type === 'Create' || !Array.isArray(e.child_events)) return [];
  const ticketId = typeof e.ticket_id === 'number' || typeof e.ticket_id === 'string' ? String(e.ticket_id) : undefined;
  const out: (CustomerComment | string)[] = [];
  for (const child of e.child_events as unknown[]) {
    if (child === null || typeof child !== 'object') continue;
    const c = child as Record<string, unknown>;
    if (c.event_type !== 'Comment' || c.public !== true) continue;
    const body = typeof c.body === 'string' ? c.body : '';
    if (body.trim() === '' || isOwnNote(body)) continue;
    // The same check as a webhook's ticket id at ingest (lib/ticket-id.ts).
    if (ticketId === undefined || !isValidTicketId('zendesk', ticketId)) {
      out.push(`a comment of a ticket with an invalid id ${JSON.stringify(e.ticket_id ?? null).slice(0, 40)} (expected ${ticketIdFormat('zendesk').expected})`);
      continue;
    }
    const commentId = typeof c.id === 'number' || typeof c.id === 'string' ? String(c.id) : '';
    const atMs = Date.parse(String(c.created_at ?? e.created_at ?? ''));
    if (!/^\d{1,20}$/.test(commentId) || Number.isNaN(atMs)) {
      out.push(`a comment of ticket ${ticketId} with no valid id or created_at`);
      continue;
    }
    const authorId = c.author_id === undefined || c.author_id === null ? '' : String(c.author_id);
    // The trigger shape normalize.ts reads; the ticket's subject and description are read through the API.
    const payload = { source: 'reconcile', ticket: { id: ticketId, latest_comment: body, latest_comment_id: commentId, requester_id: authorId, updated_at: new Date(atMs).toISOString() } };
    const events: ListedEvent[] = [{ eventType: 'message.created', ticketId, identity: `message.created:${ticketId}:${commentId}`, payload }];
    out.push({ authorId, record: { ticketId, createdAtMs: atMs, updatedAtMs: atMs, open: true, events } });
  }
  return out;
}

/**
 * The ids of agents and admins (List Users, `role=agent` and `role=admin`, cursor-paged
 * `page[size]=100`): a comment by anyone else is the customer's, as the event subscription's
 * `author.is_staff` false is. https://developer.zendesk.com/api-reference/ticketing/users/users/#list-users
 */
async function staffIds(http: HttpClient, authorization: string, baseUrl: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const role of ['agent', 'admin']) {
    let url: string | undefined = `${baseUrl}/api/v2/users?role=${role}&page%5Bsize%5D=100`;
    for (let page = 0; url !== undefined; page++) {
      if (page >= MAX_STAFF_PAGES) throw malformed(`more than ${MAX_STAFF_PAGES * 100} users with role ${role}: comments cannot be told apart from the customers'; set reconcileComments to false`);
      const body = await getJson(http, authorization, url);
      if (!Array.isArray(body.users)) throw malformed('List Users answered without a users list');
      for (const u of body.users as Record<string, unknown>[]) if (u !== null && (typeof u.id === 'number' || typeof u.id === 'string')) ids.add(String(u.id));
      const more = (body.meta as { has_more?: unknown } | undefined)?.has_more === true;
      const nextUrl = (body.links as { next?: unknown } | undefined)?.next;
      // Never send the token to another host, whatever a response says.
      url = more && typeof nextUrl === 'string' && URL.canParse(nextUrl) && new URL(nextUrl).origin === new URL(baseUrl).origin ? nextUrl : undefined;
    }
  }
  return ids;
}

/** The ticket's record; undefined for a deleted ticket; why it cannot be one otherwise. */
function recordOf(value: unknown): ListedRecord | string | undefined {
  if (value === null || typeof value !== 'object') return 'a ticket that is not a JSON object';
  const t = value as Record<string, unknown>;
  const status = typeof t.status === 'string' ? t.status.toLowerCase() : '';
  // Deleted tickets are exported too (status "deleted"): nothing to process.
  if (status === 'deleted') return undefined;
  const id = typeof t.id === 'number' || typeof t.id === 'string' ? String(t.id) : undefined;
  // The same check as a webhook's ticket id at ingest (lib/ticket-id.ts).
  if (id === undefined || !isValidTicketId('zendesk', id)) return `a ticket with an invalid id ${JSON.stringify(t.id ?? null).slice(0, 40)} (expected ${ticketIdFormat('zendesk').expected})`;
  const createdAtMs = Date.parse(String(t.created_at ?? ''));
  const updatedAtMs = Date.parse(String(t.updated_at ?? ''));
  if (Number.isNaN(createdAtMs) || Number.isNaN(updatedAtMs)) return `ticket ${id} has no valid created_at / updated_at`;
  const via = (t.via as Record<string, unknown> | null | undefined)?.channel;
  const payload = {
    source: 'reconcile',
    ticket: {
      id,
      subject: t.subject ?? t.raw_subject ?? '',
      description: t.description ?? '',
      requester_id: t.requester_id === undefined || t.requester_id === null ? '' : String(t.requester_id),
      assignee_id: t.assignee_id === undefined || t.assignee_id === null ? '' : String(t.assignee_id),
      status,
      priority: t.priority ?? undefined,
      tags: Array.isArray(t.tags) ? t.tags : [],
      via: typeof via === 'string' ? via : undefined,
    },
  };
  const events: ListedEvent[] = [{ eventType: 'ticket.created', ticketId: id, identity: `ticket.created:${id}`, payload }];
  const resolved = RESOLVED_STATUSES.has(status);
  if (resolved) events.push({ eventType: 'ticket.resolved', ticketId: id, identity: `ticket.resolved:${id}`, payload });
  return { ticketId: id, createdAtMs, updatedAtMs, open: !resolved, events };
}

async function getJson(http: HttpClient, authorization: string, url: string): Promise<Record<string, unknown>> {
  const response = await http.request({ service: 'zendesk', method: 'GET', url, headers: { authorization }, timeoutMs: ZENDESK_TIMEOUT_MS });
  try {
    const parsed: unknown = JSON.parse(response.body);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw malformed('the incremental export answered a body that is not a JSON object');
}

function malformed(message: string): UpstreamError {
  return new UpstreamError({ service: 'zendesk', reason: 'invalid_response', retryable: true }, `zendesk: ${message}`);
}
