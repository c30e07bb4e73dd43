/**
 * Freshdesk's listing for reconciliation and backfill: List All Tickets,
 * `GET /api/v2/tickets?updated_since={ISO}&order_by=updated_at&order_type=asc&per_page=100&page={n}&include=description`
 * (https://developers.freshdesk.com/api/#list_all_tickets): a JSON array, at most 100 per page;
 * without updated_since only the last 30 days are listed; the page number is capped (300), and
 * 429 comes with Retry-After (helpdesks.md §2, rate limits), which lib/http.ts honours.
 *
 * Paging is by key, not by page number: after a full page the next one starts again at the last
 * ticket's updated_at (page 1). Page numbers shift when a ticket on an unread page is updated
 * during the pass (it moves to the end, pulling a ticket onto the page already read), and the cap
 * would end a long backfill; re-listing from the last updated_at has neither problem. Tickets
 * sharing that second are listed twice; the pass drops the repeats. Only when a whole page shares
 * one updated_at does the cursor move to the next page number.
 *
 * Identity, the same as parse.ts gives the automation webhooks:
 * - `ticket.created:{id}` for every ticket;
 * - `ticket.resolved:{id}` for status 4 (Resolved) or 5 (Closed): the webhook's content hash cannot be
 *   reproduced from the API, so parse.ts names a resolution by its ticket alone too.
 * Replies are not recovered: the list does not carry conversations (one request per ticket).
 *
 * A ticket id must pass the check ingest applies to a webhook's (lib/ticket-id.ts): a record
 * whose id Freshdesk would never issue is reported, not queued; a stored cursor that is not what
 * this file writes is invalid_cursor, with what to do.
 *
 * The queued payload is `{ticket: {id, subject, description_text, requester_id, responder_id,
 * status, priority, source, tags}}`, which fields.ts reads (`ticket.*`).
 */
import { UpstreamError } from '../../errors.ts';
import { cursorObject, invalidCursor } from '../../reconcile/cursor.ts';
import { listSetting, type HelpdeskLister, type ListedEvent, type ListedRecord, type ListQuery } from '../../reconcile/types.ts';
import { isValidTicketId, ticketIdFormat } from '../../ticket-id.ts';
import { FRESHDESK_TIMEOUT_MS } from './api.ts';
import { isResolvedStatus } from './fields.ts';
import { freshdeskSettings } from './settings.ts';

export const FRESHDESK_PAGE_SIZE = 100;

interface FreshdeskCursor {
  readonly since: string;
  readonly page: number;
}

export const freshdeskLister: HelpdeskLister = {
  provider: 'freshdesk',
  async listPage(http, settings, query) {
    const api = freshdeskSettings(settings);
    const pageSize = listSetting(settings, 'listPageSize', FRESHDESK_PAGE_SIZE);
    const at = cursorOf(query);
    const params = new URLSearchParams({
      updated_since: at.since,
      order_by: 'updated_at',
      order_type: 'asc',
      per_page: String(pageSize),
      page: String(at.page),
      include: 'description',
    });
    const url = `${api.baseUrl}/api/v2/tickets?${params.toString()}`;
    const response = await http.request({ service: 'freshdesk', method: 'GET', url, headers: { authorization: api.authorization }, timeoutMs: FRESHDESK_TIMEOUT_MS });
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      body = undefined;
    }
    if (!Array.isArray(body)) throw new UpstreamError({ service: 'freshdesk', reason: 'invalid_response', retryable: true }, 'freshdesk: List All Tickets answered something other than a JSON array');
    const records: ListedRecord[] = [];
    const rejected: string[] = [];
    for (const t of body as unknown[]) {
      const record = recordOf(t);
      if (typeof record === 'string') rejected.push(record);
      else if (record !== undefined) records.push(record);
    }
    if (body.length < pageSize) return { records, next: undefined, rejected };
    const last = (body as Record<string, unknown>[]).at(-1)?.updated_at;
    const lastIso = typeof last === 'string' && !Number.isNaN(Date.parse(last)) ? isoSeconds(Date.parse(last)) : undefined;
    const next: FreshdeskCursor =
      lastIso !== undefined && Date.parse(lastIso) > Date.parse(at.since) ? { since: lastIso, page: 1 } : { since: at.since, page: at.page + 1 };
    return { records, next: JSON.stringify(next), rejected };
  },
};

function cursorOf(query: ListQuery): FreshdeskCursor {
  if (query.cursor !== undefined) {
    const c = cursorObject('freshdesk', query.cursor);
    if (typeof c.since !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(c.since) || Number.isNaN(Date.parse(c.since))) {
      throw invalidCursor('freshdesk', 'has no valid `since` time (YYYY-MM-DDTHH:MM:SSZ)');
    }
    if (typeof c.page !== 'number' || !Number.isSafeInteger(c.page) || c.page < 1) throw invalidCursor('freshdesk', 'has no valid `page` (a whole number ≥ 1)');
    return { since: c.since, page: c.page };
  }
  // Freshdesk takes the time to the second, in UTC.
  return { since: isoSeconds(query.sinceMs), page: 1 };
}

/** `updated_since` is `YYYY-MM-DDTHH:MM:SSZ` (UTC, to the second). */
function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The ticket's record; undefined for a deleted or spam ticket; why it cannot be one otherwise. */
function recordOf(value: unknown): ListedRecord | string | undefined {
  if (value === null || typeof value !== 'object') return 'a ticket that is not a JSON object';
  const t = value as Record<string, unknown>;
  if (t.deleted === true || t.spam === true) return undefined;
  const id = typeof t.id === 'number' || typeof t.id === 'string' ? String(t.id) : undefined;
  // The same check as a webhook's ticket id at ingest (lib/ticket-id.ts).
  if (id === undefined || !isValidTicketId('freshdesk', id)) return `a ticket with an invalid id ${JSON.stringify(t.id ?? null).slice(0, 40)} (expected ${ticketIdFormat('freshdesk').expected})`;
  const createdAtMs = Date.parse(String(t.created_at ?? ''));
  const updatedAtMs = Date.parse(String(t.updated_at ?? ''));
  if (Number.isNaN(createdAtMs) || Number.isNaN(updatedAtMs)) return `ticket ${id} has no valid created_at / updated_at`;
  const text = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
  const status = text(t.status);
  const payload = {
    source: 'reconcile',
    ticket: {
      id,
      subject: t.subject ?? '',
      description_text: t.description_text ?? '',
      requester_id: text(t.requester_id) ?? '',
      responder_id: text(t.responder_id) ?? '',
      status,
      priority: text(t.priority),
      source: text(t.source),
      tags: Array.isArray(t.tags) ? t.tags : [],
    },
  };
  const events: ListedEvent[] = [{ eventType: 'ticket.created', ticketId: id, identity: `ticket.created:${id}`, payload }];
  const resolved = isResolvedStatus(status);
  if (resolved) events.push({ eventType: 'ticket.resolved', ticketId: id, identity: `ticket.resolved:${id}`, payload });
  return { ticketId: id, createdAtMs, updatedAtMs, open: !resolved, events };
}
