/**
 * Field mappings as data: each normalized field lists the payload paths to try, first present
 * wins. Providers ship defaults; a deployment overrides them per field in HELPDESK_CONFIG
 * (`"fieldMap": {"customerId": ["custom.account_id"]}`) for custom fields.
 */

/** Dotted path lookup: `a.b.0.c` walks objects and arrays. */
export function at(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
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
    if (key in defaults && Array.isArray(paths) && paths.every((p) => typeof p === 'string')) merged[key] = paths;
  }
  return merged as FieldMap<K>;
}

/** Plain text from HTML bodies some helpdesks send (Intercom, Zendesk html_body). */
export function stripHtml(html: string): string {
  return html
    .replace(/<(br|\/p|\/div|\/li)\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Plain text from a value that may hold HTML (helpdesk placeholders, comment and email bodies). */
export function plainText(value: string): string {
  return /<[a-z][^>]*>/i.test(value) ? stripHtml(value) : value.trim();
}

/** `{ agentId }` when the ticket's assignee is at one of `paths`, else nothing (QA then gets `agent_id: ""`). */
export function optionalAgent(id: string | undefined): { agentId?: string } {
  return id === undefined || id === '' ? {} : { agentId: id };
}
