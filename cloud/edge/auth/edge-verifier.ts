/**
 * How the edge checks a token on every request: signature and claims (verifyEdgeToken), then the
 * revocation list from the portal. Signature checks are cached per token string until the token
 * expires, because a browser sends the same token on every request and an Ed25519 verify costs
 * more than the rest of a proxied request; revocation is checked on every call, so a device the
 * portal revokes is refused from the next policy pull, cached or not.
 */
import type { EdgeTokenClaims } from '../../../protocol/portal.js';
import { CLOCK_TOLERANCE_SECONDS, fail, verifyEdgeToken, type EdgeKeySource, type EdgeTokenResult } from './verify-token.js';

export interface EdgeVerifierOptions {
  keys: EdgeKeySource;
  /** The portal's public URL: the only `iss` accepted. */
  issuer: string;
  /** Device id → revocation time; null while the edge has no policy. */
  revoked: () => ReadonlyMap<string, number> | null;
  now?: () => number;
  /** Verified tokens kept; the oldest is dropped first. */
  cacheSize?: number;
  /** Seconds of clock skew allowed between portal and edge (default CLOCK_TOLERANCE_SECONDS). */
  clockToleranceSeconds?: number;
}

export type EdgeVerifier = (token: string | undefined) => Promise<EdgeTokenResult>;

export function createEdgeVerifier(options: EdgeVerifierOptions): EdgeVerifier {
  const now = options.now ?? Date.now;
  const cacheSize = options.cacheSize ?? 10_000;
  const verified = new Map<string, EdgeTokenClaims>();
  const tolerance = options.clockToleranceSeconds ?? CLOCK_TOLERANCE_SECONDS;

  const checkRevoked = (claims: EdgeTokenClaims): EdgeTokenResult =>
    options.revoked()?.has(claims.sub) === true ? fail('TOKEN_REVOKED', 'The device this token belongs to was revoked or removed.') : { ok: true, claims };

  return async (token) => {
    if (token !== undefined) {
      const cached = verified.get(token);
      // The same tolerance verifyEdgeToken allows, so a cached token expires when a fresh check would fail.
      if (cached !== undefined && now() < (cached.exp + tolerance) * 1000) return checkRevoked(cached);
      verified.delete(token);
    }
    const result = await verifyEdgeToken(token, options.keys, { issuer: options.issuer, now: now(), clockToleranceSeconds: tolerance });
    if (!result.ok || token === undefined) return result;
    if (verified.size >= cacheSize) {
      const oldest = verified.keys().next();
      if (oldest.done !== true) verified.delete(oldest.value);
    }
    verified.set(token, result.claims);
    return checkRevoked(result.claims);
  };
}
