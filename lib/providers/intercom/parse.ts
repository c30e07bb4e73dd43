/**
 * Intercom notifications → events. One notification carries one item (no batching); the topic
 * names the event (helpdesks.md §3.1). `ping` (sent when a subscription is saved) and topics the
 * bridge does not process answer 200, so Intercom neither retries nor pauses the subscription.
 */
import { BadRequestError, UnprocessableEventError } from '../../errors.ts';
import { shown } from '../../log-safe.ts';
import { firstString, withOverrides, type FieldMap } from '../../mapping.ts';
import { own } from '../../own.ts';
import { sha256 } from '../../verify-hmac.ts';
import { isBridgeNote } from '../../write-back-summary.ts';
import { parseJsonBody } from '../parse-json-body.ts';
import type { EventType, ParseResult, ProviderSettings, WebhookRequest } from '../types.ts';
import { subjectItem } from './item.ts';
import { latestCustomerPart, latestPart } from './parts.ts';

/** What a queued Intercom event carries: the notification's item and what identifies it. */
export interface IntercomPayload {
  readonly topic: string;
  readonly notificationId: string | undefined;
  /** `conversation` or `ticket`: which API paths write back. */
  readonly object: IntercomObject;
  readonly item: Readonly<Record<string, unknown>>;
}

export type IntercomObject = 'conversation' | 'ticket';

/**
 * Topic → normalized event. A function decides when the topic alone is not enough (a ticket state
 * change is a resolution only when the new state's category is `resolved`). Every other topic —
 * admin replies and notes (including the bridge's own), assignments, tag changes (the bridge's own
 * tagging echoes as `conversation_part.tag.created`), priority changes — is ignored.
 */
const TOPICS: Readonly<Record<string, EventType | ((item: unknown) => EventType | undefined)>> = {
  'conversation.user.created': 'ticket.created',
  'conversation.user.replied': 'message.created',
  'conversation.admin.closed': 'ticket.resolved',
  'ticket.created': 'ticket.created',
  'ticket.contact.replied': 'message.created',
  // Ticket states have a category: submitted, in_progress, waiting_on_customer, resolved. Older
  // payloads carry the category as a plain string in `ticket_state`.
  'ticket.state.updated': resolvedTicket,
  // Sent with the ticket in its resolved state (zulip/zulip …/intercom/fixtures/ticket_closed.json).
  // It can come with a ticket.state.updated for the same close: both map to one identity below.
  'ticket.closed': resolvedTicket,
  // ticket.admin.replied, ticket.note.created (a ticket_ticket_part, see item.ts),
  // ticket.admin/team.assigned, ticket.attribute.updated, ticket.contact.attached/detached and
  // ticket.deleted are not processed.
};

function resolvedTicket(item: unknown): EventType | undefined {
  return firstString(item, ['ticket_state.category', 'ticket_state'])?.toLowerCase() === 'resolved' ? 'ticket.resolved' : undefined;
}

export type IntercomField = 'ticketId';

/** Where the ticket id lives; overridable with `fieldMap` like every mapping. */
export const INTERCOM_ID_FIELDS: FieldMap<IntercomField> = {
  // `id` is what the REST API takes; a ticket's `ticket_id` is the number shown in the Inbox
  // ("Not the Inbox ticket ID", Intercom "Reply to a ticket" reference), so it is not used.
  ticketId: ['id'],
};

/** Splits (one event at most), identifies and filters a notification. */
export function parseIntercom(request: WebhookRequest, settings: ProviderSettings): ParseResult {
  const body = parseJsonBody(request);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequestError('not_an_object', 'the body is not an Intercom notification (a JSON object)');
  }
  const topic = firstString(body, ['topic']);
  if (topic === undefined) throw new BadRequestError('missing_topic', 'the notification has no "topic"');
  if (topic === 'ping') return { kind: 'ignored', reason: 'ping' };

  const raw = (body as { data?: { item?: unknown } }).data?.item;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new BadRequestError('missing_item', `the ${shown(topic)} notification has no data.item object`);
  }
  // A ticket_ticket_part (ticket reply and note topics) is read as its ticket.
  const item = subjectItem(raw as Record<string, unknown>);
  const latest = latestPart(item);
  if (latest !== undefined && isBridgeNote(latest.html)) {
    return { kind: 'ignored', reason: `${shown(topic)} of the bridge’s own note` };
  }
  const rule = own(TOPICS, topic);
  const eventType = typeof rule === 'function' ? rule(item) : rule;
  if (eventType === undefined) return { kind: 'ignored', reason: `topic ${shown(topic)} is not processed` };

  const fields = withOverrides(INTERCOM_ID_FIELDS, settings.fieldMap);
  const ticketId = firstString(item, fields.ticketId);
  if (ticketId === undefined) {
    throw new UnprocessableEventError('missing_ticket_id', `the ${shown(topic)} item has no id (looked at ${fields.ticketId.join(', ')})`);
  }
  if (eventType === 'message.created' && latestCustomerPart(item) === undefined) {
    return { kind: 'ignored', reason: `${shown(topic)} carries no customer message` };
  }
  const notificationId = firstString(body, ['id']);
  const object: IntercomObject = firstString(item, ['type']) === 'ticket' || topic.startsWith('ticket.') ? 'ticket' : 'conversation';
  const payload: IntercomPayload = { topic, notificationId, object, item };
  // The notification's `created_at` (epoch seconds; kept across resends, helpdesks.md §3.1) is
  // signed with the body: a replay carries its original time.
  const createdAt = (body as { created_at?: unknown }).created_at ?? (body as { first_sent_at?: unknown }).first_sent_at;
  const occurredAtMs = typeof createdAt === 'number' && Number.isFinite(createdAt) && createdAt > 0 ? createdAt * 1000 : undefined;
  return { kind: 'events', events: [{ eventType, ticketId, identity: identityOf(eventType, ticketId, payload), payload, occurredAtMs }] };
}

/**
 * The Ledger key, derivable from the API record as well (reconciliation, list.ts):
 * - a creation is keyed by the conversation/ticket id, so any second notification of it (another
 *   subscription, a replay) is a duplicate;
 * - a resolution by the conversation/ticket id too: the notification id (`notif_…`) exists only in
 *   the webhook, and a search result cannot reproduce it. One close notifying both ticket.closed and
 *   ticket.state.updated is one event. A conversation closed, reopened and closed again within the
 *   Ledger's TTL gets QA once (README, "Reconciliation"), as on Zendesk and Freshdesk;
 * - a customer reply by the notification `id`, which Intercom keeps across resends while
 *   `delivery_attempts`, `delivered_at` and so the bytes and signature change (helpdesks.md §3.3);
 *   without one, the newest customer part's id, then a hash of the item (never of the envelope,
 *   whose delivery fields change on every attempt).
 */
function identityOf(eventType: EventType, ticketId: string, payload: IntercomPayload): string {
  if (eventType === 'ticket.created' || eventType === 'ticket.resolved') return intercomTicketIdentity(eventType, ticketId);
  const id = payload.notificationId ?? latestCustomerPart(payload.item)?.id ?? sha256(JSON.stringify(payload.item)).toString('hex').slice(0, 32);
  return `${eventType}:${ticketId}:${id}`;
}

/** `ticket.created:{id}` / `ticket.resolved:{id}`: the identity both the webhook and the listing give. */
export function intercomTicketIdentity(eventType: 'ticket.created' | 'ticket.resolved', ticketId: string): string {
  return `${eventType}:${ticketId}`;
}
