/**
 * The bridge's validator: the handful of zod/mini constructs the bridge used (issue #10), written
 * small. zod/mini was 30.5 KB of every bundle's 117–150 KB over its SDK-only floor, more than any
 * other part, for schemas of a queue message, five Simpli answers and the configuration.
 *
 * The API is the subset of zod/mini's the code called (`z.string().check(z.minLength(1))`,
 * `z.strictObject({...})`, `safeParse`), with zod's semantics where callers rely on them:
 * `object` drops unknown keys, `looseObject` keeps them, `strictObject` reports them (an issue with
 * `keys`); optional keys may be absent or `undefined`; issues carry the path from the root.
 * `toJSONSchema` writes draft 2020-12 as zod did (infra/connector-schema.ts).
 *
 * Linear in the input: each value is visited once per schema that can accept it (a union tries
 * each option, a discriminated union only the one its key names). Nesting is bounded by the
 * schemas, which are not recursive, so hostile depth is never walked.
 */

export type Path = readonly (string | number)[];

export interface Issue {
  readonly code: 'invalid_type' | 'invalid_value' | 'too_small' | 'too_big' | 'invalid_format' | 'not_integer' | 'unrecognized_keys' | 'invalid_union' | 'invalid_key';
  readonly path: Path;
  readonly message: string;
  /** unrecognized_keys: the keys no schema names. */
  readonly keys?: readonly string[];
}

export type SafeParseResult<T> = { readonly success: true; readonly data: T } | { readonly success: false; readonly error: { readonly issues: readonly Issue[] } };

type Json = { [key: string]: unknown };

/** A check on a string's or array's length, a number's range or a string's form. */
export interface Check {
  readonly kind: 'minLength' | 'maxLength' | 'regex' | 'int' | 'positive' | 'minimum' | 'maximum';
  readonly value?: number | RegExp;
}

const INVALID: unique symbol = Symbol('invalid');
type Out<T> = T | typeof INVALID;

export interface Schema<T> {
  /** The type a successful parse returns (types only). */
  readonly _output: T;
  safeParse(value: unknown): SafeParseResult<T>;
  /** The same schema with `checks` added (they run after the type check). */
  check(...checks: readonly Check[]): Schema<T>;
  /** @internal Validates `value` at `path`, pushing issues; the parsed value or INVALID. */
  readonly run: (value: unknown, path: Path, issues: Issue[]) => Out<T>;
  /** @internal What the schema is, as data (toJSONSchema reads it; the bundles never do). */
  readonly def: Def;
  readonly checks: readonly Check[];
  /** @internal Set by `optional`. */
  readonly isOptional?: boolean;
}

/** A schema's kind and parts. */
type Def =
  | { readonly t: 'string' | 'url' | 'number' | 'boolean' | 'unknown' }
  | { readonly t: 'literal'; readonly value: string | number | boolean }
  | { readonly t: 'enum'; readonly values: readonly string[] }
  | { readonly t: 'optional' | 'nullable'; readonly inner: Schema<unknown> }
  | { readonly t: 'array'; readonly item: Schema<unknown> }
  | { readonly t: 'union' | 'oneOf'; readonly options: readonly Schema<unknown>[] }
  | { readonly t: 'object'; readonly shape: Shape; readonly unknowns: Unknowns }
  | { readonly t: 'record'; readonly key: Schema<unknown>; readonly value: Schema<unknown> };

/** What `optional` returns: a key of an object that may be absent. */
export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly isOptional: true;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;
export type { Infer as infer };

function schema<T>(run: Schema<T>['run'], def: Def, checks: readonly Check[] = [], extra: { isOptional?: boolean } = {}): Schema<T> {
  const checked: Schema<T>['run'] =
    checks.length === 0
      ? run
      : (value, path, issues) => {
          const out = run(value, path, issues);
          if (out === INVALID) return out;
          const before = issues.length;
          for (const c of checks) applyCheck(c, out, path, issues);
          return issues.length === before ? out : INVALID;
        };
  const self: Schema<T> = {
    _output: undefined as T,
    run: checked,
    def,
    checks,
    ...extra,
    safeParse(value) {
      const issues: Issue[] = [];
      const data = self.run(value, [], issues);
      return data === INVALID || issues.length > 0 ? { success: false, error: { issues } } : { success: true, data };
    },
    check: (...more) => schema(run, def, [...checks, ...more], extra),
  };
  return self;
}

const typeName = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isNaN(value) ? 'NaN' : typeof value);

function invalidType(expected: string, value: unknown, path: Path, issues: Issue[]): typeof INVALID {
  issues.push({ code: 'invalid_type', path, message: `Invalid input: expected ${expected}, received ${typeName(value)}` });
  return INVALID;
}

const quoted = (values: readonly unknown[]) => values.map((v) => JSON.stringify(v)).join('|');

function applyCheck(c: Check, value: unknown, path: Path, issues: Issue[]): void {
  const n = c.value as number;
  if (c.kind === 'minLength' || c.kind === 'maxLength') {
    const isArray = Array.isArray(value);
    const length = isArray ? value.length : String(value).length;
    const unit = isArray ? 'items' : 'characters';
    const what = isArray ? 'array' : 'string';
    if (c.kind === 'minLength' && length < n) issues.push({ code: 'too_small', path, message: `Too small: expected ${what} to have >=${n} ${unit}` });
    if (c.kind === 'maxLength' && length > n) issues.push({ code: 'too_big', path, message: `Too big: expected ${what} to have <=${n} ${unit}` });
    return;
  }
  if (c.kind === 'regex') {
    const re = c.value as RegExp;
    re.lastIndex = 0;
    if (!re.test(String(value))) issues.push({ code: 'invalid_format', path, message: `Invalid string: must match pattern ${String(re)}` });
    return;
  }
  const x = value as number;
  if (c.kind === 'int' && !Number.isSafeInteger(x)) issues.push({ code: 'not_integer', path, message: 'Invalid input: expected int, received number' });
  if (c.kind === 'positive' && !(x > 0)) issues.push({ code: 'too_small', path, message: 'Too small: expected number to be >0' });
  if (c.kind === 'minimum' && !(x >= n)) issues.push({ code: 'too_small', path, message: `Too small: expected number to be >=${n}` });
  if (c.kind === 'maximum' && !(x <= n)) issues.push({ code: 'too_big', path, message: `Too big: expected number to be <=${n}` });
}

/** The JSON Schema keywords of `checks`, where zod put them: after `type` for strings and numbers, before it for arrays. */
function withChecks(json: Json, checks: readonly Check[]): Json {
  if (checks.length === 0) return json;
  const words: Json = {};
  const isArray = json.type === 'array';
  for (const c of checks) {
    if (c.kind === 'minLength') words[isArray ? 'minItems' : 'minLength'] = c.value;
    else if (c.kind === 'maxLength') words[isArray ? 'maxItems' : 'maxLength'] = c.value;
    else if (c.kind === 'regex') words.pattern = (c.value as RegExp).source;
    else if (c.kind === 'int') json = { ...json, type: 'integer' };
    else if (c.kind === 'positive') words.exclusiveMinimum = 0;
    else words[c.kind] = c.value;
  }
  return isArray ? { ...words, ...json } : { ...json, ...words };
}

// Checks, as zod/mini names them.
export const minLength = (value: number): Check => ({ kind: 'minLength', value });
export const maxLength = (value: number): Check => ({ kind: 'maxLength', value });
export const regex = (value: RegExp): Check => ({ kind: 'regex', value });
export const int = (): Check => ({ kind: 'int' });
export const positive = (): Check => ({ kind: 'positive' });
export const minimum = (value: number): Check => ({ kind: 'minimum', value });
export const maximum = (value: number): Check => ({ kind: 'maximum', value });

export function string(): Schema<string> {
  return schema((v, path, issues) => (typeof v === 'string' ? v : invalidType('string', v, path, issues)), { t: 'string' });
}

/** A string that parses as a URL (WHATWG `URL`), as zod's `z.url()`. */
export function url(): Schema<string> {
  return schema(
    (v, path, issues) => {
      if (typeof v !== 'string') return invalidType('string', v, path, issues);
      if (!URL.canParse(v)) {
        issues.push({ code: 'invalid_format', path, message: 'Invalid URL' });
        return INVALID;
      }
      return v;
    },
    { t: 'url' },
  );
}

/** A finite number (NaN and ±Infinity are refused, as zod does). */
export function number(): Schema<number> {
  return schema((v, path, issues) => (typeof v === 'number' && Number.isFinite(v) ? v : invalidType('number', v, path, issues)), { t: 'number' });
}

export function boolean(): Schema<boolean> {
  return schema((v, path, issues) => (typeof v === 'boolean' ? v : invalidType('boolean', v, path, issues)), { t: 'boolean' });
}

export function unknown(): Schema<unknown> {
  return schema((v) => v, { t: 'unknown' });
}

export function literal<const L extends string | number | boolean>(value: L): Schema<L> {
  return schema(
    (v, path, issues) => {
      if (v === value) return value;
      issues.push({ code: 'invalid_value', path, message: `Invalid input: expected ${JSON.stringify(value)}` });
      return INVALID;
    },
    { t: 'literal', value },
  );
}

function enumOf<const E extends readonly string[]>(values: E): Schema<E[number]> {
  const allowed = new Set<unknown>(values);
  return schema(
    (v, path, issues) => {
      if (allowed.has(v)) return v as E[number];
      issues.push({ code: 'invalid_value', path, message: `Invalid option: expected one of ${quoted(values)}` });
      return INVALID;
    },
    { t: 'enum', values },
  );
}
export { enumOf as enum };

export function optional<T>(inner: Schema<T>): OptionalSchema<T> {
  return schema<T | undefined>((v, path, issues) => (v === undefined ? undefined : inner.run(v, path, issues)), { t: 'optional', inner }, [], { isOptional: true }) as OptionalSchema<T>;
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return schema<T | null>(
    (v, path, issues) => (v === null ? null : inner.run(v, path, issues)),
    { t: 'nullable', inner },
  );
}

export function array<T>(item: Schema<T>): Schema<T[]> {
  return schema(
    (v, path, issues) => {
      if (!Array.isArray(v)) return invalidType('array', v, path, issues);
      const out: T[] = [];
      let ok = true;
      for (let i = 0; i < v.length; i++) {
        const parsed = item.run(v[i], [...path, i], issues);
        if (parsed === INVALID) ok = false;
        else out.push(parsed);
      }
      return ok ? out : INVALID;
    },
    { t: 'array', item },
  );
}

/** The first option that accepts the value; the issues of all of them when none does. */
export function union<const S extends readonly Schema<unknown>[]>(options: S): Schema<Infer<S[number]>> {
  return schema(
    (v, path, issues) => {
      for (const option of options) {
        const tried: Issue[] = [];
        const out = option.run(v, path, tried);
        if (out !== INVALID && tried.length === 0) return out as Infer<S[number]>;
      }
      issues.push({ code: 'invalid_union', path, message: 'Invalid input: matches none of the allowed forms' });
      return INVALID;
    },
    { t: 'union', options },
  );
}

type Shape = Readonly<Record<string, Schema<unknown>>>;
type Optionals<S extends Shape> = { [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never }[keyof S];
type ObjectOf<S extends Shape> = { [K in Exclude<keyof S, Optionals<S>>]: Infer<S[K]> } & { [K in Optionals<S>]?: Infer<S[K]> };
type Flat<T> = { [K in keyof T]: T[K] } & {};
type Unknowns = 'strip' | 'passthrough' | 'strict';

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sets an own property whatever its name: `out[name] = …` with a key `__proto__` (JSON.parse makes one) would set the prototype. */
function setOwn(out: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
}

function objectSchema<S extends Shape, T>(shape: S, unknowns: Unknowns): Schema<T> {
  const keys = Object.keys(shape);
  return schema(
    (v, path, issues) => {
      if (!isPlainObject(v)) return invalidType('object', v, path, issues);
      const out: Record<string, unknown> = unknowns === 'passthrough' ? { ...v } : {};
      let ok = true;
      for (const key of keys) {
        const field = shape[key] as Schema<unknown>;
        const present = Object.hasOwn(v, key);
        const before = issues.length;
        const parsed = field.run(present ? v[key] : undefined, [...path, key], issues);
        // A required key must be there, even for a schema that takes any value (`unknown`), as in zod 4.
        if (!present && field.isOptional !== true && parsed !== INVALID && issues.length === before) {
          issues.push({ code: 'invalid_type', path: [...path, key], message: 'Invalid input: expected a value, received undefined' });
          ok = false;
        } else if (parsed === INVALID) ok = false;
        else if (parsed !== undefined || present) out[key] = parsed;
      }
      if (unknowns === 'strict') {
        const extra = Object.keys(v).filter((key) => !Object.hasOwn(shape, key));
        if (extra.length > 0) {
          issues.push({ code: 'unrecognized_keys', path, keys: extra, message: `Unrecognized key${extra.length === 1 ? '' : 's'}: ${extra.map((k) => JSON.stringify(k)).join(', ')}` });
          ok = false;
        }
      }
      return ok ? (out as T) : INVALID;
    },
    { t: 'object', shape, unknowns },
  );
}

/** Unknown keys dropped. */
export const object = <S extends Shape>(shape: S): Schema<Flat<ObjectOf<S>>> => objectSchema(shape, 'strip');
/** Unknown keys kept as they are. */
export const looseObject = <S extends Shape>(shape: S): Schema<Flat<ObjectOf<S> & Record<string, unknown>>> => objectSchema(shape, 'passthrough');
/** Unknown keys refused, by name. */
export const strictObject = <S extends Shape>(shape: S): Schema<Flat<ObjectOf<S>>> => objectSchema(shape, 'strict');

/** One of `options`, picked by the literal at `key` (each option a strict or plain object with a literal there). */
export function discriminatedUnion<const S extends readonly Schema<unknown>[]>(key: string, options: S): Schema<Infer<S[number]>> {
  const byValue = new Map<unknown, Schema<unknown>>();
  for (const option of options) {
    const field = option.def.t === 'object' ? option.def.shape[key]?.def : undefined;
    byValue.set(field?.t === 'literal' ? field.value : undefined, option);
  }
  return schema(
    (v, path, issues) => {
      if (!isPlainObject(v)) return invalidType('object', v, path, issues);
      const option = byValue.get(v[key]);
      if (option === undefined) {
        issues.push({ code: 'invalid_union', path: [...path, key], message: `Invalid input: expected ${key} to be one of ${quoted([...byValue.keys()])}` });
        return INVALID;
      }
      return option.run(v, path, issues) as Out<Infer<S[number]>>;
    },
    { t: 'oneOf', options },
  );
}

/** An object whose every key passes `key` and every value `value`. */
export function record<K extends string, V>(key: Schema<K>, value: Schema<V>): Schema<Record<K, V>> {
  return recordSchema(key, value);
}

/** As `record`, for a key schema of a few names, each of which may be absent. */
export function partialRecord<K extends string, V>(key: Schema<K>, value: Schema<V>): Schema<Partial<Record<K, V>>> {
  return recordSchema(key, value);
}

function recordSchema<K extends string, V, T>(key: Schema<K>, value: Schema<V>): Schema<T> {
  return schema(
    (v, path, issues) => {
      if (!isPlainObject(v)) return invalidType('record', v, path, issues);
      const out: Record<string, unknown> = {};
      let ok = true;
      for (const [name, item] of Object.entries(v)) {
        const keyIssues: Issue[] = [];
        if (key.run(name, [...path, name], keyIssues) === INVALID || keyIssues.length > 0) {
          issues.push({ code: 'invalid_key', path: [...path, name], message: `Invalid key in record: ${keyIssues[0]?.message ?? 'invalid'}` });
          ok = false;
          continue;
        }
        const parsed = value.run(item, [...path, name], issues);
        if (parsed === INVALID) ok = false;
        else setOwn(out, name, parsed);
      }
      return ok ? (out as T) : INVALID;
    },
    { t: 'record', key, value },
  );
}

/**
 * `s` as a draft 2020-12 JSON Schema document, as zod/mini's toJSONSchema wrote it for the forms
 * the bridge uses (infra/connector-schema.ts; the bundles never call it).
 */
export function toJSONSchema(s: Schema<unknown>): Json {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', ...jsonOf(s) };
}

function jsonOf(s: Schema<unknown>): Json {
  const d = s.def;
  let json: Json;
  if (d.t === 'url') json = { type: 'string', format: 'uri' };
  else if (d.t === 'unknown') json = {};
  else if (d.t === 'literal') json = { type: typeof d.value, const: d.value };
  else if (d.t === 'enum') json = { type: 'string', enum: [...d.values] };
  else if (d.t === 'optional') json = jsonOf(d.inner);
  else if (d.t === 'nullable') json = { anyOf: [jsonOf(d.inner), { type: 'null' }] };
  else if (d.t === 'array') json = { type: 'array', items: jsonOf(d.item) };
  else if (d.t === 'union') json = { anyOf: d.options.map(jsonOf) };
  else if (d.t === 'oneOf') json = { oneOf: d.options.map(jsonOf) };
  else if (d.t === 'record') json = { type: 'object', propertyNames: jsonOf(d.key), additionalProperties: jsonOf(d.value) };
  else if (d.t === 'object') {
    const keys = Object.keys(d.shape);
    const required = keys.filter((key) => d.shape[key]?.isOptional !== true);
    json = {
      type: 'object',
      properties: Object.fromEntries(keys.map((key) => [key, jsonOf(d.shape[key] as Schema<unknown>)])),
      ...(required.length > 0 ? { required } : {}),
      ...(d.unknowns === 'strict' ? { additionalProperties: false } : d.unknowns === 'passthrough' ? { additionalProperties: {} } : {}),
    };
  } else json = { type: d.t };
  return withChecks(json, s.checks);
}
