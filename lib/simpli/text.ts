/**
 * Cutting text for Simpli. The services validate lengths with pydantic, which counts code points
 * (Python `len`), and refuse invalid Unicode (a lone surrogate → 422 `string_unicode`):
 * ../shared/reference/simpli.md, "The real Sentiment service".
 */

/** Sentiment `text`: 1–10,000 characters (simpli-sentiment's request model). */
export const MAX_SENTIMENT_TEXT = 10_000;

// Created on first use: building a Segmenter loads ICU's break-iterator data (about 11 ms of the
// cold start, measured with `node --cpu-prof`), and only texts longer than the limit need it.
let segmenter: Intl.Segmenter | undefined;

/**
 * The longest prefix of `text` with at most `maxCodePoints` code points that ends on a grapheme
 * boundary (an emoji with its modifiers, a letter with its combining marks, stays whole). Lone
 * surrogates already in the text become U+FFFD, so the result is always valid Unicode.
 * Linear: one pass over the first `maxCodePoints` code points, plus a small window for graphemes.
 */
export function cutToCodePoints(text: string, maxCodePoints: number): string {
  const valid = text.toWellFormed();
  let units = 0;
  let count = 0;
  while (units < valid.length && count < maxCodePoints) {
    const c = valid.charCodeAt(units);
    units += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    count++;
  }
  if (units >= valid.length) return valid;
  // Back off to the last grapheme boundary at or before `units`, looking at a bounded window
  // (no real grapheme cluster is longer than this; past it, the code-point cut stands).
  const windowStart = Math.max(0, units - 64);
  let boundary = 0;
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  for (const { index } of segmenter.segment(valid.slice(windowStart, units + 64))) {
    if (windowStart + index > units) break;
    // The window's own start is no boundary (it may even split a surrogate pair).
    if (index > 0 || windowStart === 0) boundary = windowStart + index;
  }
  return valid.slice(0, boundary > 0 ? boundary : units);
}
