/**
 * The edge's side of HTTP proxy authentication (RFC 9110 §11.7): reading the edge token out of
 * `Proxy-Authorization` and building the 407 challenge. Pure: strings in, values out.
 *
 * Two schemes carry the token: `Bearer <jwt>` (RFC 6750), and `Basic base64(user:token)` with the
 * token as the password, for clients (browsers, curl `-U`) that only speak Basic. The user name is
 * ignored: the token alone says who is asking.
 */
import type { EdgeAuthCode, EdgeAuthFailure } from './verify-token.js';

export const REALM = 'waygate';

export type ProxyCredential = { ok: true; token: string } | EdgeAuthFailure;

/** RFC 9110 token68. */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function malformed(reason: string): EdgeAuthFailure {
  return { ok: false, code: 'TOKEN_MALFORMED', reason };
}

/** Reads the edge token from a `Proxy-Authorization` value. The scheme name is case-insensitive. */
export function parseProxyAuthorization(header: string | undefined): ProxyCredential {
  const value = header?.trim() ?? '';
  if (value === '') return { ok: false, code: 'TOKEN_MISSING', reason: 'No Proxy-Authorization header was sent.' };
  const space = value.search(/[ \t]/);
  const scheme = space < 0 ? value : value.slice(0, space);
  const credentials = space < 0 ? '' : value.slice(space).trim();
  const lower = scheme.toLowerCase();
  if (lower !== 'bearer' && lower !== 'basic') return malformed('The Proxy-Authorization scheme is not supported; use Bearer or Basic.');
  if (credentials === '') return { ok: false, code: 'TOKEN_MISSING', reason: `The ${lower === 'bearer' ? 'Bearer' : 'Basic'} credentials are empty.` };
  if (!TOKEN68.test(credentials)) return malformed('The Proxy-Authorization credentials contain characters that are not allowed.');
  return lower === 'bearer' ? { ok: true, token: credentials } : fromBasic(credentials);
}

function fromBasic(credentials: string): ProxyCredential {
  if (!BASE64.test(credentials)) return malformed('The Basic credentials are not valid base64.');
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return malformed('The Basic credentials are not user:password.');
  const token = decoded.slice(colon + 1);
  if (token === '') return { ok: false, code: 'TOKEN_MISSING', reason: 'The Basic credentials have no password; the edge token goes there.' };
  return { ok: true, token };
}

export interface Challenge407 {
  status: 407;
  code: EdgeAuthCode;
  /** For people: what happened and what to do. */
  message: string;
  /** The `Proxy-Authenticate` values, one header line each: Bearer first, then Basic. */
  proxyAuthenticate: string[];
}

const MESSAGES: Record<EdgeAuthCode, string> = {
  TOKEN_MISSING: 'This proxy needs a Waygate edge token. Connect with the Waygate app, which signs you in to the edge.',
  TOKEN_MALFORMED: 'The credentials sent to this proxy are not a Waygate edge token. Reconnect with the Waygate app.',
  TOKEN_EXPIRED: 'Your Waygate edge token has expired. The Waygate app renews it on its own; if this persists, reconnect.',
  TOKEN_UNKNOWN_KEY: 'This edge does not recognise the key your token was signed with. Try again in a minute; if it persists, contact your administrator.',
  TOKEN_BAD_SIGNATURE: 'Your Waygate edge token failed its signature check. Reconnect with the Waygate app.',
  TOKEN_WRONG_AUDIENCE: 'The token sent is not meant for the Waygate edge. Reconnect with the Waygate app.',
  TOKEN_WRONG_ISSUER: 'Your Waygate edge token comes from a different portal than this edge trusts. Check that the app is enrolled with your organisation.',
  TOKEN_REVOKED: 'This device was removed or blocked by your administrator. Sign in again with the Waygate app, or ask your administrator.',
};

/** RFC 6750 §3: error_description allows printable ASCII except `"` and `\`. */
function quotable(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '?');
}

/**
 * The 407 answer to a failed authentication. A request that carried no credentials gets the
 * challenge without an error code (RFC 6750 §3.1); any other failure says `invalid_token` and why.
 */
export function challenge407(failure: EdgeAuthFailure): Challenge407 {
  const bearer =
    failure.code === 'TOKEN_MISSING'
      ? `Bearer realm="${REALM}"`
      : `Bearer realm="${REALM}", error="invalid_token", error_description="${quotable(failure.reason)}"`;
  return {
    status: 407,
    code: failure.code,
    message: MESSAGES[failure.code],
    proxyAuthenticate: [bearer, `Basic realm="${REALM}"`],
  };
}
