/**
 * HubSpot's listing for reconciliation and backfill: Search for tickets,
 * `POST /crm/v3/objects/tickets/search` (crm-tickets-v3.json `post-/crm/v3/objects/tickets/search_doSearch`;
 * the CRM search guide https://developers.hubspot.com/docs/guides/api/crm/search):
 *
 *   {"filterGroups": [{"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": "<epoch ms>"}]}],
 *    "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
 *    "properties": [...], "limit": 200, "after": "0"}
 *
 * - `limit` is "up to 200 objects"; date filters take epoch milliseconds (the guide);
 * - `sorts` is an array of `{propertyName, direction}` objects as the guide documents ("Sort search
 *   results"); the OpenAPI file types its items as strings, a defect of the file
 *   (test/support/helpdesk-contracts.ts, exception 5);
 * - the file marks `after` required, so the first page sends `"0"` (the offset of the first result);
 * - a query returns at most 10,000 results: "paging beyond 10,000 will result in a 400 error" (the
 *   guide). So paging is by key, not offset: after every page the next query starts again at the
 *   page's last `hs_lastmodifieddate` (GTE), `after` "0". Offsets shift when a ticket on an unread
 *   page changes during the pass (it moves to the end, pulling another onto a page already read), and
 *   the window would end a long backfill; a new query from the last key has neither problem. The
 *   tickets sharing that millisecond are listed twice and the pass drops the repeats. Only a page
 *   whose tickets all share one millisecond moves on with `after` = the next offset (within 10,000);
 * - the search endpoints are limited to a few requests per second; over it HubSpot answers 429
 *   (helpdesks.md §5.4), waited out by lib/http.ts with its headers, as for the write-backs.
 *
 * Identity, the same as parse.ts gives the webhooks (README, "Reconciliation"):
 * - `ticket.created:{id}` for every ticket (`ticket.creation`, `object.creation` 0-5);
 * - `ticket.resolved:{id}` for a ticket whose `hs_pipeline_stage` is one of `closedStageIds`, the
 *   setting parse.ts applies to the `hs_pipeline_stage` property changes.
 * Chat messages are not recovered (another API per thread).
 *
 * The queued payload is notification-shaped, as normalize.ts reads it (it fetches the ticket by id):
 * `{source: "reconcile", objectId, subscriptionType, occurredAt}`, occurredAt being the creation
 * time, or for a resolution `closed_date` (HubSpot's default "Close date" ticket property), else the
 * last change.
 */
import { PermanentEventError, UpstreamError } from '../../errors.ts';
import { listSetting, type HelpdeskLister, type ListedEvent, type ListedRecord, type ListQuery } from '../../reconcile/types.ts';
import { createHubSpotApi } from './api.ts';
import { hubspotTicketIdentity, STAGE_PROPERTY } from './parse.ts';
import { readSettings, requireAuth, type HubSpotSettings } from './settings.ts';

/** "The maximum results to return, up to 200 objects" (PublicObjectSearchRequest.limit). */
export const HUBSPOT_SEARCH_PAGE_SIZE = 200;
/** The most results one search query pages through. */
export const HUBSPOT_SEARCH_WINDOW = 10_000;
export const MODIFIED_PROPERTY = 'hs_lastmodifieddate';
const PROPERTIES = [MODIFIED_PROPERTY, 'createdate', STAGE_PROPERTY, 'hs_pipeline', 'closed_date'];

interface HubSpotCursor {
  /** Epoch ms: the query's GTE bound. */
  readonly since: number;
  /** The offset inside that query (only when a whole page shared one millisecond). */
  readonly after: number;
}

export const hubspotLister: HelpdeskLister = {
  provider: 'hubspot',
  async listPage(http, raw, query) {
    const settings = readSettings(raw);
    const limit = listSetting(raw, 'searchPageSize', HUBSPOT_SEARCH_PAGE_SIZE);
    const window = listSetting(raw, 'searchWindow', HUBSPOT_SEARCH_WINDOW);
    const at = cursorOf(query);
    const api = createHubSpotApi(http, settings.baseUrl, requireAuth(settings));
    const answer = await api.send('POST', '/crm/v3/objects/tickets/search', {
      filterGroups: [{ filters: [{ propertyName: MODIFIED_PROPERTY, operator: 'GTE', value: String(at.since) }] }],
      sorts: [{ propertyName: MODIFIED_PROPERTY, direction: 'ASCENDING' }],
      properties: PROPERTIES,
      limit,
      after: String(at.after),
    });
    const results = (answer as { results?: unknown } | undefined)?.results;
    if (!Array.isArray(results)) throw malformed('the ticket search answered without a results list');
    const records = (results as unknown[]).flatMap((r) => recordOf(r, settings));
    const hasMore = typeof (answer as { paging?: { next?: { after?: unknown } } }).paging?.next?.after === 'string';
    if (!hasMore) return { records, next: undefined };
    const lastResult = (results as { properties?: Record<string, unknown>; updatedAt?: unknown }[]).at(-1);
    const last = Date.parse(String(lastResult?.properties?.[MODIFIED_PROPERTY] ?? lastResult?.updatedAt ?? ''));
    if (!Number.isNaN(last) && last > at.since) return { records, next: JSON.stringify({ since: last, after: 0 } satisfies HubSpotCursor) };
    // The whole page shares one millisecond: page on inside this query.
    const after = at.after + results.length;
    if (after + limit > window) {
      throw new UpstreamError(
        { service: 'hubspot', reason: 'search_window', retryable: false },
        `hubspot: more than ${window} tickets share hs_lastmodifieddate ${new Date(at.since).toISOString()}, beyond what one search can page through: list them with a narrower query`,
      );
    }
    return { records, next: JSON.stringify({ since: at.since, after } satisfies HubSpotCursor) };
  },
};

function cursorOf(query: ListQuery): HubSpotCursor {
  if (query.cursor === undefined) return { since: Math.max(0, Math.floor(query.sinceMs)), after: 0 };
  let parsed: Partial<HubSpotCursor> | undefined;
  try {
    parsed = JSON.parse(query.cursor) as Partial<HubSpotCursor>;
  } catch {
    parsed = undefined;
  }
  if (Number.isSafeInteger(parsed?.since) && Number.isSafeInteger(parsed?.after)) return { since: parsed?.since ?? 0, after: parsed?.after ?? 0 };
  throw new PermanentEventError('invalid_reconcile_cursor', `the stored HubSpot cursor ${JSON.stringify(query.cursor).slice(0, 80)} is not one this bridge wrote: run the pass with --since to start afresh`);
}

/** The events of one ticket of the search, identified as parse.ts identifies its notifications. */
export function recordOf(value: unknown, settings: HubSpotSettings): ListedRecord[] {
  if (value === null || typeof value !== 'object') return [];
  const t = value as { id?: unknown; createdAt?: unknown; updatedAt?: unknown; archived?: unknown; properties?: Record<string, unknown> };
  const id = typeof t.id === 'string' && t.id.trim() !== '' ? t.id.trim() : undefined;
  const props = t.properties ?? {};
  const createdAtMs = Date.parse(String(t.createdAt ?? props.createdate ?? ''));
  const updatedAtMs = Date.parse(String(props[MODIFIED_PROPERTY] ?? t.updatedAt ?? ''));
  if (id === undefined || t.archived === true || Number.isNaN(createdAtMs) || Number.isNaN(updatedAtMs)) return [];
  const stage = typeof props[STAGE_PROPERTY] === 'string' ? (props[STAGE_PROPERTY] as string) : '';
  const resolved = settings.closedStageIds.includes(stage);
  const closedAtMs = Date.parse(String(props.closed_date ?? ''));
  const event = (eventType: 'ticket.created' | 'ticket.resolved', occurredAt: number): ListedEvent => ({
    eventType,
    ticketId: id,
    identity: hubspotTicketIdentity(eventType, id),
    payload: {
      source: 'reconcile',
      objectId: id,
      subscriptionType: eventType === 'ticket.created' ? 'ticket.creation' : 'ticket.propertyChange',
      ...(eventType === 'ticket.resolved' ? { propertyName: STAGE_PROPERTY, propertyValue: stage } : {}),
      occurredAt,
    },
  });
  const events = [event('ticket.created', createdAtMs)];
  if (resolved) events.push(event('ticket.resolved', Number.isNaN(closedAtMs) ? updatedAtMs : closedAtMs));
  return [{ ticketId: id, createdAtMs, updatedAtMs, open: !resolved, events }];
}

function malformed(message: string): UpstreamError {
  return new UpstreamError({ service: 'hubspot', reason: 'invalid_response', retryable: true }, `hubspot: ${message}`);
}
