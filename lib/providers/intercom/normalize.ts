/**
 * Intercom item → NormalizedEvent. Field paths are data (both payload shapes as fallbacks,
 * overridable per deployment with `fieldMap`). For QA on resolution the whole thread is fetched
 * from the REST API, because a notification carries only the parts of the moment.
 */
import { PermanentEventError } from '../../errors.ts';
import { firstString, optionalAgent, stripHtml, withOverrides, type FieldMap } from '../../mapping.ts';
import { isBridgeNote } from '../../write-back-summary.ts';
import type { HttpClient } from '../../http.ts';
import type { Channel, ConversationMessage, NormalizedEvent, ProviderContext, QueuedEvent } from '../types.ts';
import type { IntercomPayload } from './parse.ts';
import { conversationOf, latestCustomerPart } from './parts.ts';
import { intercomBaseUrl, intercomHeaders, optionalAccessToken } from './settings.ts';

type Field = 'subject' | 'body' | 'customerId' | 'channel' | 'status' | 'priority';

/** Both shapes (2.x first, then 1.x, then tickets); first present wins. helpdesks.md §3.1 "Mapping". */
export const INTERCOM_FIELDS: FieldMap<Field> = {
  subject: ['source.subject', 'conversation_message.subject', 'ticket_attributes._default_title_', 'title'],
  body: ['source.body', 'conversation_message.body', 'ticket_attributes._default_description_'],
  customerId: ['contacts.contacts.0.id', 'user.id', 'source.author.id', 'conversation_message.author.id'],
  channel: ['channel', 'source.type'],
  status: ['ticket_state.category', 'ticket_state', 'state'],
  priority: ['priority'],
};

/** Intercom source types and ticket channels → the normalized channel; the Messenger is chat. */
const CHANNELS: Readonly<Record<string, Channel>> = {
  email: 'email',
  conversation: 'chat',
  messenger: 'chat',
  chat: 'chat',
  push: 'chat',
  in_app: 'chat',
  phone: 'phone',
  phone_call: 'phone',
  sms: 'phone',
  facebook: 'social',
  twitter: 'social',
  instagram: 'social',
  whatsapp: 'social',
};

const API_TIMEOUT_MS = 10_000;

export async function normalizeIntercom(event: QueuedEvent, { settings, http }: ProviderContext): Promise<NormalizedEvent> {
  const payload = payloadOf(event);
  const fields = withOverrides(INTERCOM_FIELDS, settings.fieldMap);
  let item: unknown = payload.item;
  if (event.eventType === 'ticket.resolved') item = (await fetchThread(payload, event.ticketId, settings, http)) ?? item;

  const body = stripHtml(firstString(item, fields.body) ?? '');
  const messageText = event.eventType === 'message.created' ? latestCustomerPart(item)?.text : undefined;
  const conversation: ConversationMessage[] = conversationOf(item, isBridgeNote);
  const channel = CHANNELS[(firstString(item, fields.channel) ?? '').toLowerCase()] ?? 'chat';
  return {
    eventType: event.eventType,
    ticketId: event.ticketId,
    subject: stripHtml(firstString(item, fields.subject) ?? ''),
    body,
    customerId: firstString(item, fields.customerId) ?? '',
    ...optionalAgent(assigneeOf(item)),
    channel,
    messageText,
    conversation,
    metadata: {
      source: 'intercom',
      intercom_object: payload.object,
      topic: payload.topic,
      ...optional('status', firstString(item, fields.status)),
      ...optional('priority', firstString(item, fields.priority)),
    },
  };
}

/** Which Intercom object the event is about (write-back paths differ for tickets). */
export function intercomObjectOf(event: NormalizedEvent): 'conversation' | 'ticket' {
  return event.metadata.intercom_object === 'ticket' ? 'ticket' : 'conversation';
}

/**
 * `GET /conversations/{id}` (or `/tickets/{id}`) returns the thread (up to 500 parts). Without an
 * access token (dry runs) the notification's own parts are used.
 */
async function fetchThread(payload: IntercomPayload, ticketId: string, settings: ProviderContext['settings'], http: HttpClient): Promise<unknown> {
  const token = optionalAccessToken(settings);
  if (token === undefined) return undefined;
  const path = payload.object === 'ticket' ? 'tickets' : 'conversations';
  const response = await http.request({
    service: 'intercom',
    method: 'GET',
    url: `${intercomBaseUrl(settings)}/${path}/${encodeURIComponent(ticketId)}`,
    headers: intercomHeaders(token),
    timeoutMs: API_TIMEOUT_MS,
  });
  try {
    return JSON.parse(response.body) as unknown;
  } catch (cause) {
    throw new PermanentEventError('invalid_intercom_response', `GET /${path}/${ticketId} did not answer JSON`, { cause });
  }
}

function payloadOf(event: QueuedEvent): IntercomPayload {
  const p = event.payload as Partial<IntercomPayload> | null;
  if (p === null || typeof p !== 'object' || typeof p.item !== 'object' || p.item === null || typeof p.topic !== 'string') {
    throw new PermanentEventError('invalid_payload', 'the queued Intercom event has no item');
  }
  return { topic: p.topic, notificationId: p.notificationId, object: p.object === 'ticket' ? 'ticket' : 'conversation', item: p.item };
}

/**
 * The assigned teammate: `admin_assignee_id` (2.x; `"0"` or `0` when nobody is assigned, as in real
 * ticket notifications, zulip/zulip …/intercom/fixtures/ticket_created.json), else the 1.x
 * `assignee` when it is an admin (`nobody_admin` has a null id).
 */
function assigneeOf(item: unknown): string | undefined {
  const id = firstString(item, ['admin_assignee_id']) ?? (firstString(item, ['assignee.type']) === 'admin' ? firstString(item, ['assignee.id']) : undefined);
  return id === undefined || /^0*$/.test(id) ? undefined : id;
}

function optional(key: string, value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { [key]: value };
}
