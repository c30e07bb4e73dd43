/** A connector's parsing: which event, which ticket, which identity — from its specification. */
import { BadRequestError, UnprocessableEventError } from '../../errors.ts';
import { firstString, plainText } from '../../mapping.ts';
import { shown } from '../../log-safe.ts';
import { own } from '../../own.ts';
import { sha256 } from '../../verify-hmac.ts';
import { isBridgeNote } from '../../write-back-summary.ts';
import { canonicalJson } from '../generic.ts';
import { readJsonBody } from '../parse-json-body.ts';
import type { AuthorType, EventType, ParseResult, WebhookRequest } from '../types.ts';
import type { CompiledConnector } from './compile.ts';

/** A payload path, or `header:<name>` for a request header (Help Scout names its event there). */
export function sourceValue(payload: unknown, headers: Readonly<Record<string, string>>, source: string): string | undefined {
  if (source.startsWith('header:')) return headers[source.slice('header:'.length).toLowerCase()];
  return firstString(payload, [source]);
}

export function parseConnector(connector: CompiledConnector, request: WebhookRequest): ParseResult {
  const { spec, fields, name } = connector;
  const { value: payload, text } = readJsonBody(request);
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new BadRequestError('not_an_object', `the body must be a JSON object (a ${name} webhook)`);
  }
  const events = spec.events;
  const challenge = events.challengeHeader === undefined ? undefined : request.headers[events.challengeHeader.toLowerCase()];
  if (challenge !== undefined) {
    // Only authentic requests are parsed, so echoing the challenge proves nothing to a forger.
    return { kind: 'ignored', reason: 'subscription challenge', response: { contentType: 'application/json', body: JSON.stringify({ challenge }) } };
  }
  const named = events.source === undefined ? undefined : sourceValue(payload, request.headers, events.source);
  let eventType: EventType | undefined = events.routes === false ? undefined : request.routeEvent;
  if (eventType === undefined && named !== undefined) {
    eventType = events.map !== undefined && Object.hasOwn(events.map, named) ? events.map[named] : undefined;
    // The reason is logged: vendor vocabulary is named, other text only by its length (lib/log-safe.ts).
    if (eventType === undefined) return { kind: 'ignored', reason: `event "${shown(named)}" is not processed` };
    const condition = events.when !== undefined && Object.hasOwn(events.when, named) ? events.when[named] : undefined;
    if (condition !== undefined) {
      const value = firstString(payload, [condition.path]);
      if (value === undefined || (condition.in !== undefined && !condition.in.includes(value))) {
        return { kind: 'ignored', reason: `event "${shown(named)}" with ${condition.path} ${value === undefined ? 'unset' : `"${shown(value)}"`} is not processed` };
      }
    }
  }
  if (eventType === undefined) {
    throw new BadRequestError(
      'missing_event_type',
      events.source === undefined
        ? `post ${name} webhooks to /webhooks/${name}/{ticket-created|message-created|ticket-resolved}: the body does not name its event`
        : `the body does not name its event at ${events.source}: post to /webhooks/${name}/{ticket-created|message-created|ticket-resolved} or send the field`,
    );
  }
  const ticketId = firstString(payload, fields.ticketId ?? []);
  if (ticketId === undefined || ticketId.trim() === '') {
    throw new UnprocessableEventError('missing_ticket_id', `the event has no ticket id: set one of ${(fields.ticketId ?? []).join(', ')}`);
  }
  if (ticketId === '.' || ticketId === '..') {
    // It becomes a path segment of the write-back URL, where "." and ".." would leave the ticket.
    throw new UnprocessableEventError('unsafe_ticket_id', `the ticket id "${ticketId}" cannot name a ticket`);
  }
  if (eventType === 'message.created') {
    const message = firstString(payload, fields.message ?? fields.body ?? []);
    if (isBridgeNote(message === undefined ? undefined : plainText(message))) {
      return { kind: 'ignored', reason: 'the message is the bridge’s own note' };
    }
    const role = roleOf(connector, firstString(payload, fields.messageRole ?? []));
    if (role !== undefined && role !== 'customer') return { kind: 'ignored', reason: `the message is by ${role === 'agent' ? 'an agent' : 'the system'}` };
  }
  return {
    kind: 'events',
    events: [{ eventType, ticketId, identity: identityOf(connector, eventType, ticketId, payload, request.headers), payload, payloadJson: text }],
  };
}

/** A sender's role name through `roles` (case-insensitive), else the name when it is ours. */
export function roleOf(connector: CompiledConnector, value: string | undefined): AuthorType | undefined {
  if (value === undefined) return undefined;
  const roles = connector.spec.fields.roles ?? {};
  // Own names only: an author called `constructor` is not Object.prototype.constructor (issue #13 finding 6).
  const mapped = own(roles, value) ?? Object.entries(roles).find(([k]) => k.toLowerCase() === value.toLowerCase())?.[1];
  if (mapped !== undefined) return mapped;
  const v = value.trim().toLowerCase();
  return v === 'customer' || v === 'agent' || v === 'system' ? v : undefined;
}

/**
 * As the generic provider: a ticket is created once (its id is the identity); other events use the
 * sender's event id from `events.identity`, else a hash of the content, which the sender's retries share.
 */
function identityOf(connector: CompiledConnector, eventType: EventType, ticketId: string, payload: object, headers: Readonly<Record<string, string>>): string {
  if (eventType === 'ticket.created') return `ticket.created:${ticketId}`;
  let id: string | undefined;
  for (const source of connector.spec.events.identity ?? []) {
    id = sourceValue(payload, headers, source);
    if (id !== undefined && id !== '') break;
  }
  return `${eventType}:${ticketId}:${id ?? sha256(canonicalJson(payload)).toString('hex').slice(0, 32)}`;
}

