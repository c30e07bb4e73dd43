/**
 * `{placeholder}` templates: parsed once (one linear pass) into literal and variable parts, then
 * rendered against values. A placeholder is `{name}` with name `[a-z_][a-z0-9_]*` optionally
 * dotted (`{settings.token}`, `{header.x-zammad-delivery}`); any other `{` is literal text.
 * Nothing is evaluated: a template can only place values, never compute them.
 */

export type TemplatePart = { readonly literal: string } | { readonly variable: string };

const NAME = /^[a-z_][a-z0-9_]*(?:\.[A-Za-z0-9_-]+)?$/;

/** Splits a template into parts; linear in its length (each character is looked at a bounded number of times). */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open === -1) {
      literal += template.slice(i);
      break;
    }
    const close = template.indexOf('}', open + 1);
    // The next `{` before the `}` starts the candidate instead (so "{{a}" is "{" + {a}).
    const reopen = close === -1 ? -1 : template.lastIndexOf('{', close);
    if (close === -1) {
      literal += template.slice(i);
      break;
    }
    const start = Math.max(reopen, open);
    const name = template.slice(start + 1, close);
    if (NAME.test(name)) {
      literal += template.slice(i, start);
      if (literal !== '') parts.push({ literal });
      literal = '';
      parts.push({ variable: name });
    } else {
      literal += template.slice(i, close + 1);
    }
    i = close + 1;
  }
  if (literal !== '') parts.push({ literal });
  return parts;
}

export function variablesOf(parts: readonly TemplatePart[]): string[] {
  return parts.flatMap((p) => ('variable' in p ? [p.variable] : []));
}

/** The placeholder a whole string is, when it is exactly one (`"{tags}"`), so it keeps its value's type. */
export function soleVariable(parts: readonly TemplatePart[]): string | undefined {
  const [only, ...rest] = parts;
  return only !== undefined && rest.length === 0 && 'variable' in only ? only.variable : undefined;
}

/** Renders to text; undefined when a placeholder has no value (the caller drops what needed it). */
export function renderText(parts: readonly TemplatePart[], value: (name: string) => string | undefined): string | undefined {
  let out = '';
  for (const part of parts) {
    if ('literal' in part) {
      out += part.literal;
      continue;
    }
    const v = value(part.variable);
    if (v === undefined) return undefined;
    out += v;
  }
  return out;
}

/** Walks every string of a JSON template (values only; keys are literal), calling `visit` with its path. */
export function forEachTemplateString(value: unknown, path: string, visit: (text: string, path: string) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) forEachTemplateString(item, `${path}[${i}]`, visit);
  }
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) forEachTemplateString(item, `${path}.${key}`, visit);
  }
}

/** Marker for "this value is absent": its key (or array item) is left out of the body. */
const ABSENT = Symbol('absent');

/**
 * Renders a JSON template. A string that is one placeholder takes the value's own type (array,
 * number, object); a string with text around placeholders becomes text. A value whose placeholder
 * is absent is left out, and so is an object or array all of whose placeholders are absent.
 */
export function renderJson(template: unknown, value: (name: string) => unknown): unknown {
  const out = render(template, value);
  return out === ABSENT ? undefined : out;
}

function render(template: unknown, value: (name: string) => unknown): unknown {
  return renderValue(template, value).value;
}

/** `templated`: the value held placeholders; an object or array whose placeholders are all absent is absent too. */
function renderValue(template: unknown, value: (name: string) => unknown): { value: unknown; templated: boolean } {
  if (typeof template === 'string') {
    const parts = parseTemplate(template);
    const templated = parts.some((p) => 'variable' in p);
    const sole = soleVariable(parts);
    if (sole !== undefined) {
      const v = value(sole);
      return { value: v === undefined ? ABSENT : v, templated };
    }
    const text = renderText(parts, (name) => {
      const v = value(name);
      if (v === undefined) return undefined;
      return typeof v === 'string' ? v : JSON.stringify(v);
    });
    return { value: text === undefined ? ABSENT : text, templated };
  }
  if (Array.isArray(template) || (template !== null && typeof template === 'object')) {
    const entries = Object.entries(template);
    const rendered = entries.map(([k, t]) => [k, renderValue(t, value)] as const);
    const templated = rendered.some(([, r]) => r.templated);
    const present = rendered.filter(([, r]) => r.value !== ABSENT);
    if (templated && !present.some(([, r]) => r.templated)) return { value: ABSENT, templated };
    const value_ = Array.isArray(template) ? present.map(([, r]) => r.value) : Object.fromEntries(present.map(([k, r]) => [k, r.value]));
    return { value: value_, templated };
  }
  return { value: template, templated: false };
}
