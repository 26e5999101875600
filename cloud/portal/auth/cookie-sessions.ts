/**
 * Sessions kept in the store, named by a cookie (see session-cookie.ts). A session starts either
 * complete (no second factor) or pending (password passed, TOTP to do); passing TOTP replaces the
 * pending session with a new one, so an id seen before the second factor is worth nothing after.
 *
 * Expiry is absolute (config.sessionTtlHours from sign-in), not sliding: a stolen cookie stops
 * working at a known time however busy it is kept.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { WaygateError } from '../../../protocol/errors.js';
import type { MfaRequiredDetails } from '../../../protocol/portal-admin.js';
import type { PortalContext } from '../context.js';
import { randomToken, sha256 } from '../crypto/secrets.js';
import type { Session, User } from '../store/store.js';
import { checkCsrfToken } from './csrf.js';
import { safeReturnTo } from './return-to.js';
import { clearSessionCookie, readSessionCookie, setSessionCookie } from './session-cookie.js';
import type { Sessions, SignedIn } from './sessions.js';

/** Long enough to open an authenticator app; short enough that a half-done sign-in goes stale. */
export const PENDING_MFA_TTL_MS = 10 * 60 * 1000;

export const SIGN_IN_PATH = '/auth/sign-in';

export class CookieSessions implements Sessions {
  constructor(private readonly ctx: PortalContext) {}

  /** The valid session on this request, complete or pending, with its (enabled) user. */
  async lookup(request: FastifyRequest): Promise<SignedIn | null> {
    const value = readSessionCookie(request, this.ctx.config.publicUrl);
    if (value === null) return null;
    const idHash = sha256(value);
    const session = await this.ctx.store.getSession(idHash);
    if (!session) return null;
    if (session.expiresAt <= this.ctx.now()) {
      await this.ctx.store.deleteSession(idHash);
      return null;
    }
    const user = await this.ctx.store.getUser(session.userId);
    if (!user || user.disabled) return null;
    return { user, session };
  }

  async current(request: FastifyRequest): Promise<SignedIn | null> {
    const found = await this.lookup(request);
    return found?.session.mfaPassed ? found : null;
  }

  async require(request: FastifyRequest): Promise<SignedIn> {
    const found = await this.lookup(request);
    if (!found) throw new WaygateError('UNAUTHENTICATED', `Sign in first: ${this.ctx.config.publicUrl}${SIGN_IN_PATH}`);
    if (!found.session.mfaPassed) {
      const details: MfaRequiredDetails = { csrfToken: found.session.csrfToken, next: '/auth/totp' };
      throw new WaygateError('MFA_REQUIRED', 'Enter the code from your authenticator app (POST /auth/totp) to finish signing in.', details);
    }
    return found;
  }

  checkCsrf(request: FastifyRequest, session: Session): void {
    checkCsrfToken(request, session);
  }

  redirectToSignIn(reply: FastifyReply, returnTo: string): FastifyReply {
    const target = safeReturnTo(returnTo);
    const query = target === null ? '' : `?return_to=${encodeURIComponent(target)}`;
    return reply.header('cache-control', 'no-store').redirect(`${SIGN_IN_PATH}${query}`, 303);
  }

  /** Starts a session for `user` and sets its cookie; ends the one the request came with, if any. */
  async start(request: FastifyRequest, reply: FastifyReply, user: User, mfaPassed: boolean): Promise<Session> {
    await this.endStored(request);
    const now = this.ctx.now();
    const ttlMs = mfaPassed ? this.ctx.config.sessionTtlHours * 3600_000 : PENDING_MFA_TTL_MS;
    const value = randomToken(32);
    const session: Session = { idHash: sha256(value), userId: user.id, csrfToken: randomToken(32), mfaPassed, createdAt: now, expiresAt: now + ttlMs };
    await this.ctx.store.createSession(session);
    setSessionCookie(reply, this.ctx.config.publicUrl, value, ttlMs / 1000);
    return session;
  }

  /** Ends the request's session (if any) and clears the cookie. */
  async end(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    await this.endStored(request);
    clearSessionCookie(reply, this.ctx.config.publicUrl);
  }

  private async endStored(request: FastifyRequest): Promise<void> {
    const value = readSessionCookie(request, this.ctx.config.publicUrl);
    if (value !== null) await this.ctx.store.deleteSession(sha256(value));
  }
}
