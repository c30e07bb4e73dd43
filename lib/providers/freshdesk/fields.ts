/**
 * Where each field lives in a Freshdesk automation webhook, as data (first present wins). Simple
 * mode wraps the chosen fields in `{"freshdesk_webhook": {…}}` with `ticket_*` names and display
 * labels (Zulip's fixtures); our documented advanced template uses the same flat names; the other
 * fallbacks accept a nested `ticket` object. `HELPDESK_CONFIG.freshdesk.fieldMap` overrides any key.
 */
import { withOverrides, type FieldMap } from '../../mapping.ts';
import { own } from '../../own.ts';
import type { Channel, ProviderSettings } from '../types.ts';

export type FreshdeskField =
  | 'ticketId'
  | 'subject'
  | 'body'
  | 'customerId'
  | 'channel'
  | 'status'
  | 'priority'
  | 'tags'
  | 'message'
  | 'triggeredEvent'
  | 'eventType';

export const FRESHDESK_FIELDS: FieldMap<FreshdeskField> = {
  ticketId: ['ticket_id', 'ticket.id', 'id'],
  subject: ['ticket_subject', 'ticket.subject', 'subject'],
  body: ['ticket_description_text', 'ticket_description', 'ticket.description_text', 'ticket.description', 'description'],
  customerId: [
    'ticket_requester_id',
    'requester_id',
    'ticket.requester_id',
    'ticket.requester.id',
    'ticket_contact_unique_external_id',
    'requester_email',
    'ticket_requester_email',
    'ticket.requester.email',
  ],
  channel: ['ticket_source', 'ticket.source', 'source'],
  status: ['ticket_status', 'ticket.status', 'status'],
  priority: ['ticket_priority', 'ticket.priority', 'priority'],
  tags: ['ticket_tags', 'ticket.tags', 'tags'],
  message: ['ticket_latest_public_comment', 'ticket.latest_public_comment', 'latest_public_comment', 'comment', 'message'],
  triggeredEvent: ['triggered_event', 'ticket.triggered_event'],
  eventType: ['event', 'event_type'],
};

export function freshdeskFields(settings: ProviderSettings): FieldMap<FreshdeskField> {
  return withOverrides(FRESHDESK_FIELDS, settings.fieldMap);
}

/** The simple mode's `freshdesk_webhook` wrapper, or the advanced template's own object. */
export function unwrap(payload: unknown): unknown {
  const inner = (payload as Record<string, unknown> | null)?.freshdesk_webhook;
  return inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? inner : payload;
}

/** Status: 2=Open, 3=Pending, 4=Resolved, 5=Closed (+ 6, 7 in Zulip's fixtures' default labels). */
export const FRESHDESK_STATUSES: Readonly<Record<string, string>> = {
  '2': 'Open',
  '3': 'Pending',
  '4': 'Resolved',
  '5': 'Closed',
  '6': 'Waiting on Customer',
  '7': 'Waiting on Third Party',
};

/** Priority: 1=Low, 2=Medium, 3=High, 4=Urgent. */
export const FRESHDESK_PRIORITY_LABELS: Readonly<Record<string, string>> = { '1': 'Low', '2': 'Medium', '3': 'High', '4': 'Urgent' };

/** A label or numeric code → the label (unknown values kept as sent). */
export function labelOf(value: string | undefined, labels: Readonly<Record<string, string>>): string | undefined {
  if (value === undefined) return undefined;
  return own(labels, value.trim()) ?? value.trim();
}

export function isResolvedStatus(value: string | undefined): boolean {
  const label = labelOf(value, FRESHDESK_STATUSES)?.toLowerCase();
  return label === 'resolved' || label === 'closed';
}

/** `source`: 1=Email, 2=Portal, 3=Phone, 7=Chat, 9=Feedback widget, 10=Outbound email (or the labels). */
const SOURCE_CODES: Readonly<Record<string, Channel>> = { '1': 'email', '2': 'web', '3': 'phone', '7': 'chat', '9': 'web', '10': 'email' };
const SOURCE_LABELS: readonly (readonly [RegExp, Channel])[] = [
  [/mail/, 'email'],
  [/chat|messag|whatsapp/, 'chat'],
  [/phone|call/, 'phone'],
  [/twitter|facebook|social|instagram/, 'social'],
];

export function channelOf(value: string | undefined): Channel {
  const v = value?.trim().toLowerCase() ?? '';
  const code = own(SOURCE_CODES, v);
  if (code !== undefined) return code;
  for (const [pattern, channel] of SOURCE_LABELS) if (pattern.test(v)) return channel;
  return 'web';
}

/** Tags arrive as an array (API) or a comma-separated string (`{{ticket.tags}}`). */
export function tagsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((t): t is string => typeof t === 'string' && t !== '');
  if (typeof value === 'string') return value.split(',').map((t) => t.trim()).filter((t) => t !== '');
  return [];
}
