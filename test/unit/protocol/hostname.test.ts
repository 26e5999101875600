import { describe, expect, it } from 'vitest';
import { checkDomainPattern, checkHostname, domainPatternMatches, parseHostPort } from '../../../protocol/hostname.js';

describe('checkHostname', () => {
  it.each(['example.com', 'intranet', 'a-b.c0.example', 'xn--bcher-kva.example', 'A.EXAMPLE.COM', `${'a'.repeat(63)}.com`])('accepts %s', (name) =>
    expect(checkHostname(name)).toBeNull(),
  );

  it.each([
    ['', 'cannot be empty'],
    ['example.com.', 'without the trailing dot'],
    ['bücher.example', 'xn--'],
    ['-a.example.com', '"-a" is not a valid label'],
    ['a..example.com', '"" is not a valid label'],
    ['under_score.example.com', '"under_score" is not a valid label'],
    [`${'a'.repeat(64)}.com`, 'is not a valid label'],
    [`${'a.'.repeat(127)}com`, 'at most 253'],
    ['10.0.0.1', 'is an IP address'],
    ['1.2.3.999', 'numeric label'],
  ])('refuses %j', (name, message) => expect(checkHostname(name)).toContain(message));
});

describe('domain patterns', () => {
  it.each(['example.com', '.example.com', '*.example.com', '.internal', '*.corp'])('accepts %s', (pattern) => expect(checkDomainPattern(pattern)).toBeNull());

  it.each([
    ['*', 'would match every name'],
    ['.', 'would match every name'],
    ['foo.*.example.com', 'leftmost label'],
    ['*example.com', 'leftmost label'],
    ['**.example.com', 'leftmost label'],
    ['192.0.2.1', 'cidrs list'],
    ['10.0.0.0/8', 'cidrs list'],
    ['.-bad.com', 'is not a valid label'],
  ])('refuses %j', (pattern, message) => expect(checkDomainPattern(pattern)).toContain(message));

  it('matches exact names only for a plain pattern', () => {
    expect(domainPatternMatches('example.com', 'example.com')).toBe(true);
    expect(domainPatternMatches('example.com', 'EXAMPLE.com.')).toBe(true);
    expect(domainPatternMatches('example.com', 'www.example.com')).toBe(false);
  });

  it('matches the name and everything under it for a leading dot', () => {
    expect(domainPatternMatches('.example.com', 'example.com')).toBe(true);
    expect(domainPatternMatches('.example.com', 'a.b.example.com')).toBe(true);
    expect(domainPatternMatches('.example.com', 'badexample.com')).toBe(false);
  });

  it('matches only names under it for a wildcard', () => {
    expect(domainPatternMatches('*.example.com', 'www.example.com')).toBe(true);
    expect(domainPatternMatches('*.example.com', 'a.b.example.com')).toBe(true);
    expect(domainPatternMatches('*.example.com', 'example.com')).toBe(false);
    expect(domainPatternMatches('*.Example.com', 'notexample.com')).toBe(false);
  });
});

describe('parseHostPort', () => {
  it('reads names, IPv4 and bracketed IPv6', () => {
    expect(parseHostPort('beacon.example.com:443')).toEqual({ ok: true, value: { host: 'beacon.example.com', port: 443 } });
    expect(parseHostPort('192.0.2.1:8443')).toEqual({ ok: true, value: { host: '192.0.2.1', port: 8443 } });
    expect(parseHostPort('[2001:db8::1]:65535')).toEqual({ ok: true, value: { host: '2001:db8::1', port: 65535 } });
  });

  it.each([
    ['beacon.example.com', 'has no port'],
    ['beacon.example.com:', 'is not a port'],
    ['beacon.example.com:0', 'is not a port'],
    ['beacon.example.com:65536', 'is not a port'],
    ['beacon.example.com:044', 'is not a port'],
    ['2001:db8::1:443', 'in brackets'],
    ['[2001:db8::1]443', 'Expected [IPv6 address]:port'],
    ['[10.0.0.1]:443', 'is not an IPv6 address'],
    ['bad_host:443', 'is not a valid label'],
  ])('refuses %j', (text, message) => {
    const parsed = parseHostPort(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });
});
