/**
 * A queued Zendesk event → the normalized model. Field paths are data (fields.ts); what the webhook
 * lacks comes from the API: the ticket when a thin trigger sends only its id, the comments when a
 * resolution needs the conversation for QA.
 */
import { first, firstString, optionalAgent, type FieldMap, plainText } from '../../mapping.ts';
import type { ConversationMessage, NormalizedEvent, ProviderContext, QueuedEvent } from '../types.ts';
import { fetchComments, fetchTicket, type ZendeskApi } from './api.ts';
import { channelOf, eventFields, isEventSubscription, tagsOf, triggerFields, type ZendeskField } from './fields.ts';
import { firstTime } from '../../ordering.ts';
import { isOwnNote } from './parse.ts';
import { zendeskSettings } from './settings.ts';

/** The ticket as the webhook (or the API) describes it. */
interface TicketView {
  subject: string;
  body: string;
  customerId: string;
  channel: string | undefined;
  status: string | undefined;
  priority: string | undefined;
  tags: string[];
}

export async function normalizeZendesk(event: QueuedEvent, { settings, http }: ProviderContext): Promise<NormalizedEvent> {
  const payload = event.payload;
  const shape = isEventSubscription(payload) ? 'event' : 'trigger';
  const fields = shape === 'event' ? eventFields(settings) : triggerFields(settings);
  let ticket = viewOf(payload, fields);
  // A creation is dated by the ticket's creation: a late delivery may carry a newer state.
  const createdAt = event.eventType === 'ticket.created' ? firstTime(payload, shape === 'event' ? ['detail.created_at'] : ['ticket.created_at', 'created_at']) : undefined;
  let occurredAt = createdAt ?? firstTime(payload, shape === 'event' ? EVENT_TIME_PATHS : TRIGGER_TIME_PATHS);
  let api: ZendeskApi | undefined;
  const apiOf = (): ZendeskApi => (api ??= zendeskSettings(settings));

  // A thin trigger (`{"ticket_id": "{{ticket.id}}"}`) says nothing Triage could use: read the ticket.
  if (ticket.subject === '' && ticket.body === '') {
    const fetched = await fetchTicket(http, apiOf(), event.ticketId);
    ticket = viewOf({ ticket: fetched }, API_TICKET_FIELDS);
    // The ticket read now may be newer than the event (solved since): its `updated_at` would date
    // an old event as new. Only a creation's time is known for sure: the ticket's `created_at`.
    if (event.eventType === 'ticket.created') occurredAt ??= firstTime(fetched, ['created_at']);
  }

  const raw = event.eventType === 'message.created' ? firstString(payload, fields.message) : undefined;
  const messageText = raw === undefined ? undefined : plainText(raw);
  let conversation: ConversationMessage[];
  if (event.eventType === 'ticket.resolved' && hasApi(settings)) {
    conversation = await conversationOf(event.ticketId, ticket.customerId, apiOf(), http);
  } else if (event.eventType === 'ticket.resolved') {
    // No API settings (the local stack's dry run): grade what the webhook itself carries.
    const latest = firstString(payload, fields.message);
    conversation = [{ role: 'customer', content: ticket.body }, ...(latest === undefined ? [] : [{ role: 'agent' as const, content: plainText(latest) }])];
  } else {
    conversation = [{ role: 'customer', content: messageText ?? ticket.body }];
  }

  return {
    eventType: event.eventType,
    ticketId: event.ticketId,
    subject: ticket.subject,
    body: ticket.body,
    customerId: ticket.customerId,
    ...optionalAgent(firstString(payload, ['ticket.assignee_id', 'assignee_id', 'detail.assignee_id'])),
    channel: channelOf(ticket.channel),
    messageText,
    ...(occurredAt === undefined ? {} : { occurredAt }),
    conversation: conversation.filter((m) => m.content.trim() !== ''),
    metadata: {
      helpdesk: 'zendesk',
      source: shape,
      ...(ticket.status === undefined ? {} : { status: ticket.status }),
      ...(ticket.priority === undefined ? {} : { priority: ticket.priority }),
      ...(ticket.tags.length === 0 ? {} : { tags: ticket.tags }),
      ...(ticket.channel === undefined ? {} : { via: ticket.channel }),
    },
  } satisfies NormalizedEvent;
}

/**
 * The ticket's time in an event subscription (a creation's is `detail.created_at`): `detail.updated_at` (the ticket state the event
 * carries), else the event's own `time` (helpdesks.md §1.1, "timestamps = detail.created_at /
 * detail.updated_at / top-level time"; https://developer.zendesk.com/api-reference/webhooks/event-types/ticket-events).
 */
const EVENT_TIME_PATHS = ['detail.updated_at', 'time'] as const;
/**
 * A trigger body is templated by the admin: the documented template carries
 * `"updated_at": "{{ticket.updated_at_with_timestamp}}"` and `"created_at":
 * "{{ticket.created_at_with_timestamp}}"` (ISO-8601 to the minute: https://support.zendesk.com/hc/en-us/articles/4408886858138).
 * Without it the event is ordered by the time the bridge received it.
 */
const TRIGGER_TIME_PATHS = ['ticket.updated_at', 'updated_at'] as const;

/** Show Ticket's `ticket` object (https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/). */
const API_TICKET_FIELDS: FieldMap<ZendeskField> = {
  ticketId: ['ticket.id'],
  subject: ['ticket.subject', 'ticket.raw_subject'],
  body: ['ticket.description'],
  customerId: ['ticket.requester_id'],
  channel: ['ticket.via.channel'],
  status: ['ticket.status'],
  priority: ['ticket.priority'],
  tags: ['ticket.tags'],
  message: [],
  messageId: [],
  eventType: [],
};

function viewOf(payload: unknown, fields: FieldMap<ZendeskField>): TicketView {
  return {
    subject: firstString(payload, fields.subject) ?? '',
    body: plainText(firstString(payload, fields.body) ?? ''),
    customerId: firstString(payload, fields.customerId) ?? '',
    channel: firstString(payload, fields.channel),
    status: firstString(payload, fields.status),
    priority: firstString(payload, fields.priority),
    tags: tagsOf(first(payload, fields.tags)),
  };
}


/**
 * The public thread, oldest first. Internal notes (the bridge's among them) are not part of the
 * conversation QA grades. The requester is the customer; when the webhook did not name the
 * requester by id, the author of the first comment (the ticket's description) is.
 */
async function conversationOf(ticketId: string, customerId: string, api: ZendeskApi, http: ProviderContext['http']): Promise<ConversationMessage[]> {
  const comments = await fetchComments(http, api, ticketId);
  const requesterId = /^\d+$/.test(customerId) ? customerId : (comments[0]?.authorId ?? '');
  return comments
    .filter((c) => c.isPublic && !isOwnNote(c.text))
    .map((c) => ({ role: c.authorId === requesterId ? ('customer' as const) : ('agent' as const), content: c.text.trim() }));
}

function hasApi(settings: ProviderContext['settings']): boolean {
  return typeof settings.subdomain === 'string' || typeof settings.baseUrl === 'string';
}
