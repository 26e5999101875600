/**
 * Every error code that crosses a process boundary, in one list. Errors travel as
 * `{code, message, details?}` and are rebuilt into a `WaygateError` on the other side, so callers
 * branch on `code`, never on message text. Messages are for people: they say what happened and what
 * to do about it.
 */
import { z } from 'zod';

export const ErrorCode = z.enum([
  /** A frame or body could not be parsed (bad length, UTF-8 or JSON). */
  'BAD_FRAME',
  /** A message parsed but does not have the shape its schema requires. */
  'BAD_REQUEST',
  /** A frame is larger than the limit for its direction. */
  'FRAME_TOO_LARGE',
  /** A reply would be larger than the browser accepts from a native host (1 MiB). */
  'REPLY_TOO_LARGE',
  /** The method or route does not exist in this protocol version. */
  'UNKNOWN_METHOD',
  /** The message names a protocol version this side does not speak. */
  'UNSUPPORTED_VERSION',
  /** The caller is not allowed to do this (see the LocalAPI permission model). */
  'PERMISSION_DENIED',
  /** The Waygate service is not running or not reachable on its socket. */
  'SERVICE_UNAVAILABLE',
  /** Another Waygate service already owns the socket. */
  'SERVICE_ALREADY_RUNNING',
  /** A request got no reply in time. */
  'TIMEOUT',
  /** The connection closed while the request was pending. */
  'DISCONNECTED',
  /** No valid credential (device credential, session, token) came with the request. */
  'UNAUTHENTICATED',
  /** The thing named does not exist (or the caller may not know that it does). */
  'NOT_FOUND',
  /** The change conflicts with what is stored (a name already taken, a stale version). */
  'CONFLICT',
  /** Too many requests from this client; retry after the time given. */
  'RATE_LIMITED',
  /** The user already has as many devices as the org allows. */
  'DEVICE_LIMIT_REACHED',
  /** A policy document failed validation; `details.errors` lists each problem with its path. */
  'INVALID_POLICY',
  /** A state-changing request came without the session's CSRF token. */
  'CSRF_FAILED',
  /** Too many failed sign-ins: the account is locked for a while. */
  'ACCOUNT_LOCKED',
  /** The password was right; the second factor (TOTP) is still needed. */
  'MFA_REQUIRED',
  /** The edge refuses to connect to this destination (loopback, link-local, its own networks…). */
  'DESTINATION_FORBIDDEN',
  /** The edge could not reach (or resolve) the destination. */
  'UPSTREAM_UNREACHABLE',
  /** An access rule of the organisation's policy blocks this destination; `details.ruleId` names it. */
  'ACCESS_BLOCKED',
  /** The destination did not answer in time. */
  'UPSTREAM_TIMEOUT',
  /** The device already has as many connections open at this edge as it may. */
  'TOO_MANY_CONNECTIONS',
  /** The request's line or headers are larger than the edge accepts. */
  'REQUEST_TOO_LARGE',
  /** The edge has no policy from the portal yet and forwards nothing (fail-closed). */
  'EDGE_NOT_READY',
  /** Edge authentication (407): no token, a token that does not parse, or one that does not verify. */
  'TOKEN_MISSING',
  'TOKEN_MALFORMED',
  'TOKEN_EXPIRED',
  'TOKEN_UNKNOWN_KEY',
  'TOKEN_BAD_SIGNATURE',
  'TOKEN_WRONG_AUDIENCE',
  'TOKEN_WRONG_ISSUER',
  /** The token belongs to a device an admin revoked; sign in again. */
  'TOKEN_REVOKED',
  /** The profile sets a password for this (logout, turning protection off): give it, or a one-time code from the portal. */
  'PASSWORD_REQUIRED',
  /** The password or one-time code is not the right one. */
  'PASSWORD_WRONG',
  /** The device is not signed in to an organisation yet: run `waygate login` or use the popup's Sign in. */
  'NOT_ENROLLED',
  /** Sign-in did not complete: the user denied it, the code expired, or the portal refused; `details.reason` says which. */
  'LOGIN_FAILED',
  /** The portal could not be reached or answered with an error; the last good config stays in force. */
  'PORTAL_UNREACHABLE',
  /** The portal's config failed its signature or schema check and was not applied; the last good one stays. */
  'CONFIG_REJECTED',
  /** Something failed that the caller cannot fix; details are in the service log. */
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The HTTP status each code travels with on the HTTP APIs (LocalAPI, portal, edge). */
const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_FRAME: 400,
  BAD_REQUEST: 400,
  FRAME_TOO_LARGE: 413,
  REPLY_TOO_LARGE: 500,
  UNKNOWN_METHOD: 404,
  UNSUPPORTED_VERSION: 400,
  PERMISSION_DENIED: 403,
  SERVICE_UNAVAILABLE: 503,
  SERVICE_ALREADY_RUNNING: 409,
  TIMEOUT: 504,
  DISCONNECTED: 503,
  UNAUTHENTICATED: 401,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  DEVICE_LIMIT_REACHED: 403,
  INVALID_POLICY: 400,
  CSRF_FAILED: 403,
  ACCOUNT_LOCKED: 423,
  MFA_REQUIRED: 401,
  DESTINATION_FORBIDDEN: 403,
  UPSTREAM_UNREACHABLE: 502,
  ACCESS_BLOCKED: 403,
  UPSTREAM_TIMEOUT: 504,
  TOO_MANY_CONNECTIONS: 429,
  REQUEST_TOO_LARGE: 431,
  EDGE_NOT_READY: 503,
  TOKEN_MISSING: 407,
  TOKEN_MALFORMED: 407,
  TOKEN_EXPIRED: 407,
  TOKEN_UNKNOWN_KEY: 407,
  TOKEN_BAD_SIGNATURE: 407,
  TOKEN_WRONG_AUDIENCE: 407,
  TOKEN_WRONG_ISSUER: 407,
  TOKEN_REVOKED: 407,
  PASSWORD_REQUIRED: 403,
  PASSWORD_WRONG: 403,
  NOT_ENROLLED: 409,
  LOGIN_FAILED: 400,
  PORTAL_UNREACHABLE: 502,
  CONFIG_REJECTED: 502,
  INTERNAL: 500,
};

export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code];
}

export const WireError = z.object({
  code: ErrorCode,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type WireError = z.infer<typeof WireError>;

/** The typed error every Waygate process throws and rebuilds from the wire. */
export class WaygateError extends Error {
  override readonly name = 'WaygateError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toWire(): WireError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static fromWire(wire: WireError): WaygateError {
    return new WaygateError(wire.code, wire.message, wire.details);
  }
}

/** Any thrown value as a wire error; unknown failures become INTERNAL without leaking internals. */
export function toWireError(err: unknown): WireError {
  if (err instanceof WaygateError) return err.toWire();
  return { code: 'INTERNAL', message: 'Internal error in the Waygate service; see its log.' };
}
