/**
 * Freshdesk automation webhooks → business events. The body names no event and carries no id
 * (helpdesks.md §2.1, §2.3): the route (`/webhooks/freshdesk/{ticket-created|message-created|
 * ticket-resolved}`, one rule each) or the `{{triggered_event}}` placeholder says what happened,
 * and the identity is built from the ticket id, the event and a hash of the business content.
 */
import { BadRequestError, UnprocessableEventError } from '../../errors.ts';
import { shown } from '../../log-safe.ts';
import { firstString, looksLikeHtml, stripHtml, type FieldMap } from '../../mapping.ts';
import { own } from '../../own.ts';
import { sha256 } from '../../verify-hmac.ts';
import { isBridgeNote, NOTE_MARKER } from '../../write-back-summary.ts';
import { parseJsonBody } from '../parse-json-body.ts';
import type { EventType, ParseResult, ProviderSettings, WebhookRequest } from '../types.ts';
import { freshdeskFields, isResolvedStatus, unwrap, type FreshdeskField } from './fields.ts';

/** What `{{triggered_event}}` says, e.g. `{ticket_action:created}`, `{status:{from:2,to:4}}`. */
export type TriggeredEvent =
  | { readonly kind: 'created' }
  | { readonly kind: 'status'; readonly to: string }
  | { readonly kind: 'note'; readonly isPrivate: boolean }
  | { readonly kind: 'reply' }
  | { readonly kind: 'change'; readonly field: string };

const EVENT_ALIASES: Readonly<Record<string, EventType>> = {
  'ticket.created': 'ticket.created',
  'message.created': 'message.created',
  'ticket.resolved': 'ticket.resolved',
};

export function parseFreshdesk(request: WebhookRequest, settings: ProviderSettings): ParseResult {
  const raw = parseJsonBody(request);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new BadRequestError('not_an_object', 'the body must be a JSON object: use the "Simple" content or the documented advanced template');
  }
  const fields = freshdeskFields(settings);
  const payload = unwrap(raw);
  const triggeredText = firstString(payload, fields.triggeredEvent);
  const triggered = triggeredText === undefined ? undefined : parseTriggeredEvent(triggeredText);

  // Updates the bridge itself makes (priority, tags, custom fields, private notes) fire "ticket is
  // updated" rules too: only status changes and new messages may start processing.
  if (triggered?.kind === 'change') return { kind: 'ignored', reason: `the update changed ${shown(triggered.field)}, not the status or the conversation` };
  if (triggered?.kind === 'note' && triggered.isPrivate) return { kind: 'ignored', reason: 'the update is a private note' };

  const eventType = request.routeEvent ?? eventTypeOf(triggered) ?? aliasOf(firstString(payload, fields.eventType));
  if (eventType === undefined) {
    if (triggeredText !== undefined) return { kind: 'ignored', reason: `triggered_event ${shown(triggeredText)} is not processed` };
    throw new BadRequestError(
      'missing_event_type',
      'a Freshdesk webhook does not name its event: point the rule at /webhooks/freshdesk/{ticket-created|message-created|ticket-resolved}',
    );
  }
  if (eventType === 'ticket.resolved' && triggered?.kind === 'status' && !isResolvedStatus(triggered.to)) {
    return { kind: 'ignored', reason: `status changed to ${shown(triggered.to)}, not a resolution` };
  }
  // A rule posting to /ticket-resolved on any status change (or a custom status such as
  // "Waiting on Customer", zulip's status_changed fixture): the ticket's status, when the
  // payload carries it, decides whether this is a resolution.
  const status = firstString(payload, fields.status);
  if (eventType === 'ticket.resolved' && status !== undefined && !isResolvedStatus(status)) {
    return { kind: 'ignored', reason: `the ticket status is ${shown(status.trim())}, not Resolved or Closed` };
  }
  const ticketId = firstString(payload, fields.ticketId);
  if (ticketId === undefined) {
    throw new UnprocessableEventError('missing_ticket_id', `the webhook has no ticket id: set one of ${fields.ticketId.join(', ')} (e.g. "{{ticket.id}}")`);
  }
  const message = firstString(payload, fields.message);
  if (isOwnNote(message)) return { kind: 'ignored', reason: 'the latest comment is the bridge’s own note' };

  // A resolution (by ticket) and a reply (by content hash) can recur legitimately: never remembered
  // beyond the Ledger's TTL, or a ticket resolved again next quarter would get no QA (README, "Replays.").
  const recurs = eventType !== 'ticket.created';
  return { kind: 'events', events: [{ eventType, ticketId, identity: identityOf(eventType, ticketId, payload, fields, triggeredText), payload: raw, ...(recurs ? { identityRecurs: true } : {}) }] };
}

/**
 * Freshdesk sends no delivery or event id. A creation is the ticket's; a reply or resolution is
 * named by a hash of its business content (event, triggered_event, status, latest comment) —
 * never of the bytes, so a re-rendered retry with other formatting or extra fields is the same
 * event. Timestamps are left out: the bridge's own updates move `updated_at`. Trade-off: two
 * identical replies to one ticket within the Ledger's TTL count once.
 */
function identityOf(eventType: EventType, ticketId: string, payload: unknown, fields: FieldMap<FreshdeskField>, triggered: string | undefined): string {
  if (eventType === 'ticket.created') return `ticket.created:${ticketId}`;
  // A resolution is the ticket's: reconciliation must reproduce it from the listing API, which knows
  // neither triggered_event nor the latest comment (lib/providers/freshdesk/list.ts). Trade-off: a
  // ticket resolved again within the Ledger's TTL gets no second QA.
  if (eventType === 'ticket.resolved') return `ticket.resolved:${ticketId}`;
  const content = {
    eventType,
    ticketId,
    triggered: triggered?.replace(/\s+/g, '') ?? '',
    message: normalizeText(firstString(payload, fields.message) ?? ''),
  };
  return `${eventType}:${ticketId}:${sha256(JSON.stringify(content)).toString('hex').slice(0, 32)}`;
}

/**
 * Parses Freshdesk's `{key:value}` / `{key:{from:a,to:b}}` notation (not JSON: keys are bare).
 * Sliced, not matched with one regex: `^\s*\{…(.*?)\s*\}\s*$` backtracked cubically on `{a:` and
 * spaces (issue #13 finding 4). The value is everything between the first `:` and the last `}`.
 */
export function parseTriggeredEvent(text: string): TriggeredEvent | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}') || trimmed.length < 2) return undefined;
  const inner = trimmed.slice(1, -1);
  const colon = inner.indexOf(':');
  if (colon === -1) return undefined;
  const rawKey = inner.slice(0, colon).trim();
  if (!/^[A-Za-z_]+$/.test(rawKey)) return undefined;
  const key = rawKey.toLowerCase();
  const rawValue = inner.slice(colon + 1).trim();
  const value = rawValue.toLowerCase();
  // Other ticket actions (`updated`, …) say nothing specific: the route decides.
  if (key === 'ticket_action') return value.startsWith('created') ? { kind: 'created' } : undefined;
  if (key === 'status') return { kind: 'status', to: /to\s*:\s*"?([^,}"]+)/i.exec(rawValue)?.[1]?.trim() ?? '' };
  if (key === 'note_type') return { kind: 'note', isPrivate: value.includes('private') };
  // Replies (NOT CONFIRMED: the exact keys for a customer reply are not documented) are messages.
  if (key.includes('reply') || key.includes('response')) return { kind: 'reply' };
  return { kind: 'change', field: key };
}

function eventTypeOf(triggered: TriggeredEvent | undefined): EventType | undefined {
  if (triggered?.kind === 'created') return 'ticket.created';
  if (triggered?.kind === 'status' && isResolvedStatus(triggered.to)) return 'ticket.resolved';
  if (triggered?.kind === 'reply') return 'message.created';
  return undefined;
}

function aliasOf(named: string | undefined): EventType | undefined {
  return named === undefined ? undefined : own(EVENT_ALIASES, named.trim().toLowerCase().replace(/[\s_-]+/g, '.'));
}

function normalizeText(text: string): string {
  return (looksLikeHtml(text) ? stripHtml(text) : text).replace(/\s+/g, ' ').trim();
}

/** The bridge's note, whether sent as HTML (`<div>[Simpli AI]…`) or as text. */
export function isOwnNote(text: string | undefined): boolean {
  if (text === undefined) return false;
  return isBridgeNote(text) || normalizeText(text).startsWith(NOTE_MARKER);
}
