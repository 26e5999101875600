/** Ed25519 keys and edge tokens made in the test, the way the portal makes them. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint } from 'jose';
import type { PublicJwk } from '../../../../../protocol/portal.js';
import type { EdgeKeySource } from '../../../../../cloud/edge/auth/verify-token.js';

export const ISSUER = 'https://portal.example.test';
export const NOW = Date.UTC(2026, 10, 26, 10, 0, 0);

export interface TestKey {
  kid: string;
  jwk: PublicJwk;
  publicKey: KeyObject;
  privateKey: KeyObject;
}

export async function makeKey(): Promise<TestKey> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x ?? '';
  const kid = await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x });
  return { kid, jwk: { kty: 'OKP', crv: 'Ed25519', x, kid, alg: 'EdDSA', use: 'sig' }, publicKey, privateKey };
}

export interface TokenOptions {
  kid?: string;
  iss?: string;
  aud?: string;
  iat?: number;
  ttl?: number;
  claims?: Record<string, unknown>;
}

export function signToken(key: TestKey, opts: TokenOptions = {}): Promise<string> {
  const iat = opts.iat ?? Math.floor(NOW / 1000);
  return new SignJWT({ org: 'org-1', user: 'uma@example.test', groups: ['staff'], ...opts.claims })
    .setProtectedHeader({ alg: 'EdDSA', kid: opts.kid ?? key.kid, typ: 'JWT' })
    .setIssuer(opts.iss ?? ISSUER)
    .setSubject('dev-1')
    .setAudience(opts.aud ?? 'waygate-edge')
    .setIssuedAt(iat)
    .setExpirationTime(iat + (opts.ttl ?? 3600))
    .sign(key.privateKey);
}

export function keySource(...keys: TestKey[]): EdgeKeySource {
  return { keyFor: (kid) => Promise.resolve(keys.find((k) => k.kid === kid)?.publicKey) };
}
