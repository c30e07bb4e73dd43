/**
 * Where each field lives in the two payload shapes Zendesk sends, as data (first present wins).
 * A deployment overrides any key with `HELPDESK_CONFIG.zendesk.fieldMap` (applies to both shapes).
 */
import { withOverrides, type FieldMap } from '../../mapping.ts';
import type { Channel, ProviderSettings } from '../types.ts';

export type ZendeskField =
  | 'ticketId'
  | 'subject'
  | 'body'
  | 'customerId'
  | 'channel'
  | 'status'
  | 'priority'
  | 'tags'
  | 'message'
  | 'messageId'
  | 'eventType';

/**
 * Event subscriptions: the fixed envelope of
 * https://developer.zendesk.com/api-reference/webhooks/event-types/ticket-events (ticket in `detail`,
 * the change in `event`). The comment of `ticket.comment_added` is `event.comment` {id, body,
 * is_public, author {id, is_staff, name}} — not in the primary excerpt (NOT CONFIRMED); shape as
 * modelled by skwashd's zendesk-to-EventBridge Lambda.
 */
export const ZENDESK_EVENT_FIELDS: FieldMap<ZendeskField> = {
  ticketId: ['detail.id'],
  subject: ['detail.subject'],
  body: ['detail.description'],
  customerId: ['detail.requester_id'],
  channel: ['detail.via.channel'],
  status: ['detail.status'],
  priority: ['detail.priority'],
  tags: ['detail.tags'],
  message: ['event.comment.body', 'event.comment.html_body'],
  messageId: ['event.comment.id'],
  eventType: ['type'],
};

/**
 * Trigger / automation webhooks: the body is whatever the admin pasted. Our documented template
 * (README) nests a `ticket` object; the fallbacks accept the flat shapes seen in the field
 * (Zulip's fixtures: `ticket_id`, `ticket_title`, `ticket_description`, …, space-separated `tags`).
 */
export const ZENDESK_TRIGGER_FIELDS: FieldMap<ZendeskField> = {
  ticketId: ['ticket.id', 'ticket_id', 'ticketId', 'id'],
  subject: ['ticket.subject', 'ticket.title', 'ticket_title', 'ticket_subject', 'subject', 'title'],
  body: ['ticket.description', 'ticket_description', 'description', 'body'],
  customerId: ['ticket.requester_id', 'ticket.requester.id', 'requester_id', 'ticket.requester_email', 'ticket.requester.email', 'requester_email'],
  channel: ['ticket.via', 'ticket.channel', 'via', 'channel'],
  status: ['ticket.status', 'ticket_status', 'status'],
  priority: ['ticket.priority', 'ticket_priority', 'priority'],
  tags: ['ticket.tags', 'ticket_tags', 'tags'],
  message: ['ticket.latest_comment', 'ticket.latest_public_comment', 'latest_comment', 'latest_public_comment', 'comment.body', 'comment', 'message'],
  messageId: ['ticket.latest_comment_id', 'latest_comment_id', 'comment.id'],
  eventType: ['event', 'event_type'],
};

export function eventFields(settings: ProviderSettings): FieldMap<ZendeskField> {
  return withOverrides(ZENDESK_EVENT_FIELDS, settings.fieldMap);
}

export function triggerFields(settings: ProviderSettings): FieldMap<ZendeskField> {
  return withOverrides(ZENDESK_TRIGGER_FIELDS, settings.fieldMap);
}

/** True for the fixed event-subscription envelope (`type: "zen:event-type:…"`). */
export function isEventSubscription(payload: unknown): payload is Record<string, unknown> {
  const type = (payload as Record<string, unknown> | null)?.type;
  return typeof type === 'string' && type.startsWith('zen:event-type:');
}

/** Zendesk statuses that mean the work is done (event payloads are lower-case, placeholders "Solved"). */
export const RESOLVED_STATUSES: ReadonlySet<string> = new Set(['solved', 'closed']);

/**
 * `via.channel` values (event payloads: `web`, `email`, `chat`, `native_messaging`, …) and the
 * `{{ticket.via}}` placeholder's labels ("Web Form", "Mail", "Phone call (incoming)") → our channels.
 */
export const ZENDESK_CHANNELS: readonly (readonly [RegExp, Channel])[] = [
  [/mail/, 'email'],
  [/chat|messag|sunshine|widget/, 'chat'],
  [/voice|phone|call|sms|text_message/, 'phone'],
  [/twitter|facebook|instagram|whatsapp|line|wechat|telegram|viber|kakao|social/, 'social'],
];

export function channelOf(value: string | undefined): Channel {
  const v = value?.trim().toLowerCase() ?? '';
  for (const [pattern, channel] of ZENDESK_CHANNELS) if (pattern.test(v)) return channel;
  return 'web';
}

/** Tags arrive as an array (events) or a space-separated string (`{{ticket.tags}}`). */
export function tagsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((t): t is string => typeof t === 'string' && t !== '');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((t) => t !== '');
  return [];
}
