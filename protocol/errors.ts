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
  /** Something failed that the caller cannot fix; details are in the service log. */
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

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
