/**
 * The contract between sign-in (auth/) and the pages and APIs that need a signed-in person
 * (the device verification page, the admin API). Implemented in auth/cookie-sessions.ts.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Session, User } from '../store/store.js';

export interface SignedIn {
  user: User;
  session: Session;
}

export interface Sessions {
  /** The person signed in on this request — password and, when enrolled, TOTP passed — or null. */
  current(request: FastifyRequest): Promise<SignedIn | null>;
  /**
   * Like current(), for JSON APIs: throws WaygateError UNAUTHENTICATED when there is no valid
   * session, MFA_REQUIRED when the password was right but the TOTP step is still to do.
   */
  require(request: FastifyRequest): Promise<SignedIn>;
  /**
   * Throws WaygateError CSRF_FAILED unless the request carries the session's CSRF token (header
   * `x-csrf-token`, or form field `_csrf` for HTML forms).
   */
  checkCsrf(request: FastifyRequest, session: Session): void;
  /** Sends the browser to sign in, returning to `returnTo` (a same-origin path) afterwards. */
  redirectToSignIn(reply: FastifyReply, returnTo: string): FastifyReply;
}
