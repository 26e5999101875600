/**
 * Authentication of a tunnel upgrade request, before any WebSocket exists: the edge token comes in
 * `Authorization: Bearer <token>` (the device's own request, not a proxy hop, so not
 * `Proxy-Authorization`), and a failure is a 401 with a `{code, message}` body and the RFC 6750
 * challenge, written on the raw socket the upgrade arrived on.
 */
import type { IncomingMessage } from 'node:http';
import { challenge407 } from '../auth/proxy-authorization.js';
import type { EdgeAuthFailure, EdgeTokenResult } from '../auth/verify-token.js';
import type { VerifyToken } from '../proxy/authenticate.js';
import type { Refusal } from '../proxy/refusal.js';

/** RFC 6750 §2.1 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

export function parseBearer(header: string | undefined): { ok: true; token: string } | EdgeAuthFailure {
  const value = header?.trim() ?? '';
  if (value === '') return { ok: false, code: 'TOKEN_MISSING', reason: 'No Authorization header was sent.' };
  const space = value.search(/[ \t]/);
  const scheme = space < 0 ? value : value.slice(0, space);
  const token = space < 0 ? '' : value.slice(space).trim();
  if (scheme.toLowerCase() !== 'bearer') return { ok: false, code: 'TOKEN_MALFORMED', reason: 'The Authorization scheme is not Bearer.' };
  if (token === '') return { ok: false, code: 'TOKEN_MISSING', reason: 'The Bearer credentials are empty.' };
  if (!B64TOKEN.test(token)) return { ok: false, code: 'TOKEN_MALFORMED', reason: 'The Bearer credentials contain characters that are not allowed.' };
  return { ok: true, token };
}

export async function authenticateUpgrade(req: IncomingMessage, verify: VerifyToken): Promise<EdgeTokenResult> {
  const credential = parseBearer(req.headers.authorization);
  return credential.ok ? verify(credential.token) : credential;
}

/** The 401 for a failed authentication; the message says what to do, the reason never echoes the token. */
export function unauthorized(failure: EdgeAuthFailure): Refusal {
  const challenge = challenge407(failure);
  return {
    status: 401,
    code: challenge.code,
    message: `${challenge.message} (${failure.reason})`,
    headers: { 'www-authenticate': challenge.proxyAuthenticate.filter((value) => value.startsWith('Bearer')) },
  };
}
