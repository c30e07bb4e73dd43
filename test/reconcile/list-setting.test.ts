import { describe, expect, it } from 'vitest';
import { listSetting } from '../../lib/reconcile/types.ts';

describe('a lister’s numeric setting', () => {
  it('is taken as given when it is a positive number', () => {
    expect(listSetting({ listPageSize: 25 }, 'listPageSize', 100)).toBe(25);
    expect(listSetting({ listMaxApiUsage: 0.5 }, 'listMaxApiUsage', 0.9)).toBe(0.5);
  });

  it.each([[0], [-1], [Number.NaN], [Number.POSITIVE_INFINITY], ['50'], [null], [undefined]])('falls back to the default for %s (a page of 0 would list nothing)', (value) => {
    expect(listSetting({ listPageSize: value as never }, 'listPageSize', 100)).toBe(100);
  });
});
