/**
 * lib/schema.ts, the validator that replaced zod/mini in the bundles (issue #10): each construct
 * against expectations written by hand, then against zod/mini itself (a dev dependency, never
 * bundled) on a corpus of values, and its time on a large input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as zod from 'zod/mini';
import * as z from '../../lib/schema.ts';

const issuesOf = (s: z.Schema<unknown>, value: unknown) => {
  const result = s.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => ({ path: i.path, message: i.message, ...(i.keys ? { keys: i.keys } : {}) }));
};

describe('lib/schema.ts constructs', () => {
  it('strings, with length and pattern checks, and URLs', () => {
    const text = z.string().check(z.minLength(1), z.maxLength(3));
    expect(text.safeParse('abc')).toEqual({ success: true, data: 'abc' });
    expect(issuesOf(text, '')).toEqual([{ path: [], message: 'Too small: expected string to have >=1 characters' }]);
    expect(issuesOf(text, 'abcd')).toEqual([{ path: [], message: 'Too big: expected string to have <=3 characters' }]);
    expect(issuesOf(text, 7)).toEqual([{ path: [], message: 'Invalid input: expected string, received number' }]);
    const name = z.string().check(z.regex(/^[a-z]+$/));
    expect(name.safeParse('abc').success).toBe(true);
    expect(issuesOf(name, 'aB')).toEqual([{ path: [], message: 'Invalid string: must match pattern /^[a-z]+$/' }]);
    expect(z.url().safeParse('https://api.hubapi.com').success).toBe(true);
    expect(issuesOf(z.url(), 'api.hubapi.com')).toEqual([{ path: [], message: 'Invalid URL' }]);
  });

  it('numbers: finite only, integer and range checks', () => {
    const n = z.number().check(z.int(), z.minimum(1), z.maximum(10));
    expect(n.safeParse(10)).toEqual({ success: true, data: 10 });
    expect(issuesOf(n, 1.5).map((i) => i.message)).toEqual(['Invalid input: expected int, received number']);
    expect(issuesOf(n, 0).map((i) => i.message)).toEqual(['Too small: expected number to be >=1']);
    expect(issuesOf(n, 11).map((i) => i.message)).toEqual(['Too big: expected number to be <=10']);
    expect(issuesOf(z.number(), Number.NaN).map((i) => i.message)).toEqual(['Invalid input: expected number, received NaN']);
    expect(z.number().safeParse(Number.POSITIVE_INFINITY).success).toBe(false);
    expect(issuesOf(z.number().check(z.positive()), 0).map((i) => i.message)).toEqual(['Too small: expected number to be >0']);
  });

  it('literals, enums, booleans, unions, nullable, unknown', () => {
    expect(z.literal(1).safeParse(1).success).toBe(true);
    expect(issuesOf(z.literal('hmac'), 'HMAC')).toEqual([{ path: [], message: 'Invalid input: expected "hmac"' }]);
    expect(issuesOf(z.enum(['a', 'b']), 'c')).toEqual([{ path: [], message: 'Invalid option: expected one of "a"|"b"' }]);
    expect(z.boolean().safeParse(false)).toEqual({ success: true, data: false });
    const idish = z.union([z.string(), z.number()]);
    expect(idish.safeParse(7)).toEqual({ success: true, data: 7 });
    expect(issuesOf(idish, true)).toEqual([{ path: [], message: 'Invalid input: matches none of the allowed forms' }]);
    expect(z.nullable(z.string()).safeParse(null)).toEqual({ success: true, data: null });
    expect(z.nullable(z.string()).safeParse(undefined).success).toBe(false);
    expect(z.unknown().safeParse({ any: ['thing'] })).toEqual({ success: true, data: { any: ['thing'] } });
  });

  it('arrays: every item checked, each issue at its index; length checks count items', () => {
    const list = z.array(z.string()).check(z.minLength(1), z.maxLength(2));
    expect(issuesOf(list, ['a', 2, 'c', 4]).map((i) => i.path)).toEqual([[1], [3]]);
    expect(issuesOf(list, [])).toEqual([{ path: [], message: 'Too small: expected array to have >=1 items' }]);
    expect(issuesOf(list, ['a', 'b', 'c'])).toEqual([{ path: [], message: 'Too big: expected array to have <=2 items' }]);
    expect(issuesOf(list, 'a')).toEqual([{ path: [], message: 'Invalid input: expected array, received string' }]);
  });

  it('objects: plain ones drop unknown keys, loose ones keep them, strict ones name them', () => {
    const shape = { id: z.string(), note: z.optional(z.string()) };
    expect(z.object(shape).safeParse({ id: 'x', other: 1 })).toEqual({ success: true, data: { id: 'x' } });
    expect(z.looseObject(shape).safeParse({ id: 'x', other: 1 })).toEqual({ success: true, data: { id: 'x', other: 1 } });
    expect(issuesOf(z.strictObject(shape), { id: 'x', other: 1, more: 2 })).toEqual([
      { path: [], message: 'Unrecognized keys: "other", "more"', keys: ['other', 'more'] },
    ]);
    // Optional keys may be absent; required ones are reported at their path, as are nested issues.
    expect(z.strictObject(shape).safeParse({ id: 'x' })).toEqual({ success: true, data: { id: 'x' } });
    expect(issuesOf(z.object(shape), { note: 3 }).map((i) => i.path)).toEqual([['id'], ['note']]);
    const nested = z.object({ a: z.object({ b: z.array(z.object({ c: z.number() })) }) });
    expect(issuesOf(nested, { a: { b: [{ c: 1 }, { c: 'x' }] } }).map((i) => i.path)).toEqual([['a', 'b', 1, 'c']]);
    expect(issuesOf(z.object(shape), null)).toEqual([{ path: [], message: 'Invalid input: expected object, received null' }]);
    // A required key must be present even when any value would do (the queue message's payload).
    expect(issuesOf(z.object({ payload: z.unknown() }), {})).toEqual([{ path: ['payload'], message: 'Invalid input: expected a value, received undefined' }]);
    expect(z.object({ payload: z.unknown() }).safeParse({ payload: null })).toEqual({ success: true, data: { payload: null } });
    expect(issuesOf(z.object(shape), ['x'])).toEqual([{ path: [], message: 'Invalid input: expected object, received array' }]);
  });

  it('records: keys and values checked, an invalid key at its own path; __proto__ stays an own key', () => {
    const secrets = z.record(z.union([z.enum(['zendesk']), z.string().check(z.regex(/^[a-z]+$/))]), z.array(z.string()));
    expect(secrets.safeParse({ zendesk: ['s'], acme: [] }).success).toBe(true);
    expect(issuesOf(secrets, { Bad_Name: ['s'] }).map((i) => i.path)).toEqual([['Bad_Name']]);
    expect(issuesOf(secrets, { zendesk: 's' }).map((i) => i.path)).toEqual([['zendesk']]);
    const parsed = z.record(z.string(), z.unknown()).safeParse(JSON.parse('{"__proto__": {"polluted": true}}'));
    expect(parsed.success).toBe(true);
    const data = parsed.success ? (parsed.data as Record<string, unknown>) : {};
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.keys(data)).toEqual(['__proto__']);
    expect((data as { polluted?: unknown }).polluted).toBeUndefined();
    const priority = z.partialRecord(z.enum(['low', 'high']), z.string());
    expect(priority.safeParse({ low: '1' }).success).toBe(true);
    expect(issuesOf(priority, { medium: '2' }).map((i) => i.path)).toEqual([['medium']]);
  });

  it('discriminated unions: the key picks the option, whose issues are reported; an unknown key value at the key', () => {
    const auth = z.discriminatedUnion('type', [
      z.strictObject({ type: z.literal('none') }),
      z.strictObject({ type: z.literal('bearer'), token: z.string() }),
    ]);
    expect(auth.safeParse({ type: 'bearer', token: 't' })).toEqual({ success: true, data: { type: 'bearer', token: 't' } });
    expect(issuesOf(auth, { type: 'bearer' }).map((i) => i.path)).toEqual([['token']]);
    expect(issuesOf(auth, { type: 'basic' })).toEqual([{ path: ['type'], message: 'Invalid input: expected type to be one of "none"|"bearer"' }]);
  });

  it('writes draft 2020-12 JSON Schema as zod/mini did, key order included, for the forms spec.ts uses', () => {
    // (zod also writes an int's safe-integer bounds when none is given, and a union of bare
    // primitives as a type list; the connector specification has neither, and lib/schema.ts does not.)
    const s = z.strictObject({
      name: z.string().check(z.minLength(1), z.maxLength(9)),
      kind: z.literal('x'),
      tries: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(9))),
      paths: z.array(z.string()).check(z.minLength(1)),
      map: z.optional(z.record(z.string(), z.enum(['a', 'b']))),
      either: z.optional(z.union([z.string().check(z.minLength(1)), z.number()])),
      body: z.optional(z.unknown()),
    });
    const same = zod.strictObject({
      name: zod.string().check(zod.minLength(1), zod.maxLength(9)),
      kind: zod.literal('x'),
      tries: zod.optional(zod.number().check(zod.int(), zod.minimum(1), zod.maximum(9))),
      paths: zod.array(zod.string()).check(zod.minLength(1)),
      map: zod.optional(zod.record(zod.string(), zod.enum(['a', 'b']))),
      either: zod.optional(zod.union([zod.string().check(zod.minLength(1)), zod.number()])),
      body: zod.optional(zod.unknown()),
    });
    expect(JSON.stringify(z.toJSONSchema(s))).toBe(JSON.stringify(zod.toJSONSchema(same, { target: 'draft-2020-12' })));
  });
});

/** Pairs of the same schema in both libraries, and values to run through both. */
const PAIRS: ReadonlyArray<readonly [string, z.Schema<unknown>, zod.ZodMiniType]> = [
  ['text', z.string().check(z.minLength(1), z.maxLength(4)), zod.string().check(zod.minLength(1), zod.maxLength(4))],
  ['pattern', z.string().check(z.regex(/^[a-z0-9-]{1,8}$/)), zod.string().check(zod.regex(/^[a-z0-9-]{1,8}$/))],
  ['url', z.url(), zod.url()],
  ['int range', z.number().check(z.int(), z.minimum(1), z.maximum(5)), zod.number().check(zod.int(), zod.minimum(1), zod.maximum(5))],
  ['positive int', z.number().check(z.int(), z.positive()), zod.number().check(zod.int(), zod.positive())],
  ['enum or pattern', z.union([z.enum(['zendesk', 'hubspot']), z.string().check(z.regex(/^[a-z]+$/))]), zod.union([zod.enum(['zendesk', 'hubspot']), zod.string().check(zod.regex(/^[a-z]+$/))])],
  ['nullable text', z.nullable(z.string().check(z.minLength(1))), zod.nullable(zod.string().check(zod.minLength(1)))],
  ['list', z.array(z.union([z.string(), z.number()])).check(z.minLength(1)), zod.array(zod.union([zod.string(), zod.number()])).check(zod.minLength(1))],
  ['record', z.record(z.string().check(z.minLength(1)), z.array(z.string())), zod.record(zod.string().check(zod.minLength(1)), zod.array(zod.string()))],
  ['partial record', z.partialRecord(z.enum(['low', 'high']), z.string()), zod.partialRecord(zod.enum(['low', 'high']), zod.string())],
  [
    'strict object',
    z.strictObject({ type: z.literal('hmac'), header: z.string(), tolerance: z.optional(z.number()) }),
    zod.strictObject({ type: zod.literal('hmac'), header: zod.string(), tolerance: zod.optional(zod.number()) }),
  ],
  ['loose object', z.looseObject({ score: z.number(), label: z.optional(z.string()) }), zod.looseObject({ score: zod.number(), label: zod.optional(zod.string()) })],
  ['object', z.object({ v: z.literal(1), payload: z.unknown(), remember: z.optional(z.boolean()) }), zod.object({ v: zod.literal(1), payload: zod.unknown(), remember: zod.optional(zod.boolean()) })],
  [
    'discriminated',
    z.discriminatedUnion('type', [z.strictObject({ type: z.literal('none') }), z.strictObject({ type: z.literal('bearer'), token: z.string() })]),
    zod.discriminatedUnion('type', [zod.strictObject({ type: zod.literal('none') }), zod.strictObject({ type: zod.literal('bearer'), token: zod.string() })]),
  ],
];

const CORPUS: readonly unknown[] = [
  undefined, null, true, false, 0, 1, 3, 5, 6, -1, 1.5, Number.NaN, '', 'a', 'abcd', 'abcde', 'zendesk', 'Bad_Name', 'low',
  'https://example.com/x', 'example.com', 'mailto:a@b.c', [], ['a'], [1, 'b'], [true], [null], {}, { a: [] }, { '': ['x'] },
  { low: 'x' }, { medium: 'x' }, { low: 1 }, { type: 'hmac', header: 'x' }, { type: 'hmac', header: 'x', extra: 1 },
  { type: 'hmac' }, { type: 'none' }, { type: 'bearer', token: 't' }, { type: 'bearer' }, { type: 'basic' }, { score: 1 },
  { score: 1, label: 'x', more: [1] }, { score: '1' }, { v: 1, payload: { a: 1 } }, { v: 1 }, { v: 2, payload: null },
  { v: 1, payload: 1, remember: 'yes' }, { tolerance: 1, type: 'hmac', header: 'h' },
];

describe('lib/schema.ts against zod/mini', () => {
  it('accepts and refuses what zod/mini does, with the same data and issue paths', () => {
    for (const [label, ours, theirs] of PAIRS) {
      for (const value of CORPUS) {
        const a = ours.safeParse(value);
        const b = theirs.safeParse(value);
        const what = `${label}: ${JSON.stringify(value)}`;
        expect(a.success, what).toBe(b.success);
        if (a.success && b.success) expect(a.data, what).toEqual(b.data);
        if (!a.success && !b.success) {
          // As precise as zod or more: each of our paths extends one of zod's, and each of zod's is
          // extended by one of ours. (zod runs a string's checks even on a non-string, reports a
          // discriminator's failure at the union and an enum record's stray key at the record;
          // lib/schema.ts reports once, at the key it read.)
          const ourPaths = a.error.issues.map((i) => i.path.map(String));
          const zodPaths = b.error.issues.map((i) => i.path.map(String));
          const extends_ = (p: string[], prefix: string[]) => prefix.every((segment, i) => p[i] === segment);
          for (const p of ourPaths) expect(zodPaths.some((q) => extends_(p, q)), `${what}: ours at ${p.join('.')}`).toBe(true);
          for (const q of zodPaths) expect(ourPaths.some((p) => extends_(p, q)), `${what}: zod at ${q.join('.')}`).toBe(true);
        }
      }
    }
  });
});

describe('lib/schema.ts against zod/mini on generated values (fast-check)', () => {
  const key = fc.constantFrom('type', 'header', 'token', 'tolerance', 'score', 'label', 'v', 'payload', 'remember', 'low', 'medium', 'high', 'a', '', 'extra');
  const leaf = fc.oneof(
    fc.constantFrom('hmac', 'none', 'bearer', 'basic', 'zendesk', 'Bad_Name', 'low', 'https://example.com/a', 'x:y', '', 'abcd', 'abcde'),
    fc.integer({ min: -2, max: 7 }),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
  );
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(key, tie('value'), { maxKeys: 4 })),
  }));

  it('agrees on acceptance, and on the data of what both accept', () => {
    for (const [label, ours, theirs] of PAIRS) {
      fc.assert(
        fc.property(value, (v) => {
          const a = ours.safeParse(v);
          const b = theirs.safeParse(v);
          expect(a.success, `${label}: ${JSON.stringify(v)}`).toBe(b.success);
          if (a.success && b.success) expect(a.data).toEqual(b.data);
        }),
        { numRuns: 300 },
      );
    }
  });
});

describe('lib/schema.ts is linear in its input', () => {
  const list = z.array(z.strictObject({ id: z.string().check(z.minLength(1)), tags: z.optional(z.array(z.string())) }));
  const input = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `e-${i}`, tags: ['a', 'b'] }));
  const bestMs = (value: unknown) => {
    let best = Number.POSITIVE_INFINITY;
    for (let trial = 0; trial < 5; trial++) {
      const started = performance.now();
      list.safeParse(value);
      best = Math.min(best, performance.now() - started);
    }
    return best;
  };

  it('10× the items take at most 30× the time (quadratic would be 100×)', () => {
    const small = input(5_000);
    const large = input(50_000);
    bestMs(small);
    // The machine is shared: measured again when over the bound; quadratic growth repeats, noise does not.
    let ratio = bestMs(large) / bestMs(small);
    for (let retry = 0; retry < 2 && ratio > 30; retry++) ratio = Math.min(ratio, bestMs(large) / bestMs(small));
    expect(ratio).toBeLessThanOrEqual(30);
    expect(list.safeParse(large).success).toBe(true);
  });
});
