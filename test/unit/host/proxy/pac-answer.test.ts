/** PAC answers become ordered routes; unusable entries are skipped; garbage is null (the fail answer). */
import { describe, expect, it } from 'vitest';
import { formatRoute, parsePacAnswer } from '../../../../host/proxy/pac-answer.js';

describe('parsePacAnswer', () => {
  it('keeps the order of a multi-answer result', () => {
    expect(parsePacAnswer('PROXY a.example:8080; HTTPS b.example:8443; DIRECT')).toEqual([
      { kind: 'proxy', tls: false, host: 'a.example', port: 8080 },
      { kind: 'proxy', tls: true, host: 'b.example', port: 8443 },
      { kind: 'direct' },
    ]);
  });

  it('reads keywords in any case, extra spaces and a trailing semicolon', () => {
    expect(parsePacAnswer('  https  Edge.Example:443 ;direct;  ')).toEqual([{ kind: 'proxy', tls: true, host: 'edge.example', port: 443 }, { kind: 'direct' }]);
  });

  it('fills in default ports: 80 for PROXY, 443 for HTTPS', () => {
    expect(parsePacAnswer('PROXY a; HTTPS b')).toEqual([
      { kind: 'proxy', tls: false, host: 'a', port: 80 },
      { kind: 'proxy', tls: true, host: 'b', port: 443 },
    ]);
  });

  it('takes IPv6 literals in brackets', () => {
    expect(parsePacAnswer('PROXY [::1]:3128')).toEqual([{ kind: 'proxy', tls: false, host: '[::1]', port: 3128 }]);
  });

  it('skips what it cannot use (SOCKS, bad ports, junk) and keeps the rest in order', () => {
    expect(parsePacAnswer('SOCKS5 s:1080; PROXY bad:99999; PROXY a b c; HTTPS ok:1; DIRECT')).toEqual([{ kind: 'proxy', tls: true, host: 'ok', port: 1 }, { kind: 'direct' }]);
  });

  it('yields null for garbage: nothing usable, not a string, too long', () => {
    for (const garbage of ['', ';;', 'SOCKS s:1', 'hello world', 'PROXY', 'DIRECT x', 42, null, undefined, { a: 1 }, ['DIRECT'], `DIRECT;${' '.repeat(5000)}`]) {
      expect(parsePacAnswer(garbage), JSON.stringify(garbage)).toBeNull();
    }
  });

  it('formats routes back as a PAC writes them', () => {
    expect((parsePacAnswer('proxy a:1; https b:2; direct') ?? []).map(formatRoute)).toEqual(['PROXY a:1', 'HTTPS b:2', 'DIRECT']);
  });
});
