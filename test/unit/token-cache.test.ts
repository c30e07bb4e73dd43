import { describe, expect, it } from 'vitest';
import { createTokenRegistry, createTokenSource, type IssuedToken } from '../../lib/token-cache.ts';

function issuer(expiresInMs: number | undefined, now: () => number) {
  let n = 0;
  const calls: number[] = [];
  return {
    calls,
    fetch: async (): Promise<IssuedToken> => {
      calls.push(now());
      await new Promise((r) => setTimeout(r, 5));
      n += 1;
      return { accessToken: `t${n}`, expiresAtMs: expiresInMs === undefined ? undefined : now() + expiresInMs };
    },
  };
}

describe('createTokenSource', () => {
  it('shares one fetch among concurrent callers and caches its token', async () => {
    const source = createTokenSource();
    const tokens = issuer(undefined, Date.now);
    expect(await Promise.all([1, 2, 3, 4, 5].map(() => source.get(tokens.fetch)))).toEqual(['t1', 't1', 't1', 't1', 't1']);
    expect(await source.get(tokens.fetch)).toBe('t1');
    expect(tokens.calls).toHaveLength(1);
  });

  it('fetches again refreshMarginMs before the expiry, not earlier', async () => {
    let nowMs = 0;
    const source = createTokenSource({ now: () => nowMs, refreshMarginMs: 1_000 });
    const tokens = issuer(10_000, () => nowMs);
    expect(await source.get(tokens.fetch)).toBe('t1');
    nowMs = 8_999;
    expect(await source.get(tokens.fetch)).toBe('t1');
    nowMs = 9_000;
    expect(await source.get(tokens.fetch)).toBe('t2');
  });

  it('does not cache a failure: the next caller fetches again', async () => {
    const source = createTokenSource();
    let fail = true;
    const fetch = async (): Promise<IssuedToken> => {
      if (fail) throw new Error('token endpoint down');
      return { accessToken: 'ok', expiresAtMs: undefined };
    };
    await expect(source.get(fetch)).rejects.toThrow('token endpoint down');
    fail = false;
    expect(await source.get(fetch)).toBe('ok');
  });

  it('invalidate drops the current token, but a stale one (already replaced) changes nothing', async () => {
    const source = createTokenSource();
    const tokens = issuer(undefined, Date.now);
    await source.get(tokens.fetch);
    source.invalidate('t1');
    expect(await source.get(tokens.fetch)).toBe('t2');
    source.invalidate('t1'); // a late 401 for the old token
    expect(await source.get(tokens.fetch)).toBe('t2');
    expect(tokens.calls).toHaveLength(2);
  });
});

describe('createTokenRegistry', () => {
  it('keeps one source per key until cleared', () => {
    const registry = createTokenRegistry();
    const a = registry.sourceFor('k', () => createTokenSource());
    expect(registry.sourceFor('k', () => createTokenSource())).toBe(a);
    expect(registry.sourceFor('other', () => createTokenSource())).not.toBe(a);
    registry.clear();
    expect(registry.sourceFor('k', () => createTokenSource())).not.toBe(a);
  });
});
