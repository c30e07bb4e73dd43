/**
 * Own-property lookups for tables keyed by what a request says (event names, topics, statuses,
 * entity names). A plain `table[key]` also finds what every object inherits — `constructor`,
 * `toString`, `__proto__` — and so turns a webhook's `"topic": "constructor"` into a function.
 */

/** `table[key]` when `key` is the table's own property, else undefined. */
export function own<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
