/**
 * Outbound message → one event per Notification (up to 100). The payload does not name the event,
 * so the route does: `/webhooks/salesforce/{ticket-created|ticket-resolved|message-created}`, one
 * outbound message (and workflow rule / flow) per route. Case notifications feed ticket-created and
 * ticket-resolved; CaseComment (and Email-to-Case EmailMessage) notifications feed message-created.
 */
import { BadRequestError, UnprocessableEventError } from '../../errors.ts';
import { shown } from '../../log-safe.ts';
import { firstString, withOverrides, type FieldMap } from '../../mapping.ts';
import { isBridgeNote } from '../../write-back-summary.ts';
import type { EventType, ParsedEvent, ParseResult, ProviderSettings, WebhookRequest } from '../types.ts';
import { createdIdentity, messageIdentity, resolvedIdentity } from './identity.ts';
import { messageTextOf } from './message-text.ts';
import { parseOutboundMessage, type OutboundNotification } from './outbound-message.ts';

/** What a queued Salesforce event carries. */
export interface SalesforcePayload {
  readonly notificationId: string;
  readonly organizationId: string | undefined;
  readonly sObjectType: string;
  /** The selected fields by API name. */
  readonly sObject: Readonly<Record<string, string | null>>;
}

type IdField = 'caseId' | 'parentCaseId' | 'closedDate';

/** Paths into the sObject's fields; overridable with `fieldMap`. */
export const SALESFORCE_ID_FIELDS: FieldMap<IdField> = {
  caseId: ['Id'],
  parentCaseId: ['ParentId'],
  closedDate: ['ClosedDate'],
};

/** Which sObject types each route takes. */
const ROUTE_OBJECTS: Readonly<Record<EventType, readonly string[]>> = {
  'ticket.created': ['Case'],
  'ticket.resolved': ['Case'],
  'message.created': ['CaseComment', 'EmailMessage'],
};

export function parseSalesforce(request: WebhookRequest, settings: ProviderSettings): ParseResult {
  const eventType = request.routeEvent;
  if (eventType === undefined) {
    throw new BadRequestError(
      'missing_event_route',
      'Salesforce outbound messages do not name their event: point the outbound message at /webhooks/salesforce/ticket-created, /ticket-resolved or /message-created',
    );
  }
  const message = parseOutboundMessage(request.rawBody);
  const fields = withOverrides(SALESFORCE_ID_FIELDS, settings.fieldMap);
  const events: ParsedEvent[] = [];
  const ignored = new Set<string>();
  for (const notification of message.notifications) {
    const result = eventOf(eventType, notification, message.organizationId, fields);
    if (typeof result === 'string') ignored.add(result);
    else events.push(result);
  }
  if (events.length === 0) return { kind: 'ignored', reason: [...ignored].join('; ') || 'no notifications' };
  return { kind: 'events', events };
}

function eventOf(
  eventType: EventType,
  notification: OutboundNotification,
  organizationId: string | undefined,
  fields: FieldMap<IdField>,
): ParsedEvent | string {
  const { sObjectType, fields: sObject } = notification;
  if (!ROUTE_OBJECTS[eventType].includes(sObjectType)) {
    return `${shown(sObjectType)} notifications are not ${eventType} events (expected ${ROUTE_OBJECTS[eventType].join(' or ')})`;
  }
  const isCase = sObjectType === 'Case';
  const ticketId = firstString(sObject, isCase ? fields.caseId : fields.parentCaseId);
  if (ticketId === undefined) {
    throw new UnprocessableEventError(
      'missing_ticket_id',
      `notification ${shown(notification.id)} has no ${isCase ? 'Case Id' : 'ParentId'}: add it to the outbound message's fields`,
    );
  }
  if (!isCase) {
    // Internal comments are agents' notes — the bridge's own CaseComment is one (IsPublished false)
    // — and outgoing emails are agents' replies: neither is a customer message.
    if (isBridgeNote(messageTextOf(sObject))) return 'the bridge’s own note';
    if (sObjectType === 'CaseComment' && sObject.IsPublished === 'false') return 'internal CaseComment';
    if (sObjectType === 'EmailMessage' && sObject.Incoming === 'false') return 'outgoing EmailMessage';
  }
  if (eventType === 'ticket.resolved' && sObject.IsClosed === 'false') return 'the Case is not closed';

  const payload: SalesforcePayload = { notificationId: notification.id, organizationId, sObjectType, sObject };
  // The record's LastModifiedDate, when the outbound message selects it, is the snapshot's time: a
  // redelivery (Salesforce retries for 24 hours) keeps it, a replay months later is refused.
  const modified = Date.parse(sObject.LastModifiedDate ?? sObject.SystemModstamp ?? '');
  return { eventType, ticketId, identity: identityOf(eventType, ticketId, notification, fields), payload, ...(Number.isNaN(modified) ? {} : { occurredAtMs: modified }) };
}

/**
 * The Ledger key. Salesforce keeps the Notification Id across redeliveries ("check the
 * notification IDs … before processing", helpdesks.md §4.3) while the field values may change, so
 * it is the default. Stronger business keys where they exist: a Case is created once
 * (`ticket.created:<caseId>`); a closure is identified by its ClosedDate, so a rule that fires again
 * on every edit of a closed Case (the bridge's own field update) is a duplicate; a comment or email
 * by its own record Id.
 */
function identityOf(eventType: EventType, ticketId: string, notification: OutboundNotification, fields: FieldMap<IdField>): string {
  if (eventType === 'ticket.created') return createdIdentity(ticketId);
  // Reconciliation derives the same key from the REST API's record (identity.ts, list.ts).
  if (eventType === 'ticket.resolved') return resolvedIdentity(ticketId, firstString(notification.fields, fields.closedDate), notification.id);
  return messageIdentity(ticketId, firstString(notification.fields, fields.caseId) ?? notification.id);
}

export { messageTextOf };
