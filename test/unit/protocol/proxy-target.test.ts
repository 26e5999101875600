import { describe, expect, it } from 'vitest';
import { parseAbsoluteTarget, parseConnectTarget } from '../../../protocol/proxy-target.js';

describe('proxy request targets', () => {
  it('reads CONNECT authorities, normalising the host as a URL would', () => {
    expect(parseConnectTarget('Example.COM:443')).toEqual({ ok: true, target: { host: 'example.com', port: 443 } });
    expect(parseConnectTarget('[2001:db8::1]:8443')).toEqual({ ok: true, target: { host: '[2001:db8::1]', port: 8443 } });
    expect(parseConnectTarget('0x7f000001:22')).toEqual({ ok: true, target: { host: '127.0.0.1', port: 22 } });
  });

  it('refuses CONNECT authorities without a port, with a bad port, or with userinfo', () => {
    for (const bad of ['example.com', 'example.com:0', 'example.com:70000', 'user@example.com:443', 'a:b@example.com:443']) {
      expect(parseConnectTarget(bad)).toMatchObject({ ok: false });
    }
  });

  it('reads absolute-form http:// targets and refuses the rest', () => {
    expect(parseAbsoluteTarget('http://Origin.test:8080/a?b=1')).toMatchObject({ ok: true, target: { host: 'origin.test', port: 8080, href: 'http://origin.test:8080/a?b=1', path: '/a?b=1', authority: 'origin.test:8080' } });
    expect(parseAbsoluteTarget('/relative')).toMatchObject({ ok: false, reason: expect.stringContaining('absolute URL') });
    expect(parseAbsoluteTarget('https://origin.test/')).toMatchObject({ ok: false, reason: expect.stringContaining('CONNECT') });
    expect(parseAbsoluteTarget('http://u:p@origin.test/')).toMatchObject({ ok: false, reason: expect.stringContaining('credentials') });
  });
});
