/**
 * Intercom's listing for reconciliation and backfill: Search conversations, then Search tickets
 * (`POST /conversations/search`, `POST /tickets/search`; Intercom OpenAPI 2.11
 * `searchConversations` / `searchTickets`, ../shared/specs/helpdesks/intercom/api.intercom.io-2.11.yaml):
 *
 *   {"query": {"operator": "AND", "value": [{"field": "updated_at", "operator": ">", "value": <unix s>}]},
 *    "pagination": {"per_page": 150, "starting_after": <pages.next.starting_after>}}
 *
 * - `updated_at` is a date field: the file allows only `=`, `<` and `>` on dates, so "changed at or
 *   after sinceMs" is `> floor(sinceMs / 1000) - 1` (timestamps are whole seconds);
 * - "The default is `20` results per page and maximum is `150`" (searchConversations); the ticket
 *   search states no maximum, so 150 is used for both;
 * - the next page is `pages.next.starting_after` of the answer; none means the listing's end;
 * - the 2.11 search request has no sort (`search_request` holds only `query` and `pagination`), so
 *   the order is Intercom's: the watermark advances only when a pass has read the whole listing
 *   (lib/reconcile/pass.ts), and the overlap window covers what the search index had not yet seen;
 * - 429 comes with `X-RateLimit-Limit`, `-Remaining` and `-Reset` (Unix time; helpdesks.md §3.4,
 *   https://developers.intercom.com/docs/references/rest-api/errors/rate-limiting), which
 *   lib/http.ts waits for, as for the write-backs.
 * The cursor is `{"object": "conversations" | "tickets", "after"?: …}`: conversations first, then tickets.
 *
 * Identity, the same as parse.ts gives the notifications (README, "Reconciliation"):
 * - `ticket.created:{id}` for a conversation a contact started (what `conversation.user.created`
 *   notifies; `source.author.type` user, lead or contact) and for every ticket (`ticket.created`);
 * - `ticket.resolved:{id}` for a conversation whose `state` is `closed` (`conversation.admin.closed`)
 *   and a ticket whose state category is `resolved` (`ticket.state.updated`, `ticket.closed`).
 * `{id}` is read with the same field map as the webhook's (`fieldMap.ticketId`, default `id`).
 * Customer replies are not recovered: a search result carries no conversation parts.
 *
 * The queued payload is the IntercomPayload normalize.ts reads: the API object as `item` (the
 * notifications' item is the same model), the topic its webhook would have had, no notification id.
 */
import { PermanentEventError, UpstreamError } from '../../errors.ts';
import { firstString, withOverrides } from '../../mapping.ts';
import { listSetting, type HelpdeskLister, type ListedEvent, type ListedRecord, type ListQuery } from '../../reconcile/types.ts';
import type { ProviderSettings } from '../types.ts';
import { INTERCOM_ID_FIELDS, intercomTicketIdentity, type IntercomObject, type IntercomPayload } from './parse.ts';
import { roleOf } from './parts.ts';
import { intercomBaseUrl, intercomHeaders, optionalAccessToken } from './settings.ts';

/** searchConversations: "maximum is `150`". */
export const INTERCOM_SEARCH_PAGE_SIZE = 150;
const TIMEOUT_MS = 10_000;

type Collection = 'conversations' | 'tickets';

interface IntercomCursor {
  readonly object: Collection;
  readonly after?: string | undefined;
}

export const intercomLister: HelpdeskLister = {
  provider: 'intercom',
  async listPage(http, settings, query) {
    const token = optionalAccessToken(settings);
    if (token === undefined) {
      throw new PermanentEventError('invalid_setting_accessToken', 'HELPDESK_CONFIG.intercom.accessToken is missing: reconciliation searches the REST API with the access token of your Intercom app');
    }
    const perPage = listSetting(settings, 'searchPageSize', INTERCOM_SEARCH_PAGE_SIZE);
    const at = cursorOf(query);
    const body = {
      query: { operator: 'AND', value: [{ field: 'updated_at', operator: '>', value: Math.max(0, Math.floor(query.sinceMs / 1000) - 1) }] },
      pagination: { per_page: perPage, ...(at.after === undefined ? {} : { starting_after: at.after }) },
    };
    const response = await http.request({
      service: 'intercom',
      method: 'POST',
      url: `${intercomBaseUrl(settings)}/${at.object}/search`,
      headers: intercomHeaders(token),
      json: body,
      timeoutMs: TIMEOUT_MS,
    });
    const answer = jsonObject(response.body, at.object);
    const items = answer[at.object];
    if (!Array.isArray(items)) throw malformed(`POST /${at.object}/search answered without a ${at.object} list`);
    const object: IntercomObject = at.object === 'tickets' ? 'ticket' : 'conversation';
    const records = (items as unknown[]).flatMap((item) => recordOf(item, object, settings));
    const after = firstString(answer, ['pages.next.starting_after']);
    if (after !== undefined && after !== '') return { records, next: JSON.stringify({ object: at.object, after } satisfies IntercomCursor) };
    return { records, next: at.object === 'conversations' ? JSON.stringify({ object: 'tickets' } satisfies IntercomCursor) : undefined };
  },
};

function cursorOf(query: ListQuery): IntercomCursor {
  if (query.cursor === undefined) return { object: 'conversations' };
  let parsed: Partial<IntercomCursor> | undefined;
  try {
    parsed = JSON.parse(query.cursor) as Partial<IntercomCursor>;
  } catch {
    parsed = undefined;
  }
  if ((parsed?.object === 'conversations' || parsed?.object === 'tickets') && (parsed.after === undefined || typeof parsed.after === 'string')) {
    return { object: parsed.object, after: parsed.after };
  }
  throw new PermanentEventError('invalid_reconcile_cursor', `the stored Intercom cursor ${JSON.stringify(query.cursor).slice(0, 80)} is not one this bridge wrote: run the pass with --since to start afresh`);
}

/** The events of one conversation or ticket, identified as parse.ts identifies its notifications. */
export function recordOf(value: unknown, object: IntercomObject, settings: ProviderSettings): ListedRecord[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const item = value as Readonly<Record<string, unknown>>;
  const ticketId = firstString(item, withOverrides(INTERCOM_ID_FIELDS, settings.fieldMap).ticketId);
  const createdAt = item.created_at;
  const updatedAt = item.updated_at;
  if (ticketId === undefined || typeof createdAt !== 'number' || typeof updatedAt !== 'number') return [];
  const isTicket = object === 'ticket';
  const state = (isTicket ? firstString(item, ['ticket_state.category', 'ticket_state']) : firstString(item, ['state']))?.toLowerCase();
  const resolved = isTicket ? state === 'resolved' : state === 'closed';
  // conversation.user.created is sent for conversations a contact starts; ticket.created for every ticket.
  const byContact = roleOf(firstString(item, ['source.author.type', 'conversation_message.author.type']) ?? 'user') === 'customer';
  const event = (eventType: 'ticket.created' | 'ticket.resolved', topic: string): ListedEvent => {
    const payload: IntercomPayload & { source: string } = { source: 'reconcile', topic, notificationId: undefined, object, item };
    return { eventType, ticketId, identity: intercomTicketIdentity(eventType, ticketId), payload };
  };
  const events: ListedEvent[] = [];
  if (isTicket || byContact) events.push(event('ticket.created', isTicket ? 'ticket.created' : 'conversation.user.created'));
  if (resolved) events.push(event('ticket.resolved', isTicket ? 'ticket.state.updated' : 'conversation.admin.closed'));
  return [{ ticketId, createdAtMs: createdAt * 1000, updatedAtMs: updatedAt * 1000, open: !resolved, events }];
}

function jsonObject(text: string, object: Collection): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw malformed(`POST /${object}/search answered a body that is not a JSON object`);
}

function malformed(message: string): UpstreamError {
  return new UpstreamError({ service: 'intercom', reason: 'invalid_response', retryable: true }, `intercom: ${message}`);
}
