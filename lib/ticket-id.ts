/**
 * What a ticket id may look like, per helpdesk, checked at ingest (422 `invalid_ticket_id`), and
 * the one way an id enters a URL path. An id reaches the write-back URL of the bridge's own
 * credentials: `..` there resolves to the parent resource (issue #13 finding 2), so an id of a
 * shape the vendor never issues is refused before it is queued, and `pathSegment` refuses `.`/`..`
 * whatever the provider.
 */
import { PermanentEventError } from './errors.ts';
import { canonicalId } from './providers/salesforce/salesforce-id.ts';
import { own } from './own.ts';
import type { BuiltInProviderName, ProviderName } from './providers/types.ts';

export interface TicketIdFormat {
  readonly test: (id: string) => boolean;
  /** For the 422's message: what the id must be. */
  readonly expected: string;
}

const DIGITS = /^\d{1,20}$/;

export const TICKET_ID_FORMATS: Readonly<Record<BuiltInProviderName, TicketIdFormat>> = {
  // "id: integer, Automatically assigned when the ticket is created"
  // (https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#json-format).
  zendesk: { test: (id) => DIGITS.test(id), expected: 'the ticket number (digits), e.g. "{{ticket.id}}"' },
  // "id: number, Unique ID of the ticket" (https://developers.freshdesk.com/api/#tickets).
  freshdesk: { test: (id) => DIGITS.test(id), expected: 'the ticket number (digits), e.g. "{{ticket.id}}"' },
  // Webhook `objectId`: "The ID of the object that was created, changed, or deleted" — a number
  // (https://developers.hubspot.com/docs/api/webhooks#webhook-payloads); a conversation event's
  // thread id likewise, queued as `thread:<id>` until normalize finds its ticket.
  hubspot: { test: (id) => DIGITS.test(id) || (id.startsWith('thread:') && DIGITS.test(id.slice(7))), expected: 'a numeric objectId' },
  // Intercom ids are opaque strings ("id: string, The id representing the conversation"; examples
  // "123" for conversations and tickets, hex "667d60d18a68186f43bafddd" for contacts — Intercom API
  // reference, as in intercom-client's Conversation type): letters, digits, `_` and `-`.
  intercom: { test: (id) => /^[A-Za-z0-9_-]{1,64}$/.test(id), expected: 'an Intercom id (letters, digits, "_" or "-")' },
  // "15-character case-sensitive" or "18-character case-insensitive" alphanumeric record ids
  // (Salesforce Help, "What is a Salesforce ID?"; Apex Developer Guide, ID primitive type).
  salesforce: { test: (id) => canonicalId(id) !== undefined, expected: 'a 15- or 18-character Salesforce record id' },
  // Any id the sender uses (encoded in the URL; logs escape it), but not blank or a relative path step.
  generic: { test: (id) => id.trim() !== '' && !isDotSegment(id), expected: 'a non-blank id other than "." and ".."' },
};

/** True when `id` is acceptable as `provider`'s ticket id. */
export function isValidTicketId(provider: ProviderName, id: string): boolean {
  return ticketIdFormat(provider).test(id);
}

/** The built-in's format; a connector (any other name) takes the generic provider's rule. */
export function ticketIdFormat(provider: ProviderName): TicketIdFormat {
  return own(TICKET_ID_FORMATS, provider) ?? TICKET_ID_FORMATS.generic;
}

function isDotSegment(value: string): boolean {
  return value === '.' || value === '..';
}

/**
 * `value` as one URL path segment. encodeURIComponent leaves `.` alone and the URL parser resolves
 * `.` and `..` segments (and their `%2E` spellings), so those are refused rather than encoded:
 * every request stays under the resource it names. `%` itself is encoded, so no input can spell
 * `%2E` into the path.
 */
export function pathSegment(value: string): string {
  if (value === '' || isDotSegment(value)) {
    throw new PermanentEventError('unsafe_path_segment', `an id of ${value === '' ? 'nothing' : `"${value}"`} cannot name a resource in a URL path`);
  }
  return encodeURIComponent(value);
}
