/**
 * Salesforce record ids come in two forms: 15 characters, case-sensitive, and 18 characters, the
 * 15 plus a 3-character suffix that encodes the case of the first 15 — so an 18-character id still
 * identifies the record after a case-insensitive tool (a spreadsheet, a settings form) lower-cases
 * it. Comparing "sensibly" means: reduce both to the case-correct 15-character form.
 */

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The case-correct 15-character form, or undefined when `id` is not a well-formed id. */
export function canonicalId(id: string): string | undefined {
  const value = id.trim();
  if (/^[a-zA-Z0-9]{15}$/.test(value)) return value;
  if (!/^[a-zA-Z0-9]{18}$/.test(value)) return undefined;
  let canonical = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    const flags = SUFFIX_ALPHABET.indexOf((value[15 + chunk] ?? '').toUpperCase());
    if (flags === -1) return undefined;
    for (let bit = 0; bit < 5; bit++) {
      const c = value[chunk * 5 + bit] ?? '';
      const upper = (flags & (1 << bit)) !== 0;
      if (upper && !/[a-zA-Z]/.test(c)) return undefined; // the suffix does not belong to this id
      canonical += upper ? c.toUpperCase() : c.toLowerCase();
    }
  }
  return canonical;
}

/** The 18-character form of a case-correct 15-character id (what the REST API returns). */
export function toId18(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let flags = 0;
    for (let bit = 0; bit < 5; bit++) {
      const c = id15[chunk * 5 + bit] ?? '';
      if (c >= 'A' && c <= 'Z') flags |= 1 << bit;
    }
    suffix += SUFFIX_ALPHABET[flags];
  }
  return id15 + suffix;
}

/** True when both are ids of the same record, whatever their form. */
export function sameId(a: string, b: string): boolean {
  const x = canonicalId(a);
  return x !== undefined && x === canonicalId(b);
}
