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
 * The queued payload is `{ticket: {id, subject, description_text, requester_id, responder_id,
 * status, priority, source, tags}}`, which fields.ts reads (`ticket.*`).
 */
import { UpstreamError } from '../../errors.ts';
import type { HelpdeskLister, ListedEvent, ListedRecord, ListQuery } from '../../reconcile/types.ts';
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
    const pageSize = typeof settings.listPageSize === 'number' ? settings.listPageSize : FRESHDESK_PAGE_SIZE;
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
    const records = (body as unknown[]).flatMap(recordOf);
    if (body.length < pageSize) return { records, next: undefined };
    const last = (body as Record<string, unknown>[]).at(-1)?.updated_at;
    const lastIso = typeof last === 'string' && !Number.isNaN(Date.parse(last)) ? isoSeconds(Date.parse(last)) : undefined;
    const next: FreshdeskCursor =
      lastIso !== undefined && Date.parse(lastIso) > Date.parse(at.since) ? { since: lastIso, page: 1 } : { since: at.since, page: at.page + 1 };
    return { records, next: JSON.stringify(next) };
  },
};

function cursorOf(query: ListQuery): FreshdeskCursor {
  if (query.cursor !== undefined) {
    const parsed = JSON.parse(query.cursor) as Partial<FreshdeskCursor>;
    if (typeof parsed.since === 'string' && typeof parsed.page === 'number') return { since: parsed.since, page: parsed.page };
  }
  // Freshdesk takes the time to the second, in UTC.
  return { since: isoSeconds(query.sinceMs), page: 1 };
}

/** `updated_since` is `YYYY-MM-DDTHH:MM:SSZ` (UTC, to the second). */
function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function recordOf(value: unknown): ListedRecord[] {
  if (value === null || typeof value !== 'object') return [];
  const t = value as Record<string, unknown>;
  const id = typeof t.id === 'number' || (typeof t.id === 'string' && t.id !== '') ? String(t.id) : undefined;
  const createdAtMs = Date.parse(String(t.created_at ?? ''));
  const updatedAtMs = Date.parse(String(t.updated_at ?? ''));
  if (id === undefined || Number.isNaN(createdAtMs) || Number.isNaN(updatedAtMs) || t.deleted === true || t.spam === true) return [];
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
  return [{ ticketId: id, createdAtMs, updatedAtMs, open: !resolved, events }];
}
