/**
 * Field mappings as data: each normalized field lists the payload paths to try, first present
 * wins. Providers ship defaults; a deployment overrides them per field in HELPDESK_CONFIG
 * (`"fieldMap": {"customerId": ["custom.account_id"]}`) for custom fields.
 */
import { own } from './own.ts';

/**
 * Dotted path lookup: `a.b.0.c` walks objects and arrays. Own properties only: a payload without
 * `constructor` has no `constructor`, whatever Object.prototype holds.
 */
export function at(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The first path whose value is present and not empty. */
export function first(value: unknown, paths: readonly string[]): unknown {
  for (const path of paths) {
    const found = at(value, path);
    if (found !== undefined && found !== null && found !== '') return found;
  }
  return undefined;
}

/** The first present value as a string (numbers and booleans are cast, as the guide's `str()`). */
export function firstString(value: unknown, paths: readonly string[]): string | undefined {
  const found = first(value, paths);
  if (typeof found === 'string') return found;
  if (typeof found === 'number' || typeof found === 'bigint' || typeof found === 'boolean') return String(found);
  return undefined;
}

export type FieldMap<K extends string> = Readonly<Record<K, readonly string[]>>;

/** Defaults overridden per field by a deployment's `fieldMap` setting (ignored when malformed). */
export function withOverrides<K extends string>(defaults: FieldMap<K>, overrides: unknown): FieldMap<K> {
  if (overrides === null || typeof overrides !== 'object') return defaults;
  const merged: Record<string, readonly string[]> = { ...defaults };
  for (const [key, paths] of Object.entries(overrides)) {
    if (Object.hasOwn(defaults, key) && Array.isArray(paths) && paths.every((p) => typeof p === 'string')) merged[key] = paths;
  }
  return merged as FieldMap<K>;
}

/** Tags that end a line of text: `<br>`, `<br/>`, `</p>`, `</div>`, `</li>` (any case). */
const LINE_BREAK_TAG = /^(?:br|\/p|\/div|\/li)\s*\/?$/i;
const ENTITIES: Readonly<Record<string, string>> = { nbsp: ' ', lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' };

/**
 * Plain text from HTML bodies some helpdesks send (Intercom, Zendesk html_body). One pass over the
 * text, linear in its length whatever it holds: a tag runs from `<` to the next `>`, and a `<`
 * with no `>` after it is text (customers write `"<a"` × 25,000; issue #13 finding 1).
 */
export function stripHtml(html: string): string {
  const out: string[] = [];
  let pos = 0;
  while (pos < html.length) {
    const lt = html.indexOf('<', pos);
    if (lt === -1) break;
    const gt = html.indexOf('>', lt + 1);
    // No `>` anywhere after this `<`: no tag can follow, the rest is text.
    if (gt === -1) break;
    out.push(html.slice(pos, lt));
    if (LINE_BREAK_TAG.test(html.slice(lt + 1, gt))) out.push('\n');
    pos = gt + 1;
  }
  out.push(html.slice(pos));
  return out
    .join('')
    .replace(/&(nbsp|lt|gt|quot|#39|amp);/g, (_, name: string) => own(ENTITIES, name) ?? '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * True when the text holds something that reads as an HTML tag: `<`, a letter, later a `>`.
 * Linear: the first `<letter` is the earliest start, and any `>` after it closes a tag.
 */
export function looksLikeHtml(value: string): boolean {
  const start = /<[a-z]/i.exec(value);
  return start !== null && value.lastIndexOf('>') > start.index + 1;
}

/** Plain text from a value that may hold HTML (helpdesk placeholders, comment and email bodies). */
export function plainText(value: string): string {
  return looksLikeHtml(value) ? stripHtml(value) : value.trim();
}

/** `{ agentId }` when the ticket's assignee is at one of `paths`, else nothing (QA then gets `agent_id: ""`). */
export function optionalAgent(id: string | undefined): { agentId?: string } {
  return id === undefined || id === '' ? {} : { agentId: id };
}
