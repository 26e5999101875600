import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { verifyEdgeToken } from '../../../../../cloud/edge/auth/verify-token.js';
import { ISSUER, NOW, keySource, makeKey, signToken } from './edge-keys.js';

const key = await makeKey();
const other = await makeKey();
const keys = keySource(key);
const opts = { issuer: ISSUER, now: NOW };
const nowSeconds = Math.floor(NOW / 1000);

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('verifyEdgeToken', () => {
  it('accepts a token the portal key signed and returns its claims', async () => {
    const result = await verifyEdgeToken(await signToken(key), keys, opts);
    expect(result).toEqual({
      ok: true,
      claims: { iss: ISSUER, aud: 'waygate-edge', sub: 'dev-1', org: 'org-1', user: 'uma@example.test', groups: ['staff'], iat: nowSeconds, exp: nowSeconds + 3600 },
    });
  });

  it('drops claims the edge does not know', async () => {
    const result = await verifyEdgeToken(await signToken(key, { claims: { admin: true } }), keys, opts);
    if (!result.ok) throw new Error(result.reason);
    expect(result.claims).not.toHaveProperty('admin');
  });

  it.each([undefined, ''])('refuses a missing token (%j)', async (token) => {
    expect(await verifyEdgeToken(token, keys, opts)).toMatchObject({ ok: false, code: 'TOKEN_MISSING' });
  });

  it.each([
    ['not a JWT', 'hello'],
    ['two segments', 'a.b'],
    ['an undecodable header', 'zz.e30.c2ln'],
    ['alg none', `${b64({ alg: 'none', kid: key.kid })}.${b64({ sub: 'x' })}.`],
    ['alg none with a signature', `${b64({ alg: 'none', kid: key.kid })}.${b64({ sub: 'x' })}.AAAA`],
  ])('refuses %s as malformed', async (_, token) => {
    expect(await verifyEdgeToken(token, keys, opts)).toMatchObject({ ok: false, code: 'TOKEN_MALFORMED' });
  });

  it('refuses an HMAC token even when it names a known kid', async () => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid: key.kid }).sign(new TextEncoder().encode(key.jwk.x));
    expect(await verifyEdgeToken(token, keys, opts)).toMatchObject({ ok: false, code: 'TOKEN_MALFORMED', reason: expect.stringContaining('EdDSA') });
  });

  it('refuses a token without a kid', async () => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA' }).sign(key.privateKey);
    expect(await verifyEdgeToken(token, keys, opts)).toMatchObject({ ok: false, code: 'TOKEN_MALFORMED' });
  });

  it('refuses a token signed with a key the edge does not know', async () => {
    expect(await verifyEdgeToken(await signToken(other), keys, opts)).toMatchObject({ ok: false, code: 'TOKEN_UNKNOWN_KEY' });
  });

  it('refuses a token that names a known kid but was signed with another key', async () => {
    expect(await verifyEdgeToken(await signToken(other, { kid: key.kid }), keys, opts)).toMatchObject({ ok: false, code: 'TOKEN_BAD_SIGNATURE' });
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, , signature] = (await signToken(key)).split('.');
    const forged = `${header}.${b64({ iss: ISSUER, aud: 'waygate-edge', sub: 'dev-2', org: 'org-1', user: 'eve@example.test', groups: ['admins'], iat: nowSeconds, exp: nowSeconds + 3600 })}.${signature}`;
    expect(await verifyEdgeToken(forged, keys, opts)).toMatchObject({ ok: false, code: 'TOKEN_BAD_SIGNATURE' });
  });

  it('refuses an expired token', async () => {
    const token = await signToken(key, { iat: nowSeconds - 600, ttl: 300 });
    expect(await verifyEdgeToken(token, keys, opts)).toMatchObject({ ok: false, code: 'TOKEN_EXPIRED', reason: 'The edge token has expired.' });
  });

  it('allows a little clock skew on exp', async () => {
    const token = await signToken(key, { iat: nowSeconds - 310, ttl: 300 });
    expect(await verifyEdgeToken(token, keys, opts)).toMatchObject({ ok: true });
  });

  it('refuses a token issued more than an hour ago, whatever its exp says', async () => {
    const token = await signToken(key, { iat: nowSeconds - 2 * 3600, ttl: 3 * 3600 });
    expect(await verifyEdgeToken(token, keys, opts)).toMatchObject({ ok: false, code: 'TOKEN_EXPIRED' });
  });

  it('refuses a token issued in the future beyond the skew allowance', async () => {
    const token = await signToken(key, { iat: nowSeconds + 600 });
    expect(await verifyEdgeToken(token, keys, opts)).toMatchObject({ ok: false, code: 'TOKEN_MALFORMED', reason: expect.stringContaining('not valid yet') });
  });

  it('refuses a token for another audience', async () => {
    expect(await verifyEdgeToken(await signToken(key, { aud: 'waygate-portal' }), keys, opts)).toMatchObject({ ok: false, code: 'TOKEN_WRONG_AUDIENCE' });
  });

  it('refuses a token from another issuer', async () => {
    expect(await verifyEdgeToken(await signToken(key, { iss: 'https://evil.example' }), keys, opts)).toMatchObject({ ok: false, code: 'TOKEN_WRONG_ISSUER' });
  });

  it('refuses a signed token that lacks the claims the edge needs', async () => {
    const token = await signToken(key, { claims: { groups: 'staff' } });
    expect(await verifyEdgeToken(token, keys, opts)).toMatchObject({ ok: false, code: 'TOKEN_MALFORMED' });
  });

  it('refuses a signed token without exp', async () => {
    const token = await new SignJWT({ org: 'org-1', user: 'u', groups: [] })
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid })
      .setIssuer(ISSUER)
      .setSubject('dev-1')
      .setAudience('waygate-edge')
      .setIssuedAt(nowSeconds)
      .sign(key.privateKey);
    expect(await verifyEdgeToken(token, keys, opts)).toMatchObject({ ok: false, code: 'TOKEN_MALFORMED', reason: 'The edge token lacks a valid exp claim.' });
  });
});
