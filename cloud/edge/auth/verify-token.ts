/**
 * Verifies an edge token: an EdDSA JWT the portal signed for `aud: waygate-edge` (see
 * `PortalSigner.edgeToken` and `EdgeTokenClaims`). Only EdDSA is accepted, whatever the header says,
 * so `alg: none` and HMAC-with-the-public-key confusion cannot get through. The result says why a
 * token failed with a stable code; it never throws for a bad token.
 */
import type { KeyObject } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { ErrorCode } from '../../../protocol/errors.js';
import { EdgeTokenClaims } from '../../../protocol/portal.js';

export const EDGE_AUDIENCE = 'waygate-edge';
/** Seconds of clock skew allowed between the portal and the edge on `exp`, `iat` and `nbf`. */
export const CLOCK_TOLERANCE_SECONDS = 30;
/** The portal never issues a token for longer than an hour; an older `iat` is refused. */
export const MAX_TOKEN_AGE_SECONDS = 3600;

/** Why an edge token was refused: the 407 codes of the one list in protocol/errors.ts. */
export type EdgeAuthCode = Extract<
  ErrorCode,
  'TOKEN_MISSING' | 'TOKEN_MALFORMED' | 'TOKEN_EXPIRED' | 'TOKEN_UNKNOWN_KEY' | 'TOKEN_BAD_SIGNATURE' | 'TOKEN_WRONG_AUDIENCE' | 'TOKEN_WRONG_ISSUER' | 'TOKEN_REVOKED'
>;

export interface EdgeAuthFailure {
  ok: false;
  code: EdgeAuthCode;
  /** What is wrong with the token, for logs and the 407 body. Never echoes token contents. */
  reason: string;
}

export type EdgeTokenResult = { ok: true; claims: EdgeTokenClaims } | EdgeAuthFailure;

/** Where the verifier gets the public key a token names (the JWKS cache, or a fixed set in tests). */
export interface EdgeKeySource {
  keyFor(kid: string): Promise<KeyObject | undefined>;
}

export interface VerifyOptions {
  /** The portal's public URL: the only `iss` accepted. */
  issuer: string;
  /** Epoch milliseconds. */
  now: number;
  /** Seconds of skew allowed on exp/iat/nbf (default CLOCK_TOLERANCE_SECONDS). */
  clockToleranceSeconds?: number;
}

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function fail(code: EdgeAuthCode, reason: string): EdgeAuthFailure {
  return { ok: false, code, reason };
}

export async function verifyEdgeToken(token: string | undefined, keys: EdgeKeySource, options: VerifyOptions): Promise<EdgeTokenResult> {
  if (token === undefined || token === '') return fail('TOKEN_MISSING', 'No edge token was presented.');
  if (!JWS_COMPACT.test(token)) return fail('TOKEN_MALFORMED', 'The edge token is not a signed JWT.');

  let alg: string | undefined;
  let kid: string | undefined;
  try {
    ({ alg, kid } = decodeProtectedHeader(token));
  } catch {
    return fail('TOKEN_MALFORMED', 'The edge token header cannot be decoded.');
  }
  if (alg !== 'EdDSA') return fail('TOKEN_MALFORMED', 'The edge token is not signed with EdDSA.');
  if (typeof kid !== 'string' || kid === '') return fail('TOKEN_MALFORMED', 'The edge token does not name its signing key.');

  const key = await keys.keyFor(kid);
  if (key === undefined) return fail('TOKEN_UNKNOWN_KEY', 'The edge token was signed with a key this edge does not know.');

  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ['EdDSA'],
      audience: EDGE_AUDIENCE,
      issuer: options.issuer,
      currentDate: new Date(options.now),
      clockTolerance: options.clockToleranceSeconds ?? CLOCK_TOLERANCE_SECONDS,
      maxTokenAge: MAX_TOKEN_AGE_SECONDS,
      requiredClaims: ['iss', 'aud', 'sub', 'iat', 'exp'],
    }));
  } catch (err) {
    return classify(err);
  }

  const claims = EdgeTokenClaims.safeParse(payload);
  if (!claims.success) return fail('TOKEN_MALFORMED', 'The edge token does not carry the claims the edge needs.');
  return { ok: true, claims: claims.data };
}

function classify(err: unknown): EdgeAuthFailure {
  if (err instanceof errors.JWSSignatureVerificationFailed) return fail('TOKEN_BAD_SIGNATURE', 'The edge token signature does not verify.');
  if (err instanceof errors.JWTExpired) return fail('TOKEN_EXPIRED', 'The edge token has expired.');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return fail('TOKEN_WRONG_AUDIENCE', 'The edge token was issued for another service.');
    if (err.claim === 'iss') return fail('TOKEN_WRONG_ISSUER', 'The edge token was issued by another portal.');
    if (err.claim === 'nbf' || err.claim === 'iat') return fail('TOKEN_MALFORMED', 'The edge token is not valid yet; check the clocks.');
    return fail('TOKEN_MALFORMED', `The edge token lacks a valid ${err.claim} claim.`);
  }
  return fail('TOKEN_MALFORMED', 'The edge token cannot be read.');
}
