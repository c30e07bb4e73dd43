import { describe, expect, it } from 'vitest';
import { ConfigError, ForbiddenError } from '../../lib/errors.ts';
import { assertSourceAllowed, isAllowed, parseAddress, parseAllowList, parseCidr } from '../../lib/ip-allow.ts';

const list = (...ranges: string[]) => parseAllowList(ranges, 'HELPDESK_CONFIG.test.allowedIps') ?? [];

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).reason).toBe('invalid_allowed_ips');
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('parseAddress', () => {
  it('reads IPv4 as its IPv4-mapped IPv6 form, so both spellings are one address', () => {
    expect(Array.from(parseAddress('192.0.2.7') ?? [])).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 7]);
    expect(parseAddress('::ffff:192.0.2.7')).toEqual(parseAddress('192.0.2.7'));
    expect(parseAddress('::FFFF:c000:0207')).toEqual(parseAddress('192.0.2.7'));
  });

  it('reads every RFC 4291 text form of IPv6', () => {
    const full = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    for (const text of ['2001:db8::1', '2001:0db8:0000:0000:0000:0000:0000:0001', '2001:DB8:0:0:0:0:0:1', '2001:db8::0:1']) {
      expect(Array.from(parseAddress(text) ?? []), text).toEqual(full);
    }
    expect(Array.from(parseAddress('::') ?? [])).toEqual(new Array(16).fill(0));
    expect(parseAddress('::1')?.[15]).toBe(1);
    expect(parseAddress('1::')?.[1]).toBe(1);
    // A zone id on a link-local source (what a socket may report) does not change the address.
    expect(parseAddress('fe80::1%eth0')).toEqual(parseAddress('fe80::1'));
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4',
    '1.2.3.-4',
    ' 1.2.3.4',
    '1.2.3.4/32',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1::2::3',
    ':1',
    '1:',
    '12345::',
    'g::1',
    '::1.2.3.4:5',
    '1.2.3.4::',
    '1:2:3:4:5:6:7::8',
    'localhost',
    `${'1'.repeat(100_000)}`,
    `${':'.repeat(100_000)}`,
  ])('refuses %j', (text) => {
    expect(parseAddress(text)).toBeUndefined();
  });
});

describe('isAllowed', () => {
  it('matches an IPv4 range up to its edges and not one address past them', () => {
    const ranges = list('192.0.2.0/24');
    expect(isAllowed(ranges, '192.0.2.0')).toBe(true);
    expect(isAllowed(ranges, '192.0.2.255')).toBe(true);
    expect(isAllowed(ranges, '192.0.1.255')).toBe(false);
    expect(isAllowed(ranges, '192.0.3.0')).toBe(false);
  });

  it('handles prefixes that do not end on a byte boundary', () => {
    const ranges = list('10.0.0.0/9', '2001:db8:8000::/33');
    expect(isAllowed(ranges, '10.127.255.255')).toBe(true);
    expect(isAllowed(ranges, '10.128.0.0')).toBe(false);
    expect(isAllowed(ranges, '2001:db8:ffff::1')).toBe(true);
    expect(isAllowed(ranges, '2001:db8:7fff:ffff:ffff:ffff:ffff:ffff')).toBe(false);
  });

  it('matches an IPv4 range for an IPv4-mapped IPv6 source, and ::ffff:0:0/96 for every IPv4 source', () => {
    expect(isAllowed(list('198.51.100.0/24'), '::ffff:198.51.100.9')).toBe(true);
    expect(isAllowed(list('198.51.100.0/24'), '::ffff:c633:6409')).toBe(true);
    expect(isAllowed(list('::ffff:0:0/96'), '203.0.113.1')).toBe(true);
    expect(isAllowed(list('::ffff:198.51.100.0/120'), '198.51.100.200')).toBe(true);
  });

  it('does not let an IPv4 range match an IPv6 address with the same low bits', () => {
    // ::c633:6409 is the deprecated IPv4-compatible form, not IPv4-mapped: a different address.
    expect(isAllowed(list('198.51.100.0/24'), '::c633:6409')).toBe(false);
    expect(isAllowed(list('0.0.0.0/0'), '2001:db8::1')).toBe(false);
  });

  it('treats a bare address as a single host, /0 as everything of its family', () => {
    expect(isAllowed(list('203.0.113.5'), '203.0.113.5')).toBe(true);
    expect(isAllowed(list('203.0.113.5'), '203.0.113.4')).toBe(false);
    expect(isAllowed(list('2001:db8::5'), '2001:db8::5')).toBe(true);
    expect(isAllowed(list('2001:db8::5'), '2001:db8::6')).toBe(false);
    expect(isAllowed(list('0.0.0.0/0'), '255.255.255.255')).toBe(true);
    expect(isAllowed(list('::/0'), '2001:db8::1')).toBe(true);
  });

  it('puts an unknown or unreadable source outside every range', () => {
    const everything = list('0.0.0.0/0', '::/0');
    expect(isAllowed(everything, undefined)).toBe(false);
    expect(isAllowed(everything, '')).toBe(false);
    expect(isAllowed(everything, 'unknown')).toBe(false);
  });
});

describe('parseCidr / parseAllowList: configuration errors name the entry and the fix', () => {
  it('names the path and index of the bad entry', () => {
    expect(configError(() => parseAllowList(['192.0.2.0/24', '300.0.0.0/8'], 'HELPDESK_CONFIG.zendesk.allowedIps'))).toMatch(
      /^HELPDESK_CONFIG\.zendesk\.allowedIps\[1\] "300\.0\.0\.0\/8" is not an IPv4 address; write a CIDR range like "192\.0\.2\.0\/24"/,
    );
    expect(configError(() => parseAllowList(['192.0.2.0/24', 7], 'P'))).toMatch(/^P\[1\] must be a string/);
  });

  it('refuses host bits after the prefix and says which network was meant', () => {
    expect(configError(() => parseCidr('10.1.2.3/8', 'P'))).toMatch(/bits set after the \/8 prefix \(did you mean 10\.0\.0\.0\/8\?\)/);
    expect(configError(() => parseCidr('2001:db8::1/32', 'P'))).toMatch(/did you mean 2001:db8:0:0:0:0:0:0\/32\?/);
  });

  it.each([
    ['192.0.2.0/33', /prefix length that is not 0 to 32/],
    ['2001:db8::/129', /prefix length that is not 0 to 128/],
    ['192.0.2.0/', /prefix length/],
    ['192.0.2.0/024', /prefix length/],
    ['192.0.2.0/-1', /prefix length/],
    ['fe80::/10%eth0', /prefix length/],
    ['fe80::%eth0/10', /zone id/],
    ['2001:db8:::/48', /not an IPv6 address/],
    ['', /not an IP address/],
    ['x'.repeat(100_000), /not an IP address/],
  ])('refuses %j', (text, message) => {
    expect(configError(() => parseCidr(text, 'P'))).toMatch(message);
  });

  it('refuses an empty list or a non-list (an empty list would silently refuse every helpdesk request)', () => {
    expect(configError(() => parseAllowList([], 'P'))).toMatch(/^P must be a non-empty list of CIDR ranges/);
    expect(configError(() => parseAllowList('192.0.2.0/24', 'P'))).toMatch(/non-empty list/);
    expect(parseAllowList(undefined, 'P')).toBeUndefined();
  });

  it('keeps the error short when the bad entry is huge', () => {
    expect(configError(() => parseCidr('9'.repeat(100_000), 'P')).length).toBeLessThan(300);
  });
});

describe('assertSourceAllowed', () => {
  it('does nothing without allowedIps, and throws ForbiddenError ip_not_allowed outside them', () => {
    expect(() => assertSourceAllowed({}, 'zendesk', '203.0.113.9')).not.toThrow();
    expect(() => assertSourceAllowed(undefined, 'zendesk', undefined)).not.toThrow();
    const settings = { allowedIps: ['192.0.2.0/24'] };
    expect(() => assertSourceAllowed(settings, 'zendesk', '192.0.2.1')).not.toThrow();
    try {
      assertSourceAllowed(settings, 'zendesk', '203.0.113.9');
      throw new Error('expected a ForbiddenError');
    } catch (error) {
      expect(error).toBeInstanceOf(ForbiddenError);
      expect((error as ForbiddenError).reason).toBe('ip_not_allowed');
      expect((error as Error).message).toBe('source address 203.0.113.9 is not in HELPDESK_CONFIG.zendesk.allowedIps');
    }
  });
});
