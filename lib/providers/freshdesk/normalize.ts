/**
 * A queued Freshdesk event → the normalized model. Field paths are data (fields.ts); what the
 * webhook lacks comes from the API: the ticket when the rule sends only its id, the conversations
 * when a resolution needs the thread for QA.
 */
import { first, firstString, optionalAgent, type FieldMap, plainText } from '../../mapping.ts';
import type { ConversationMessage, NormalizedEvent, ProviderContext, QueuedEvent } from '../types.ts';
import { fetchConversations, fetchTicket, type FreshdeskApi } from './api.ts';
import { channelOf, freshdeskFields, FRESHDESK_PRIORITY_LABELS, FRESHDESK_STATUSES, labelOf, tagsOf, unwrap, type FreshdeskField } from './fields.ts';
import { isOwnNote } from './parse.ts';
import { freshdeskSettings } from './settings.ts';

interface TicketView {
  subject: string;
  body: string;
  customerId: string;
  source: string | undefined;
  status: string | undefined;
  priority: string | undefined;
  tags: string[];
}

/** View Ticket's object (https://developers.freshdesk.com/api/#view_a_ticket). */
const API_TICKET_FIELDS: FieldMap<FreshdeskField> = {
  ticketId: ['id'],
  subject: ['subject'],
  body: ['description_text', 'description'],
  customerId: ['requester_id', 'email'],
  channel: ['source'],
  status: ['status'],
  priority: ['priority'],
  tags: ['tags'],
  message: [],
  triggeredEvent: [],
  eventType: [],
};

export async function normalizeFreshdesk(event: QueuedEvent, { settings, http }: ProviderContext): Promise<NormalizedEvent> {
  const fields = freshdeskFields(settings);
  const payload = unwrap(event.payload);
  let ticket = viewOf(payload, fields);
  let api: FreshdeskApi | undefined;
  const apiOf = (): FreshdeskApi => (api ??= freshdeskSettings(settings));

  // Simple mode with only "Ticket ID" ticked says nothing Triage could use: read the ticket.
  if (ticket.subject === '' && ticket.body === '') ticket = viewOf(await fetchTicket(http, apiOf(), event.ticketId), API_TICKET_FIELDS);

  const raw = event.eventType === 'message.created' ? firstString(payload, fields.message) : undefined;
  const messageText = raw === undefined ? undefined : plainText(raw);
  let conversation: ConversationMessage[];
  if (event.eventType === 'ticket.resolved' && !hasApi(settings)) {
    // No API settings (the local stack's dry run, as for Zendesk): grade what the webhook carries,
    // the description and, when the rule sends it, the latest public comment.
    const latest = firstString(payload, fields.message);
    conversation = [{ role: 'customer', content: ticket.body }, ...(latest === undefined || isOwnNote(latest) ? [] : [{ role: 'agent' as const, content: plainText(latest) }])];
  } else if (event.eventType === 'ticket.resolved') {
    // The conversations endpoint leaves out the description, which is the customer's first message.
    const replies = await fetchConversations(http, apiOf(), event.ticketId);
    conversation = [
      { role: 'customer', content: ticket.body },
      ...replies
        .filter((c) => !c.isPrivate && !isOwnNote(c.text))
        .map((c) => ({ role: c.incoming ? ('customer' as const) : ('agent' as const), content: plainText(c.text) })),
    ];
  } else {
    conversation = [{ role: 'customer', content: messageText ?? ticket.body }];
  }

  const status = labelOf(ticket.status, FRESHDESK_STATUSES);
  const priority = labelOf(ticket.priority, FRESHDESK_PRIORITY_LABELS);
  return {
    eventType: event.eventType,
    ticketId: event.ticketId,
    subject: ticket.subject,
    body: ticket.body,
    customerId: ticket.customerId,
    ...optionalAgent(firstString(payload, ['responder_id', 'ticket_responder_id', 'ticket.responder_id'])),
    channel: channelOf(ticket.source),
    messageText,
    conversation: conversation.filter((m) => m.content.trim() !== ''),
    metadata: {
      helpdesk: 'freshdesk',
      ...(status === undefined ? {} : { status }),
      ...(priority === undefined ? {} : { priority }),
      ...(ticket.tags.length === 0 ? {} : { tags: ticket.tags }),
    },
  } satisfies NormalizedEvent;
}

/** Whether HELPDESK_CONFIG.freshdesk names an API at all (a half-filled entry still fails with its reason). */
function hasApi(settings: ProviderContext['settings']): boolean {
  return settings.domain !== undefined || settings.baseUrl !== undefined || settings.apiKey !== undefined;
}

function viewOf(payload: unknown, fields: FieldMap<FreshdeskField>): TicketView {
  return {
    subject: firstString(payload, fields.subject) ?? '',
    body: plainText(firstString(payload, fields.body) ?? ''),
    customerId: firstString(payload, fields.customerId) ?? '',
    source: firstString(payload, fields.channel),
    status: firstString(payload, fields.status),
    priority: firstString(payload, fields.priority),
    tags: tagsOf(first(payload, fields.tags)),
  };
}

