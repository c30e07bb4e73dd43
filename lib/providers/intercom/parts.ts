/**
 * Reading the thread of an Intercom conversation or ticket, in both shapes Intercom sends:
 * API 2.x (`source`, `conversation_parts.conversation_parts[]` / `ticket_parts.ticket_parts[]`)
 * and the older 1.x one (`conversation_message`, `user`). helpdesks.md §3.1.
 */
import { at, firstString, stripHtml } from '../../mapping.ts';
import type { AuthorType, ConversationMessage } from '../types.ts';

export interface IntercomPart {
  readonly id: string | undefined;
  readonly partType: string;
  readonly authorType: string;
  readonly text: string;
  readonly html: string;
}

/** Where the parts live, first present wins. */
const PART_LISTS = ['conversation_parts.conversation_parts', 'ticket_parts.ticket_parts', 'conversation_parts', 'ticket_parts'] as const;

/** The item's parts, oldest first (Intercom lists them in creation order). */
export function partsOf(item: unknown): IntercomPart[] {
  for (const path of PART_LISTS) {
    const list = at(item, path);
    if (!Array.isArray(list)) continue;
    return list.map((part: unknown): IntercomPart => {
      const html = firstString(part, ['body']) ?? '';
      return {
        id: firstString(part, ['id']),
        partType: firstString(part, ['part_type']) ?? '',
        authorType: firstString(part, ['author.type']) ?? '',
        text: stripHtml(html),
        html,
      };
    });
  }
  return [];
}

/** Intercom author types → the normalized roles. Contacts are `user`, `lead` or `contact`. */
export function roleOf(authorType: string): AuthorType {
  switch (authorType) {
    case 'user':
    case 'lead':
    case 'contact':
      return 'customer';
    case 'admin':
    case 'team':
      return 'agent';
    default:
      // `bot` (Fin, workflows) and anything new.
      return 'system';
  }
}

/** The opening message: `source` in 2.x, `conversation_message` in 1.x, the ticket description. */
export function openingMessage(item: unknown): { text: string; html: string; role: AuthorType } | undefined {
  const html = firstString(item, ['source.body', 'conversation_message.body', 'ticket_attributes._default_description_']);
  if (html === undefined) return undefined;
  const author = firstString(item, ['source.author.type', 'conversation_message.author.type']) ?? 'user';
  return { text: stripHtml(html), html, role: roleOf(author) };
}

/** The newest part a contact wrote (what `conversation.user.replied` is about). */
export function latestCustomerPart(item: unknown): IntercomPart | undefined {
  return partsOf(item)
    .filter((p) => roleOf(p.authorType) === 'customer' && p.text !== '')
    .at(-1);
}

/** The newest part, whatever it is (the bridge's own note, when the notification is its echo). */
export function latestPart(item: unknown): IntercomPart | undefined {
  return partsOf(item).at(-1);
}

/**
 * The customer-facing thread for QA and drafts: the opening message, then comments (and
 * ticket replies), without internal notes, system parts (assignment, tags…) and the bridge's notes.
 */
export function conversationOf(item: unknown, isOwnNote: (html: string) => boolean): ConversationMessage[] {
  const thread: ConversationMessage[] = [];
  const opening = openingMessage(item);
  if (opening !== undefined && opening.text !== '') thread.push({ role: opening.role, content: opening.text });
  for (const part of partsOf(item)) {
    if (part.text === '' || isOwnNote(part.html)) continue;
    if (part.partType !== 'comment' && part.partType !== 'open' && part.partType !== 'close' && part.partType !== 'quick_reply') continue;
    thread.push({ role: roleOf(part.authorType), content: part.text });
  }
  return thread;
}
