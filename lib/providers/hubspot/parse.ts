/**
 * Splits a HubSpot delivery into events. HubSpot POSTs an array of up to 100 notifications
 * (helpdesks.md §5.1) and retries the WHOLE request on any 4xx/5xx (§5.3), so events we do not
 * process are ignored (HTTP 200 when nothing is left), never rejected, and only the processed ones
 * of a mixed batch are enqueued.
 */
import { BadRequestError, UnprocessableEventError } from '../../errors.ts';
import { shown } from '../../log-safe.ts';
import { firstString } from '../../mapping.ts';
import { parseJsonBody } from '../parse-json-body.ts';
import type { EventType, ParsedEvent, ParseResult, ProviderSettings, WebhookRequest } from '../types.ts';
import { bridgeOwnedProperties, readSettings, type HubSpotSettings } from './settings.ts';

/**
 * "Each request can contain up to 100 events" (HubSpot webhooks settings; helpdesks.md §5.1). A
 * longer array is not a HubSpot delivery: one signed 240 KiB body of minimal notifications was 4,237
 * queued events (issue #13 finding 3). It is refused whole with 422 `too_many_events`, before any
 * notification is read: HubSpot retries a 4xx at most 10 times over 24 hours, each refused as
 * cheaply, and nothing is dropped silently as a truncation or a 2xx would.
 */
export const MAX_NOTIFICATIONS = 100;

/** The ticket object type in generic (`object.*`) subscriptions, "0-5". */
export const TICKET_OBJECT_TYPE_ID = '0-5';
/** The ticket status property; a change to a closed stage is a resolution. */
export const STAGE_PROPERTY = 'hs_pipeline_stage';

type Classified =
  | { readonly kind: 'event'; readonly event: ParsedEvent }
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'invalid'; readonly reason: string };

export function parseHubSpot(request: WebhookRequest, raw: ProviderSettings): ParseResult {
  const settings = readSettings(raw);
  const body = parseJsonBody(request);
  // HubSpot always sends an array; a single notification object is accepted as a batch of one.
  const items = Array.isArray(body) ? body : isObject(body) ? [body] : undefined;
  if (items === undefined) throw new BadRequestError('not_an_array', 'the body must be a JSON array of HubSpot notifications');
  if (items.length === 0) return { kind: 'ignored', reason: 'the batch is empty' };
  if (items.length > MAX_NOTIFICATIONS) {
    throw new UnprocessableEventError('too_many_events', `the batch holds ${items.length} notifications; HubSpot sends at most ${MAX_NOTIFICATIONS} per request`);
  }

  const events = new Map<string, ParsedEvent>();
  const ignored: string[] = [];
  const invalid: string[] = [];
  for (const item of items) {
    if (!isObject(item)) throw new BadRequestError('invalid_notification', 'every element of the array must be a notification object');
    const c = classify(item, settings);
    // Duplicates inside one batch (the same notification twice) become one queue message.
    if (c.kind === 'event') events.set(c.event.identity, c.event);
    else if (c.kind === 'ignored') ignored.push(c.reason);
    else invalid.push(c.reason);
  }
  if (events.size > 0) return { kind: 'events', events: [...events.values()] };
  // Only when nothing in the batch can be processed: a 422 names the problem in HubSpot's
  // delivery log. A mixed batch enqueues its good events instead of failing them with the bad one.
  if (invalid.length > 0) throw new UnprocessableEventError('missing_ticket_id', invalid[0] ?? 'no objectId');
  return { kind: 'ignored', reason: summarize(ignored) };
}

function classify(item: Record<string, unknown>, settings: HubSpotSettings): Classified {
  const type = firstString(item, ['subscriptionType', 'eventType']);
  if (type === undefined) return { kind: 'ignored', reason: 'a notification without subscriptionType' };
  const sourceId = firstString(item, ['sourceId']);
  if (sourceId !== undefined && settings.ignoredSourceIds.includes(sourceId)) {
    return { kind: 'ignored', reason: `${shown(type)} from ignored source ${shown(sourceId)}` };
  }
  const [object, action] = splitType(type, item);
  if (object === 'ticket' && action === 'creation') {
    const ticketId = objectIdOf(item);
    if (ticketId === undefined) return { kind: 'invalid', reason: `${shown(type)} without objectId (the ticket id)` };
    // A ticket is created once: any delivery of its creation, whatever its eventId, is a duplicate.
    return event('ticket.created', ticketId, hubspotTicketIdentity('ticket.created', ticketId), item);
  }
  if (object === 'ticket' && action === 'propertyChange') {
    const property = firstString(item, ['propertyName']) ?? '';
    // The bridge writes these: their change is its own write echoed back, never new work.
    if (bridgeOwnedProperties(settings).has(property)) return { kind: 'ignored', reason: `change of ${shown(property)}, which the bridge writes` };
    if (property !== STAGE_PROPERTY) return { kind: 'ignored', reason: `change of ${property === '' ? 'an unnamed property' : shown(property)} is not processed` };
    const stage = firstString(item, ['propertyValue']) ?? '';
    if (!settings.closedStageIds.includes(stage)) return { kind: 'ignored', reason: `stage ${stage === '' ? '(empty)' : shown(stage)} is not a closed stage` };
    const ticketId = objectIdOf(item);
    if (ticketId === undefined) return { kind: 'invalid', reason: `${shown(type)} without objectId (the ticket id)` };
    // Named by the ticket, like its creation: the notification's (portalId, subscriptionId, eventId,
    // occurredAt) exist only in the webhook, and reconciliation must name the same event from the
    // search API's ticket record (list.ts). A ticket closed, reopened and closed again within the
    // Ledger's TTL gets QA once (README, "Reconciliation"), as on Zendesk and Freshdesk.
    return event('ticket.resolved', ticketId, hubspotTicketIdentity('ticket.resolved', ticketId), item);
  }
  if (object === 'conversation' && action === 'newMessage') {
    // MESSAGE is a visitor's or agent's message; COMMENT is an internal comment, WELCOME_MESSAGE
    // the chat greeting (HubSpot conversations webhooks). Who sent it is known only from the API.
    const messageType = firstString(item, ['messageType']);
    if (messageType !== undefined && messageType !== 'MESSAGE') return { kind: 'ignored', reason: `${shown(messageType)} messages are not processed` };
    const threadId = objectIdOf(item);
    if (threadId === undefined || firstString(item, ['messageId']) === undefined) {
      return { kind: 'invalid', reason: `${shown(type)} without objectId (the thread id) or messageId` };
    }
    // The ticket behind the thread is looked up in normalize(); until then the thread names it.
    return event('message.created', `thread:${threadId}`, notificationIdentity('message.created', item), item);
  }
  return { kind: 'ignored', reason: `${shown(type)} is not processed` };
}

/** `ticket.created:{id}` / `ticket.resolved:{id}`: the identity both the webhook and the listing give. */
export function hubspotTicketIdentity(eventType: 'ticket.created' | 'ticket.resolved', ticketId: string): string {
  return `${eventType}:${ticketId}`;
}

/** `ticket.creation` and the generic `object.creation` with objectTypeId 0-5 are the same event. */
function splitType(type: string, item: Record<string, unknown>): [string, string] {
  const [object = '', action = ''] = type.split('.');
  if (object === 'object') return [firstString(item, ['objectTypeId']) === TICKET_OBJECT_TYPE_ID ? 'ticket' : 'other', action];
  return [object, action];
}

/**
 * HubSpot's documented dedup key: eventId alone "is not guaranteed to be unique", so
 * (portalId, subscriptionId, eventId, occurredAt, objectId) — without attemptNumber, which a
 * retry increments (helpdesks.md §5.3).
 */
function notificationIdentity(eventType: EventType, item: Record<string, unknown>): string {
  const parts = ['portalId', 'subscriptionId', 'eventId', 'occurredAt', 'objectId'].map((k) => firstString(item, [k]) ?? '');
  return `${eventType}:${parts.join(':')}`;
}

function objectIdOf(item: Record<string, unknown>): string | undefined {
  const id = firstString(item, ['objectId']);
  return id === undefined || id.trim() === '' ? undefined : id.trim();
}

function event(eventType: EventType, ticketId: string, identity: string, payload: Record<string, unknown>): Classified {
  return { kind: 'event', event: { eventType, ticketId, identity, payload } };
}

function summarize(reasons: readonly string[]): string {
  const unique = [...new Set(reasons)];
  return unique.length <= 3 ? unique.join('; ') : `${unique.slice(0, 3).join('; ')}; and ${unique.length - 3} more`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
