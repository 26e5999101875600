/**
 * The portal's Ed25519 signing key: it signs effective configs (canonical JSON) and edge tokens
 * (EdDSA JWTs). Keys live in the store so every replica signs with the same one; the kid is the
 * RFC 7638 thumbprint of the public key.
 */
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, type JWK } from 'jose';
import { z } from 'zod';
import { canonicalBytes } from '../../../protocol/config-signature.js';
import type { EffectiveConfig } from '../../../protocol/policy.js';
import { PublicJwk, type EdgeTokenClaims, type SignedConfig } from '../../../protocol/portal.js';
import type { SigningKey } from '../store/store.js';

const PrivateOkpJwk = z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), d: z.string() });

export async function generateSigningKey(orgId: string, now: number): Promise<SigningKey> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicJwk = publicKey.export({ format: 'jwk' });
  const kid = await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: publicJwk.x ?? '' });
  return {
    kid,
    orgId,
    publicJwk: { kty: 'OKP', crv: 'Ed25519', x: publicJwk.x, kid, alg: 'EdDSA', use: 'sig' },
    privateJwk: privateKey.export({ format: 'jwk' }),
    createdAt: now,
    retiredAt: null,
  };
}

/** Signs with one stored key. Build a new one when the key rotates; it holds no other state. */
export class PortalSigner {
  readonly kid: string;
  readonly publicJwk: PublicJwk;
  private readonly privateKey: KeyObject;

  constructor(key: SigningKey) {
    this.kid = key.kid;
    this.publicJwk = PublicJwk.parse(key.publicJwk);
    const jwk: JWK = PrivateOkpJwk.parse(key.privateJwk);
    this.privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
  }

  signConfig(config: EffectiveConfig): SignedConfig {
    const value = sign(null, canonicalBytes(config), this.privateKey).toString('base64url');
    return { config, signature: { alg: 'EdDSA', kid: this.kid, value } };
  }

  edgeToken(claims: Omit<EdgeTokenClaims, 'iat' | 'exp' | 'aud'>, now: number, ttlSeconds: number): Promise<string> {
    const iat = Math.floor(now / 1000);
    return new SignJWT({ org: claims.org, user: claims.user, groups: claims.groups })
      .setProtectedHeader({ alg: 'EdDSA', kid: this.kid, typ: 'JWT' })
      .setIssuer(claims.iss)
      .setSubject(claims.sub)
      .setAudience('waygate-edge')
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlSeconds)
      .sign(this.privateKey);
  }
}
