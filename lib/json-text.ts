/**
 * One linear pass over JSON text, before JSON.parse, for what JSON.parse gets wrong for us:
 * - nesting deeper than MAX_JSON_DEPTH: V8 parses it, but every recursive walk after (identity
 *   hashing, JSON.stringify into the queue message) throws RangeError → 500 (issue #13 finding 9);
 * - numbers a double cannot hold (`9007199254740993`, `1e309`): JSON.parse rounds them to another
 *   ticket or to Infinity (finding 10), so they are kept as the helpdesk wrote them, as strings.
 */

/** Deeper than any helpdesk payload (Intercom's, the deepest, is under 10 levels). */
export const MAX_JSON_DEPTH = 64;

export interface JsonTextScan {
  readonly maxDepth: number;
  /** [start, end) of each number token that a double would not hold exactly. */
  readonly lossyNumbers: readonly (readonly [number, number])[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2b || c === MINUS || c === 0x2e || c === 0x45 || c === 0x65;
}

/** Scans well-formed or not text; what is not JSON is left for JSON.parse to refuse. */
export function scanJsonText(text: string): JsonTextScan {
  let depth = 0;
  let maxDepth = 0;
  const lossyNumbers: [number, number][] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Skip the string (natively, with indexOf): to the next quote not escaped by an odd run of
      // backslashes. Each run is counted once, by the quote that ends it: linear.
      let end = text.indexOf('"', i + 1);
      while (end !== -1 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
      if (end === -1) break;
      i = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      if (depth > maxDepth) maxDepth = depth;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    } else if (c === MINUS || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      while (i + 1 < text.length && isNumberChar(text.charCodeAt(i + 1))) i++;
      // Short tokens without an exponent are exact: 15 significant digits always fit a double.
      if (i + 1 - start > 15 || /[eE]/.test(text.slice(start, i + 1))) {
        if (isLossy(text.slice(start, i + 1))) lossyNumbers.push([start, i + 1]);
      }
    }
  }
  return { maxDepth, lossyNumbers };
}

function isEscaped(text: string, quote: number): boolean {
  let backslashes = 0;
  for (let k = quote - 1; k >= 0 && text.charCodeAt(k) === BACKSLASH; k--) backslashes++;
  return backslashes % 2 === 1;
}

function isLossy(token: string): boolean {
  const value = Number(token);
  if (Number.isNaN(value)) return false; // not a number: JSON.parse decides
  return !Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value));
}

/** `text` with each lossy number token wrapped in quotes (a JSON string of the same digits). */
export function quoteLossyNumbers(text: string, lossy: JsonTextScan['lossyNumbers']): string {
  if (lossy.length === 0) return text;
  const parts: string[] = [];
  let pos = 0;
  for (const [start, end] of lossy) {
    parts.push(text.slice(pos, start), '"', text.slice(start, end), '"');
    pos = end;
  }
  parts.push(text.slice(pos));
  return parts.join('');
}
