/**
 * Zendesk bodies → business events with a stable identity. Two shapes arrive:
 * - event subscriptions (`type: "zen:event-type:ticket.created"`, …): the event names itself and
 *   carries an event `id`;
 * - trigger / automation webhooks: a body the admin templated, posted to
 *   `/webhooks/zendesk/{ticket-created|message-created|ticket-resolved}` (or naming `"event"`).
 * Anything else, and every update the bridge itself causes, is ignored with a reason (HTTP 200).
 */
import { BadRequestError, UnprocessableEventError } from '../../errors.ts';
import { shown } from '../../log-safe.ts';
import { at, firstString, type FieldMap } from '../../mapping.ts';
import { own } from '../../own.ts';
import { sha256 } from '../../verify-hmac.ts';
import { isBridgeNote, NOTE_MARKER } from '../../write-back-summary.ts';
import { bodyText, parseJsonBody } from '../parse-json-body.ts';
import type { EventType, ParseResult, ProviderSettings, WebhookRequest } from '../types.ts';
import { eventFields, isEventSubscription, RESOLVED_STATUSES, triggerFields, type ZendeskField } from './fields.ts';

const EVENT_PREFIX = 'zen:event-type:';

/** `"event"` values a trigger template may carry when it posts to `/webhooks/zendesk`. */
const TRIGGER_EVENT_ALIASES: Readonly<Record<string, EventType>> = {
  'ticket.created': 'ticket.created',
  'message.created': 'message.created',
  'comment.added': 'message.created',
  'ticket.resolved': 'ticket.resolved',
  'ticket.solved': 'ticket.resolved',
};

export function parseZendesk(request: WebhookRequest, settings: ProviderSettings): ParseResult {
  const payload = bodyOf(request);
  return isEventSubscription(payload) ? parseEventSubscription(payload, eventFields(settings)) : parseTrigger(payload, request, triggerFields(settings));
}

function parseEventSubscription(payload: Record<string, unknown>, fields: FieldMap<ZendeskField>): ParseResult {
  const type = String(payload.type).slice(EVENT_PREFIX.length);
  if (!type.startsWith('ticket.')) return { kind: 'ignored', reason: `event ${shown(String(payload.type))} is not about a ticket` };
  const ticketId = firstString(payload, fields.ticketId) ?? ticketIdOfSubject(payload.subject);
  if (ticketId === undefined) {
    throw new UnprocessableEventError('missing_ticket_id', `the ${shown(String(payload.type))} event has no ticket id in detail.id or subject`);
  }
  // The event id names the business event; Zendesk keeps it across the attempts of an invocation.
  const eventId = typeof payload.id === 'string' && payload.id !== '' ? payload.id : contentHash(payload);

  switch (type) {
    case 'ticket.created':
      return one('ticket.created', ticketId, `ticket.created:${ticketId}`, payload);
    case 'ticket.comment_added': {
      const text = firstString(payload, fields.message);
      // The bridge's notes are internal and written by an agent: any one of these three ignores them.
      if (isOwnNote(text)) return { kind: 'ignored', reason: 'the comment is the bridge’s own note' };
      if (at(payload, 'event.comment.is_public') === false) return { kind: 'ignored', reason: 'the comment is an internal note' };
      if (at(payload, 'event.comment.author.is_staff') === true) return { kind: 'ignored', reason: 'the comment is an agent’s, not the customer’s' };
      if (text === undefined || text.trim() === '') return { kind: 'ignored', reason: 'the comment has no text' };
      // A new ticket's first comment is its description, already handled by ticket.created.
      if (text.trim() === firstString(payload, fields.body)?.trim()) {
        return { kind: 'ignored', reason: 'the comment is the ticket’s description (handled by ticket.created)' };
      }
      const commentId = firstString(payload, fields.messageId) ?? eventId;
      return one('message.created', ticketId, `message.created:${ticketId}:${commentId}`, payload);
    }
    case 'ticket.status_changed': {
      const current = statusOf(at(payload, 'event.current'));
      const previous = statusOf(at(payload, 'event.previous'));
      if (!RESOLVED_STATUSES.has(current)) return { kind: 'ignored', reason: `status changed to "${shown(current)}", not a resolution` };
      // Solved → closed is Zendesk closing a solved ticket later: the resolution was already processed.
      if (RESOLVED_STATUSES.has(previous)) return { kind: 'ignored', reason: `status changed from "${shown(previous)}" to "${shown(current)}": already resolved` };
      // Named by the ticket alone, not the event id: reconciliation must reproduce it from the API
      // (lib/providers/zendesk/list.ts). A ticket resolved again within the Ledger's TTL gets no second QA.
      return one('ticket.resolved', ticketId, `ticket.resolved:${ticketId}`, payload);
    }
    default:
      // Tags, priority, custom field and other changes — which is how the bridge's own write-back
      // comes back — start no processing.
      return { kind: 'ignored', reason: `event ${shown(String(payload.type))} is not processed` };
  }
}

function parseTrigger(payload: Record<string, unknown>, request: WebhookRequest, fields: FieldMap<ZendeskField>): ParseResult {
  const named = firstString(payload, fields.eventType);
  const eventType = request.routeEvent ?? (named === undefined ? undefined : own(TRIGGER_EVENT_ALIASES, named.trim().toLowerCase().replace(/[\s_-]+/g, '.')));
  if (eventType === undefined) {
    if (named !== undefined) return { kind: 'ignored', reason: `event "${shown(named)}" is not processed` };
    throw new BadRequestError(
      'missing_event_type',
      'a Zendesk trigger body does not name its event: point the webhook at /webhooks/zendesk/{ticket-created|message-created|ticket-resolved}',
    );
  }
  const ticketId = firstString(payload, fields.ticketId);
  if (ticketId === undefined) {
    throw new UnprocessableEventError('missing_ticket_id', `the trigger body has no ticket id: set one of ${fields.ticketId.join(', ')} (e.g. "{{ticket.id}}")`);
  }
  const message = firstString(payload, fields.message);
  // A trigger that fires on the bridge's own update sees the bridge's note as the latest comment.
  if (isOwnNote(message)) return { kind: 'ignored', reason: 'the latest comment is the bridge’s own note' };
  if (eventType === 'ticket.created') return one(eventType, ticketId, `ticket.created:${ticketId}`, payload);
  // A resolution is the ticket's, as for event subscriptions: reconciliation reproduces it from the API.
  if (eventType === 'ticket.resolved') return one(eventType, ticketId, `ticket.resolved:${ticketId}`, payload);
  // Trigger bodies carry no event id. The comment (its id, else its text) names a reply or a
  // resolution; timestamps are left out so that the bridge's own later updates (which move
  // updated_at) and Zendesk's retries map to the same identity.
  const key = firstString(payload, fields.messageId) ?? contentHash({ eventType, ticketId, message: message ?? '' });
  return one(eventType, ticketId, `${eventType}:${ticketId}:${key}`, payload);
}

function one(eventType: EventType, ticketId: string, identity: string, payload: unknown): ParseResult {
  return { kind: 'events', events: [{ eventType, ticketId, identity, payload }] };
}

/** JSON (what we document), or form-encoded (a trigger webhook's other request format). */
function bodyOf(request: WebhookRequest): Record<string, unknown> {
  const contentType = request.headers['content-type'] ?? '';
  const payload: unknown = contentType.includes('application/x-www-form-urlencoded')
    ? Object.fromEntries(new URLSearchParams(bodyText(request)))
    : parseJsonBody(request);
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new BadRequestError('not_an_object', 'the body must be a JSON object: a Zendesk event, or the documented trigger template');
  }
  return payload as Record<string, unknown>;
}

/** `zen:ticket:35436` → `35436`. */
function ticketIdOfSubject(subject: unknown): string | undefined {
  return typeof subject === 'string' ? /^zen:ticket:(\d+)$/.exec(subject)?.[1] : undefined;
}

function statusOf(value: unknown): string {
  return typeof value === 'string' ? value.trim().toLowerCase() : '';
}

/**
 * The bridge's note, also when a placeholder such as `{{ticket.latest_comment_formatted}}` puts
 * an author/date header above it.
 */
export function isOwnNote(text: string | undefined): boolean {
  if (text === undefined) return false;
  return isBridgeNote(text) || text.split('\n').some((line) => line.trim().startsWith(NOTE_MARKER));
}

function contentHash(value: unknown): string {
  return sha256(JSON.stringify(value)).toString('hex').slice(0, 32);
}
