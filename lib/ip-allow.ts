/**
 * IP allow-lists (issue #13): `allowedIps` in a provider's HELPDESK_CONFIG entry is a list of IPv4
 * and IPv6 CIDR ranges ("192.0.2.0/24", "2001:db8::/32", or a single address). Every address is
 * held as 16 bytes, IPv4 as its IPv4-mapped IPv6 form (RFC 4291 §2.5.5.2, `::ffff:a.b.c.d`), so an
 * IPv4 range also matches a source written `::ffff:192.0.2.7` (what a dual-stack socket reports).
 *
 * Parsing is our own, strict and linear: one pass over at most MAX_TEXT characters. No leading
 * zeros in IPv4 octets (ambiguous: octal in some parsers), no zone ids in ranges, and no host bits
 * set below the prefix (`10.0.0.1/8` is a typo for something; the error says which network).
 */
import { ConfigError, ForbiddenError } from './errors.ts';

/** Longest text accepted: an IPv6 address with embedded IPv4 plus `/128` is 49 characters. */
const MAX_TEXT = 64;

export interface CidrRange {
  /** The network address, 16 bytes. */
  readonly network: Uint8Array;
  /** Prefix length over the 16-byte form (an IPv4 /24 is 120). */
  readonly prefixBits: number;
  /** As configured, for logs. */
  readonly text: string;
}

export type AllowList = readonly CidrRange[];

/** The 16-byte form of an IPv4 or IPv6 address; undefined when it is not one. A zone id (`%eth0`) is dropped. */
export function parseAddress(text: string): Uint8Array | undefined {
  if (text.length === 0 || text.length > MAX_TEXT) return undefined;
  if (text.includes(':')) {
    const zone = text.indexOf('%');
    return parseIpv6(zone === -1 ? text : text.slice(0, zone));
  }
  const v4 = parseIpv4(text);
  return v4 === undefined ? undefined : mapped(v4);
}

/** Parses one range; throws ConfigError naming `path` and what to write instead. */
export function parseCidr(text: string, path: string): CidrRange {
  const value = text.trim();
  const fail = (what: string) =>
    new ConfigError('invalid_allowed_ips', `${path} "${text.slice(0, MAX_TEXT)}" ${what}; write a CIDR range like "192.0.2.0/24" or "2001:db8::/32", or a single address`);
  if (value.length === 0 || value.length > MAX_TEXT) return reject(fail('is not an IP address or CIDR range'));
  const slash = value.indexOf('/');
  const addressText = slash === -1 ? value : value.slice(0, slash);
  if (addressText.includes('%')) return reject(fail('has a zone id (%…), which a range cannot have'));
  const isV6 = addressText.includes(':');
  const address = parseAddress(addressText);
  if (address === undefined) return reject(fail(`is not an ${isV6 ? 'IPv6' : 'IPv4'} address`));
  const maxBits = isV6 ? 128 : 32;
  let bits = maxBits;
  if (slash !== -1) {
    const prefix = value.slice(slash + 1);
    if (!/^(0|[1-9]\d{0,2})$/.test(prefix) || Number(prefix) > maxBits) return reject(fail(`has a prefix length that is not 0 to ${maxBits}`));
    bits = Number(prefix);
  }
  const prefixBits = isV6 ? bits : 96 + bits;
  const network = maskTo(address, prefixBits);
  if (!equal(network, address)) return reject(fail(`has bits set after the /${bits} prefix (did you mean ${formatNetwork(network, isV6)}/${bits}?)`));
  return { network, prefixBits, text: value };
}

/**
 * Validates an `allowedIps` setting. Undefined when the setting is absent (no list: every source is
 * allowed); an empty list is refused, since it would silently turn the helpdesk away entirely.
 */
export function parseAllowList(value: unknown, path: string): AllowList | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError('invalid_allowed_ips', `${path} must be a non-empty list of CIDR ranges, e.g. ["192.0.2.0/24", "2001:db8::/32"]; remove it to allow every source`);
  }
  return value.map((entry, i) => {
    if (typeof entry !== 'string') throw new ConfigError('invalid_allowed_ips', `${path}[${i}] must be a string such as "192.0.2.0/24"`);
    return parseCidr(entry, `${path}[${i}]`);
  });
}

/** True when `sourceIp` is inside one of the ranges. An unreadable source is outside every range. */
export function isAllowed(list: AllowList, sourceIp: string | undefined): boolean {
  const address = sourceIp === undefined ? undefined : parseAddress(sourceIp.trim());
  if (address === undefined) return false;
  return list.some((range) => equal(maskTo(address, range.prefixBits), range.network));
}

function reject(error: ConfigError): never {
  throw error;
}

/** Dotted quad, four decimal octets 0–255 without leading zeros. */
function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? '';
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

/** RFC 4291 §2.2 text forms: eight groups, one `::`, and an optional trailing dotted quad. */
function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string | undefined): number[] | undefined => {
    if (half === undefined || half === '') return [];
    const out: number[] = [];
    const parts = half.split(':');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] ?? '';
      if (i === parts.length - 1 && part.includes('.')) {
        const v4 = parseIpv4(part);
        if (v4 === undefined) return undefined;
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
        continue;
      }
      if (!/^[0-9a-f]{1,4}$/i.test(part)) return undefined;
      out.push(Number.parseInt(part, 16));
    }
    return out;
  };
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  if (head === undefined || tail === undefined) return undefined;
  // An embedded dotted quad may only end the address.
  if (halves.length === 2 && halves[0]?.includes('.')) return undefined;
  const compressed = halves.length === 2;
  const count = head.length + tail.length;
  if (compressed ? count > 7 : count !== 8) return undefined;
  const groups = [...head, ...new Array<number>(8 - count).fill(0), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

function mapped(v4: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(v4, 12);
  return out;
}

function maskTo(address: Uint8Array, prefixBits: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const bits = Math.max(0, Math.min(8, prefixBits - 8 * i));
    out[i] = (address[i] ?? 0) & ((0xff00 >> bits) & 0xff);
  }
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

function formatNetwork(network: Uint8Array, isV6: boolean): string {
  if (!isV6) return Array.from(network.subarray(12)).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((network[i] ?? 0) << 8) | (network[i + 1] ?? 0)).toString(16));
  // Uncompressed but unambiguous; good enough for a hint.
  return groups.join(':');
}

/** Compiled lists by the settings array they came from: settings objects live as long as their cache. */
const compiled = new WeakMap<object, AllowList>();

/**
 * Throws ForbiddenError (`ip_not_allowed`) when `settings.allowedIps` is set and `sourceIp` is
 * outside it; does nothing when the provider has no list.
 */
export function assertSourceAllowed(settings: Readonly<Record<string, unknown>> | undefined, provider: string, sourceIp: string | undefined): void {
  const raw = settings?.allowedIps;
  if (raw === undefined) return;
  const path = `HELPDESK_CONFIG.${provider}.allowedIps`;
  let list = typeof raw === 'object' && raw !== null ? compiled.get(raw) : undefined;
  if (list === undefined) {
    list = parseAllowList(raw, path) ?? [];
    if (typeof raw === 'object' && raw !== null) compiled.set(raw, list);
  }
  if (!isAllowed(list, sourceIp)) {
    const shown = sourceIp === undefined || sourceIp === '' ? 'unknown' : sourceIp.slice(0, MAX_TEXT);
    throw new ForbiddenError('ip_not_allowed', `source address ${shown} is not in ${path}`);
  }
}
