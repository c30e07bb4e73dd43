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
 * Customer comments are not recovered: the export does not carry them (one more request per
 * ticket, against a 10-per-minute limit).
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
import { invalidCursor } from '../../reconcile/cursor.ts';
import type { HelpdeskLister, ListedEvent, ListedRecord } from '../../reconcile/types.ts';
import { isValidTicketId, ticketIdFormat } from '../../ticket-id.ts';
import { ZENDESK_TIMEOUT_MS } from './api.ts';
import { RESOLVED_STATUSES } from './fields.ts';
import { zendeskSettings } from './settings.ts';

/** Zendesk's maximum page size for the export. */
export const ZENDESK_EXPORT_PAGE_SIZE = 1000;
/** "items that were created or changed within the minute prior to your request are excluded". */
export const ZENDESK_EXPORT_SETTLE_MS = 60_000;

export const zendeskLister: HelpdeskLister = {
  provider: 'zendesk',
  settleMs: ZENDESK_EXPORT_SETTLE_MS,
  async listPage(http, settings, query) {
    const api = zendeskSettings(settings);
    const pageSize = typeof settings.exportPageSize === 'number' ? settings.exportPageSize : ZENDESK_EXPORT_PAGE_SIZE;
    const params =
      query.cursor === undefined
        ? `start_time=${Math.max(0, Math.floor(query.sinceMs / 1000))}&per_page=${pageSize}`
        : `cursor=${encodeURIComponent(query.cursor)}&per_page=${pageSize}`;
    if (query.cursor !== undefined && query.cursor.trim() === '') throw invalidCursor('zendesk', 'is empty');
    const body = await getJson(http, api.authorization, `${api.baseUrl}/api/v2/incremental/tickets/cursor?${params}`).catch((error: unknown) => {
      // A cursor Zendesk does not know (truncated, from another account) is refused as a bad request.
      if (query.cursor !== undefined && error instanceof UpstreamError && (error.status === 400 || error.status === 422)) {
        throw invalidCursor('zendesk', `was refused by Zendesk (${error.status})`, error);
      }
      throw error;
    });
    if (!Array.isArray(body.tickets)) throw malformed('the incremental export answered without a tickets list');
    const records: ListedRecord[] = [];
    const rejected: string[] = [];
    for (const t of body.tickets as unknown[]) {
      const record = recordOf(t);
      if (typeof record === 'string') rejected.push(record);
      else if (record !== undefined) records.push(record);
    }
    const after = typeof body.after_cursor === 'string' && body.after_cursor !== '' ? body.after_cursor : undefined;
    if (body.end_of_stream !== true && after === undefined) throw malformed('the incremental export is not at its end but gave no after_cursor');
    return { records, next: body.end_of_stream === true ? undefined : after, rejected };
  },
};

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
