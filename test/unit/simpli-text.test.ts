import { describe, expect, it } from 'vitest';
import { cutToCodePoints, MAX_SENTIMENT_TEXT } from '../../lib/simpli/text.ts';

const codePoints = (s: string) => [...s].length;

describe('cutting text for Simpli by code points', () => {
  it('keeps 10,000 emoji (20,000 UTF-16 units), which the service counts as 10,000 characters', () => {
    const text = '😀'.repeat(12_000);
    const cut = cutToCodePoints(text, MAX_SENTIMENT_TEXT);
    expect(codePoints(cut)).toBe(10_000);
    expect(cut.isWellFormed()).toBe(true);
  });

  it('never ends inside a surrogate pair where a UTF-16 cut would', () => {
    const text = `${'a'.repeat(9_999)}😀${'b'.repeat(100)}`;
    // A cut at 10,000 UTF-16 units leaves half an emoji: the real service answers 422 string_unicode.
    expect(text.slice(0, 10_000).isWellFormed()).toBe(false);
    const cut = cutToCodePoints(text, 10_000);
    expect(cut).toBe(`${'a'.repeat(9_999)}😀`);
  });

  it('keeps a grapheme whole: a family emoji or a letter with combining marks is not split', () => {
    const family = '👨\u200D👩\u200D👧';
    expect(cutToCodePoints(`${'a'.repeat(9_998)}${family}zz`, 10_000)).toBe('a'.repeat(9_998));
    expect(cutToCodePoints(`${'a'.repeat(9_999)}e\u0301\u0301x`, 10_000)).toBe('a'.repeat(9_999));
  });

  it('returns short text unchanged and replaces a lone surrogate already there', () => {
    expect(cutToCodePoints('héllo 😀', 10)).toBe('héllo 😀');
    expect(cutToCodePoints('a\uD800b', 10)).toBe('a\uFFFDb');
  });

  it('falls back to the code-point cut inside an endless cluster (zalgo text)', () => {
    const cut = cutToCodePoints(`a${'\u0301'.repeat(20_000)}`, 10_000);
    expect(codePoints(cut)).toBe(10_000);
  });
});
