/**
 * HubSpot webhooks carry ids only (helpdesks.md §5.1, "Thin payloads"), so every event is enriched
 * here, in the consumer, from the API:
 * - tickets: `GET /crm/v3/objects/tickets/{id}?properties=…&associations=contacts[,emails]`;
 * - the conversation QA needs on resolution: the ticket's `content` (the request) followed by the
 *   emails associated with the ticket, read with `POST /crm/v3/objects/emails/batch/read`
 *   (INCOMING_EMAIL = customer, anything else = agent). Notes are internal and not part of it;
 * - chat/inbox messages (`conversation.newMessage`): the thread (`?association=TICKET` gives the
 *   ticket) and the message from the conversations API.
 * Field paths are data (`HUBSPOT_FIELDS`), overridable with `fieldMap`; properties named there are
 * requested from the API.
 */
import { firstString, optionalAgent, withOverrides, type FieldMap, plainText } from '../../mapping.ts';
import { isBridgeNote } from '../../write-back-summary.ts';
import type { Channel, ConversationMessage, NormalizedEvent, ProviderContext, QueuedEvent } from '../types.ts';
import { createHubSpotApi, type HubSpotApi } from './api.ts';
import { readSettings, requireAccessToken } from './settings.ts';

type HubSpotField = 'subject' | 'body' | 'channel' | 'customerId' | 'priority' | 'stage' | 'pipeline' | 'category' | 'agentId';

/** Paths into the ticket object the CRM API returns. */
export const HUBSPOT_FIELDS: FieldMap<HubSpotField> = {
  subject: ['properties.subject'],
  body: ['properties.content'],
  channel: ['properties.source_type'],
  customerId: ['associations.contacts.results.0.id'],
  priority: ['properties.hs_ticket_priority'],
  stage: ['properties.hs_pipeline_stage'],
  pipeline: ['properties.hs_pipeline'],
  category: ['properties.hs_ticket_category'],
  // The ticket owner (QA's agent_id). Listed here so that the GET asks for it: HubSpot returns only
  // the properties a read names.
  agentId: ['properties.hubspot_owner_id'],
};

/** The most emails read for one QA conversation (one batch-read call). */
export const MAX_CONVERSATION_EMAILS = 100;

/** `source_type` (the ticket's channel; the property name is NOT CONFIRMED, §5.1) → ours. */
const CHANNELS: Readonly<Record<string, Channel>> = {
  EMAIL: 'email',
  CHAT: 'chat',
  PHONE: 'phone',
  FORM: 'web',
  FACEBOOK_MESSENGER: 'social',
  WHATSAPP: 'social',
};

export async function normalizeHubSpot(event: QueuedEvent, { settings: raw, http }: ProviderContext): Promise<NormalizedEvent> {
  const settings = readSettings(raw);
  const api = createHubSpotApi(http, settings.baseUrl, requireAccessToken(settings));
  const fields = withOverrides(HUBSPOT_FIELDS, settings.fieldMap);
  if (event.eventType === 'message.created') return normalizeMessage(event, api);

  const resolved = event.eventType === 'ticket.resolved';
  const ticket = await api.get(ticketPath(event.ticketId, fields, resolved ? ['contacts', 'emails'] : ['contacts']));
  const subject = firstString(ticket, fields.subject) ?? '';
  const body = textOf(firstString(ticket, fields.body));
  const conversation: ConversationMessage[] = body === '' ? [] : [{ role: 'customer', content: body }];
  // An email ticket's content is usually its first email: keep it once.
  if (resolved) conversation.push(...(await emailsOf(api, ticket)).filter((m) => m.content !== body));
  return {
    eventType: event.eventType,
    ticketId: event.ticketId,
    subject,
    body,
    customerId: firstString(ticket, fields.customerId) ?? '',
    ...optionalAgent(firstString(ticket, fields.agentId)),
    channel: CHANNELS[(firstString(ticket, fields.channel) ?? '').toUpperCase()] ?? 'web',
    messageText: undefined,
    conversation,
    metadata: {
      portalId: firstString(event.payload, ['portalId']),
      pipeline: firstString(ticket, fields.pipeline),
      stage: firstString(ticket, fields.stage),
      priority: firstString(ticket, fields.priority),
      category: firstString(ticket, fields.category),
      source: firstString(ticket, fields.channel),
    },
  };
}

/** The properties requested: every `properties.x` path of the (overridden) field map. */
function ticketPath(ticketId: string, fields: FieldMap<HubSpotField>, associations: readonly string[]): string {
  const names = new Set<string>();
  for (const paths of Object.values<readonly string[]>(fields)) {
    for (const path of paths) if (path.startsWith('properties.')) names.add(path.slice('properties.'.length).split('.')[0] ?? '');
  }
  names.delete('');
  const query = new URLSearchParams({ properties: [...names].join(','), associations: associations.join(',') });
  return `/crm/v3/objects/tickets/${encodeURIComponent(ticketId)}?${query.toString().replaceAll('%2C', ',')}`;
}

interface EmailRecord {
  readonly properties?: Readonly<Record<string, string | null | undefined>>;
}

async function emailsOf(api: HubSpotApi, ticket: unknown): Promise<ConversationMessage[]> {
  const results = (ticket as { associations?: { emails?: { results?: unknown } } }).associations?.emails?.results;
  if (!Array.isArray(results)) return [];
  const ids = [...new Set(results.map((r) => firstString(r, ['id'])).filter((id): id is string => id !== undefined))];
  if (ids.length === 0) return [];
  const answer = await api.send('POST', '/crm/v3/objects/emails/batch/read', {
    properties: ['hs_email_text', 'hs_email_html', 'hs_email_direction', 'hs_timestamp'],
    // Required by HubSpot's published schema (BatchReadInputSimplePublicObjectId, crm-emails-v3.json); no history wanted.
    propertiesWithHistory: [],
    inputs: ids.slice(-MAX_CONVERSATION_EMAILS).map((id) => ({ id })),
  });
  const emails = (answer as { results?: unknown }).results;
  if (!Array.isArray(emails)) return [];
  return (emails as EmailRecord[])
    .map((email) => ({
      at: Date.parse(email.properties?.hs_timestamp ?? '') || 0,
      direction: email.properties?.hs_email_direction ?? '',
      content: textOf(email.properties?.hs_email_text ?? email.properties?.hs_email_html ?? undefined),
    }))
    .filter((email) => email.content !== '' && !isBridgeNote(email.content))
    .sort((a, b) => a.at - b.at)
    .map((email): ConversationMessage => ({ role: email.direction === 'INCOMING_EMAIL' ? 'customer' : 'agent', content: email.content }));
}

/**
 * A new inbox message. Only a customer's (INCOMING) message on a thread that belongs to a ticket
 * is work; anything else normalizes to an event with no text, for which the pipeline runs no step
 * and writes nothing (the consumer cannot "ignore" an event it already holds).
 */
async function normalizeMessage(event: QueuedEvent, api: HubSpotApi): Promise<NormalizedEvent> {
  const threadId = firstString(event.payload, ['objectId']) ?? '';
  const messageId = firstString(event.payload, ['messageId']) ?? '';
  const threadPath = `/conversations/v3/conversations/threads/${encodeURIComponent(threadId)}`;
  const [thread, message] = await Promise.all([
    api.get(`${threadPath}?association=TICKET`),
    api.get(`${threadPath}/messages/${encodeURIComponent(messageId)}`),
  ]);
  const ticketId = firstString(thread, ['threadAssociations.associatedTicketId']);
  const text = textOf(firstString(message, ['text']) ?? firstString(message, ['richText']));
  const fromCustomer = firstString(message, ['direction']) === 'INCOMING' && firstString(message, ['type']) !== 'COMMENT';
  const isWork = ticketId !== undefined && fromCustomer && text !== '' && !isBridgeNote(text);
  return {
    eventType: 'message.created',
    ticketId: ticketId ?? event.ticketId,
    subject: '',
    body: '',
    customerId: firstString(thread, ['associatedContactId']) ?? firstString(message, ['senders.0.actorId']) ?? '',
    channel: 'chat',
    messageText: isWork ? text : '',
    conversation: isWork ? [{ role: 'customer', content: text }] : [],
    metadata: {
      portalId: firstString(event.payload, ['portalId']),
      threadId,
      messageId,
      ...(isWork ? {} : { skipped: ticketId === undefined ? 'thread has no ticket' : 'not a customer message' }),
    },
  };
}

/** Plain text from a property that may hold HTML (ticket `content`, email bodies). */
function textOf(value: string | undefined): string {
  return value === undefined ? '' : plainText(value);
}
