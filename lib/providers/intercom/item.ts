/**
 * The object a notification's `data.item` is about. Conversation topics and most ticket topics
 * (`ticket.created`, `ticket.state.updated`, `ticket.closed`, assignments, attributes) send the
 * object itself (`type: "conversation"` / `"ticket"`). The ticket topics about one part —
 * `ticket.contact.replied`, `ticket.admin.replied`, `ticket.note.created` — send a
 * `ticket_ticket_part` instead: `{type: "ticket_ticket_part", ticket: {…}, ticket_part: {…}}`, the
 * part being the reply or note that fired the notification. Seen in real captured notifications
 * (zulip/zulip zerver/webhooks/intercom/fixtures/ticket_conatct_replied.json, ticket_admin_replied.json,
 * ticket_note_created.json at 8ab6c737…/a40dd80d…/521e02f7…); the `ticket` and `ticket_part`
 * schemas are those of Intercom's OpenAPI 2.11 (`#/components/schemas/ticket`, `ticket_part`).
 */

type Item = Readonly<Record<string, unknown>>;

const isObject = (value: unknown): value is Item => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The conversation or ticket the item is about. A `ticket_ticket_part` becomes its ticket, with
 * the wrapped part appended to `ticket_parts` when the ticket's list does not already hold it (the
 * list is capped at 500 parts and may be cut before the newest), so everything downstream reads
 * one shape and the part that fired is the newest.
 */
export function subjectItem(item: Item): Item {
  if (item.type !== 'ticket_ticket_part' || !isObject(item.ticket)) return item;
  const ticket = item.ticket;
  const part = item.ticket_part;
  if (!isObject(part)) return ticket;
  const list = isObject(ticket.ticket_parts) ? ticket.ticket_parts : { type: 'ticket_part.list' };
  const parts: unknown[] = Array.isArray(list.ticket_parts) ? [...(list.ticket_parts as unknown[])] : [];
  if (!parts.some((p) => isObject(p) && p.id !== undefined && p.id === part.id)) parts.push(part);
  return { ...ticket, ticket_parts: { ...list, ticket_parts: parts } };
}
