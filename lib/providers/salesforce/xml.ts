/**
 * A small, strict XML reader for SOAP envelopes: elements, attributes, namespaces, text, CDATA and
 * comments. It refuses what an envelope never needs and what XML attacks rely on — DOCTYPE (so no
 * DTD, no external or internal entity can be declared or expanded), processing instructions other
 * than the leading declaration, and any entity besides the five predefined ones and character
 * references. Bounded in depth and element count. No dependency: a full XML library would cost more
 * cold-start time than this file and bring features (DTDs) that must be switched off anyway.
 */

export interface XmlElement {
  /** Local name (after the prefix). */
  readonly name: string;
  /** Namespace URI the prefix (or the default namespace) resolves to; '' when none. */
  readonly ns: string;
  /** Attributes by qualified name as written (`xsi:type`). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Concatenated character data directly inside the element. */
  readonly text: string;
  /** Resolves a prefix in scope at this element (for QName attribute values like `sf:Case`). */
  readonly resolve: (prefix: string) => string | undefined;
}

export class XmlError extends Error {
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.name = 'XmlError';
    this.reason = reason;
  }
}

const MAX_DEPTH = 32;
const MAX_ELEMENTS = 20_000;
/**
 * Namespace scopes are chained, not copied: an element that declares a prefix keeps only its own
 * declarations and a link to its parent's scope (lookups walk at most MAX_DEPTH links). Copying the
 * parent's map made thousands of declarations above thousands of declaring children cost their
 * product (red-team pass: 108× the time for 10× the input).
 */
interface Scope {
  readonly own: ReadonlyMap<string, string>;
  readonly parent: Scope | undefined;
}

function lookup(scope: Scope | undefined, prefix: string): string | undefined {
  for (let s = scope; s !== undefined; s = s.parent) {
    const ns = s.own.get(prefix);
    if (ns !== undefined) return ns;
  }
  return undefined;
}

const ROOT_SCOPE: Scope = { own: new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]), parent: undefined };
const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?$/;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

interface Building {
  readonly qname: string;
  readonly name: string;
  readonly prefix: string;
  readonly attributes: Record<string, string>;
  readonly children: XmlElement[];
  text: string;
  readonly scope: Scope;
}

/** Parses a whole document; throws XmlError with a machine-readable reason. */
export function parseXml(input: string): XmlElement {
  const text = input.replace(/^\uFEFF/, '');
  let pos = 0;
  const declaration = /^<\?xml\s[^?]*\?>/.exec(text);
  if (declaration !== null) pos = declaration[0].length;
  else if (text.startsWith('<?xml')) throw new XmlError('xml_malformed', 'malformed XML declaration');

  const stack: Building[] = [];
  let root: XmlElement | undefined;
  let count = 0;

  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    const chunk = lt === -1 ? text.slice(pos) : text.slice(pos, lt);
    if (chunk !== '') {
      const top = stack.at(-1);
      if (top === undefined) {
        if (chunk.trim() !== '') throw new XmlError('xml_malformed', 'text outside the root element');
      } else top.text += decodeEntities(chunk);
    }
    if (lt === -1) break;
    pos = lt;

    if (text.startsWith('<!--', pos)) {
      const end = text.indexOf('-->', pos + 4);
      if (end === -1) throw new XmlError('xml_malformed', 'unterminated comment');
      pos = end + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', pos)) {
      const end = text.indexOf(']]>', pos + 9);
      const top = stack.at(-1);
      if (end === -1 || top === undefined) throw new XmlError('xml_malformed', 'CDATA outside an element or unterminated');
      top.text += text.slice(pos + 9, end);
      pos = end + 3;
      continue;
    }
    if (text.startsWith('<!', pos)) throw new XmlError('xml_doctype_forbidden', 'DOCTYPE and DTD declarations are not accepted');
    if (text.startsWith('<?', pos)) throw new XmlError('xml_pi_forbidden', 'processing instructions are not accepted');

    if (text.startsWith('</', pos)) {
      const end = text.indexOf('>', pos);
      if (end === -1) throw new XmlError('xml_malformed', 'unterminated end tag');
      const qname = text.slice(pos + 2, end).trim();
      const open = stack.pop();
      if (open === undefined || open.qname !== qname) throw new XmlError('xml_malformed', 'an end tag does not match the element it closes');
      const element = finish(open);
      const parent = stack.at(-1);
      if (parent === undefined) root = element;
      else parent.children.push(element);
      pos = end + 1;
      continue;
    }

    // Start tag: find its end, honouring quoted attribute values that may contain '>'.
    let end = pos + 1;
    let quote: string | undefined;
    for (; end < text.length; end++) {
      const c = text[end];
      if (quote !== undefined) {
        if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '>') break;
      else if (c === '<') throw new XmlError('xml_malformed', "'<' inside a tag");
    }
    if (end >= text.length) throw new XmlError('xml_malformed', 'unterminated start tag');
    if (root !== undefined) throw new XmlError('xml_malformed', 'more than one root element');
    let inner = text.slice(pos + 1, end);
    const selfClosing = inner.endsWith('/');
    if (selfClosing) inner = inner.slice(0, -1);
    const open = startTag(inner, stack.at(-1)?.scope ?? ROOT_SCOPE);
    if (++count > MAX_ELEMENTS) throw new XmlError('xml_too_large', `more than ${MAX_ELEMENTS} elements`);
    if (stack.length >= MAX_DEPTH) throw new XmlError('xml_too_deep', `nested deeper than ${MAX_DEPTH}`);
    pos = end + 1;
    if (selfClosing) {
      const element = finish(open);
      const parent = stack.at(-1);
      if (parent === undefined) root = element;
      else parent.children.push(element);
    } else stack.push(open);
  }
  if (stack.length > 0) throw new XmlError('xml_malformed', `${stack.length} element(s) are not closed`);
  if (root === undefined) throw new XmlError('xml_malformed', 'no root element');
  return root;
}

function startTag(inner: string, parentScope: Scope): Building {
  const nameMatch = /^([^\s]+)/.exec(inner);
  const qname = nameMatch?.[1] ?? '';
  if (!NAME.test(qname)) throw new XmlError('xml_malformed', 'an element name is not an XML name (an unescaped "<" in text?)');
  const attributes: Record<string, string> = {};
  let rest = inner.slice(qname.length);
  const attribute = /^\s+([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/;
  for (;;) {
    const m = attribute.exec(rest);
    if (m === null) break;
    const [whole, name = '', dq, sq] = m;
    if (!NAME.test(name)) throw new XmlError('xml_malformed', 'an attribute name is not an XML name');
    if (Object.hasOwn(attributes, name)) throw new XmlError('xml_malformed', 'an element repeats an attribute');
    const raw = dq ?? sq ?? '';
    if (raw.includes('<')) throw new XmlError('xml_malformed', "'<' in an attribute value");
    attributes[name] = decodeEntities(raw);
    rest = rest.slice(whole.length);
  }
  if (rest.trim() !== '') throw new XmlError('xml_malformed', 'an element has malformed attributes');

  let own: Map<string, string> | undefined;
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      own ??= new Map();
      own.set(name === 'xmlns' ? '' : name.slice(6), value);
    }
  }
  const scope: Scope = own === undefined ? parentScope : { own, parent: parentScope };
  const colon = qname.indexOf(':');
  return {
    qname,
    prefix: colon === -1 ? '' : qname.slice(0, colon),
    name: colon === -1 ? qname : qname.slice(colon + 1),
    attributes,
    children: [],
    text: '',
    scope,
  };
}

function finish(open: Building): XmlElement {
  const ns = lookup(open.scope, open.prefix);
  if (ns === undefined && open.prefix !== '') throw new XmlError('xml_malformed', 'an element uses an undeclared namespace prefix');
  const scope = open.scope;
  return {
    name: open.name,
    ns: ns ?? '',
    attributes: open.attributes,
    children: open.children,
    text: open.text,
    resolve: (prefix) => lookup(scope, prefix),
  };
}

/** The five predefined entities and character references; anything else is refused. */
function decodeEntities(value: string): string {
  return value.replace(/&([^;&\s]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw new XmlError('xml_malformed', 'bare "&" in character data');
    const predefined = Object.hasOwn(PREDEFINED, name) ? PREDEFINED[name] : undefined;
    if (predefined !== undefined) return predefined;
    const numeric = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(name);
    if (numeric !== null) {
      const code = numeric[1] !== undefined ? Number.parseInt(numeric[1], 16) : Number(numeric[2]);
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new XmlError('xml_malformed', 'a character reference names no valid character');
      return String.fromCodePoint(code);
    }
    throw new XmlError('xml_entity_forbidden', 'an entity other than the five predefined ones (&lt; &gt; &amp; &quot; &apos;) or a character reference');
  });
}

/** Child elements with a local name (and namespace, when given). */
export function childrenNamed(element: XmlElement, name: string, ns?: string): XmlElement[] {
  return element.children.filter((c) => c.name === name && (ns === undefined || c.ns === ns));
}

export function childNamed(element: XmlElement, name: string, ns?: string): XmlElement | undefined {
  return childrenNamed(element, name, ns)[0];
}

/** Escapes text for element content. */
export function escapeXml(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
