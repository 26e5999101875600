/**
 * The first thing the proxy does with every request and CONNECT: read the edge token from
 * `Proxy-Authorization` and verify it. A failure becomes the 407 refusal with its challenges.
 */
import { challenge407, parseProxyAuthorization } from '../auth/proxy-authorization.js';
import type { EdgeTokenClaims } from '../../../protocol/portal.js';
import type { EdgeTokenResult } from '../auth/verify-token.js';
import type { Refusal } from './refusal.js';

export type VerifyToken = (token: string) => Promise<EdgeTokenResult>;

export type Authentication = { readonly ok: true; readonly claims: EdgeTokenClaims } | { readonly ok: false; readonly refusal: Refusal };

export async function authenticate(header: string | undefined, verify: VerifyToken): Promise<Authentication> {
  const credential = parseProxyAuthorization(header);
  const result = credential.ok ? await verify(credential.token) : credential;
  if (result.ok) return { ok: true, claims: result.claims };
  const challenge = challenge407(result);
  return {
    ok: false,
    refusal: { status: 407, code: challenge.code, message: `${challenge.message} (${result.reason})`, headers: { 'proxy-authenticate': challenge.proxyAuthenticate } },
  };
}
