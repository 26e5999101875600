import { describe, expect, it } from 'vitest';
import { challenge407, parseProxyAuthorization } from '../../../../../cloud/edge/auth/proxy-authorization.js';
import type { EdgeAuthCode } from '../../../../../cloud/edge/auth/verify-token.js';

const JWT = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
const basic = (userPass: string) => `Basic ${Buffer.from(userPass, 'utf8').toString('base64')}`;

describe('parseProxyAuthorization', () => {
  it.each([`Bearer ${JWT}`, `bearer ${JWT}`, `BEARER ${JWT}`, `  Bearer   ${JWT}  `, `Bearer\t${JWT}`])('reads a Bearer token (%j)', (header) => {
    expect(parseProxyAuthorization(header)).toEqual({ ok: true, token: JWT });
  });

  it.each([
    ['with a user name', basic(`uma:${JWT}`), JWT],
    ['without a user name', basic(`:${JWT}`), JWT],
    ['with a UTF-8 user name', basic(`ümlaut:${JWT}`), JWT],
    ['in any case, splitting at the first colon', basic(`uma:b:${JWT}`).replace('Basic', 'bAsIc'), `b:${JWT}`],
  ])('reads the token from the Basic password %s', (_, header, token) => {
    expect(parseProxyAuthorization(header)).toEqual({ ok: true, token });
  });

  it.each([undefined, '', '   '])('says the token is missing when there is no header (%j)', (header) => {
    expect(parseProxyAuthorization(header)).toMatchObject({ ok: false, code: 'TOKEN_MISSING' });
  });

  it.each(['Bearer', 'Bearer   ', 'Basic', basic('uma:')])('says the token is missing for empty credentials (%j)', (header) => {
    expect(parseProxyAuthorization(header)).toMatchObject({ ok: false, code: 'TOKEN_MISSING' });
  });

  it.each([
    ['an unknown scheme', `Digest username="uma", realm="waygate"`],
    ['a scheme-less token', JWT],
    ['Negotiate', 'Negotiate YIIB'],
    ['two Bearer tokens', `Bearer ${JWT} ${JWT}`],
    ['a quoted Bearer token', `Bearer "${JWT}"`],
    ['control characters', `Bearer ${JWT}\r\nX-Evil: 1`],
    ['Basic that is not base64', 'Basic !!!!'],
    ['Basic with bad padding', 'Basic dW1h='],
    ['Basic without a colon', basic('uma')],
  ])('refuses %s as malformed', (_, header) => {
    expect(parseProxyAuthorization(header)).toMatchObject({ ok: false, code: 'TOKEN_MALFORMED' });
  });
});

describe('challenge407', () => {
  it('challenges a request without credentials with no error code (RFC 6750 §3.1)', () => {
    const c = challenge407({ ok: false, code: 'TOKEN_MISSING', reason: 'No Proxy-Authorization header was sent.' });
    expect(c).toEqual({
      status: 407,
      code: 'TOKEN_MISSING',
      message: expect.stringContaining('needs a Waygate edge token'),
      proxyAuthenticate: ['Bearer realm="waygate"', 'Basic realm="waygate"'],
    });
  });

  it('says invalid_token and why for a bad token', () => {
    const c = challenge407({ ok: false, code: 'TOKEN_EXPIRED', reason: 'The edge token has expired.' });
    expect(c.proxyAuthenticate).toEqual([
      'Bearer realm="waygate", error="invalid_token", error_description="The edge token has expired."',
      'Basic realm="waygate"',
    ]);
    expect(c.message).toMatch(/expired.*reconnect/i);
  });

  it('keeps the description a valid quoted-string', () => {
    const c = challenge407({ ok: false, code: 'TOKEN_MALFORMED', reason: 'a "quote" \\ and\r\nX-Injected: ü' });
    expect(c.proxyAuthenticate[0]).toBe('Bearer realm="waygate", error="invalid_token", error_description="a ?quote? ? and??X-Injected: ?"');
  });

  it.each<EdgeAuthCode>(['TOKEN_MISSING', 'TOKEN_MALFORMED', 'TOKEN_EXPIRED', 'TOKEN_UNKNOWN_KEY', 'TOKEN_BAD_SIGNATURE', 'TOKEN_WRONG_AUDIENCE', 'TOKEN_WRONG_ISSUER', 'TOKEN_REVOKED'])(
    'has a plain-language message for %s',
    (code) => {
      const c = challenge407({ ok: false, code, reason: 'r' });
      expect(c.message.length).toBeGreaterThan(20);
      expect(c.message).not.toMatch(/TOKEN_|jwt|jwks|kid/i);
    },
  );
});
