/**
 * The signed-in person's own session and account: who am I (with the CSRF token the UI needs),
 * sign out, change password.
 */
import type { FastifyInstance } from 'fastify';
import { WaygateError } from '../../../protocol/errors.js';
import { PasswordChangeRequest, type SessionInfo } from '../../../protocol/portal-admin.js';
import { hashPassword, verifyPassword } from '../crypto/passwords.js';
import type { AuthServices } from './auth-services.js';
import { parseInput } from '../parse-input.js';
import { isFormPost, noStore, seeOther, sessionInfo } from './respond.js';

export function registerAccountRoutes(app: FastifyInstance, auth: AuthServices): void {
  const { ctx, sessions } = auth;

  app.get('/auth/session', async (request, reply): Promise<SessionInfo> => {
    noStore(reply);
    const { user, session } = await sessions.require(request);
    return sessionInfo(user, session);
  });

  /** Pending (half signed-in) sessions can be ended too; without any session this just clears the cookie. */
  app.post('/auth/sign-out', async (request, reply) => {
    noStore(reply);
    const found = await sessions.lookup(request);
    if (found) {
      sessions.checkCsrf(request, found.session);
      await ctx.audit(found.user.id, 'auth.sign-out', found.user.id);
    }
    await sessions.end(request, reply);
    return isFormPost(request) ? seeOther(reply, '/auth/sign-in') : reply.code(204).send();
  });

  app.post('/auth/password', async (request, reply): Promise<SessionInfo> => {
    noStore(reply);
    const { user, session } = await sessions.require(request);
    sessions.checkCsrf(request, session);
    const body = parseInput(PasswordChangeRequest, request.body);
    if (user.passwordHash === null) {
      throw new WaygateError('CONFLICT', 'This account signs in through single sign-on and has no password here; change it with your identity provider.');
    }
    auth.passwords.assertNotLocked(user);
    if (!(await verifyPassword(body.currentPassword, user.passwordHash))) {
      // A stolen session must not become a free password-guessing oracle.
      await auth.passwords.recordFailure(user, 'password');
      throw new WaygateError('PERMISSION_DENIED', 'The current password is not right; the password was not changed.');
    }
    if (body.newPassword === body.currentPassword) throw new WaygateError('BAD_REQUEST', 'newPassword: choose a password different from the current one.');
    const passwordHash = await hashPassword(body.newPassword);
    await ctx.store.updateUser(user.id, { passwordHash, failedSignIns: 0, lockedUntil: null });
    // Whoever else holds a session on the old password is signed out; this browser gets a fresh one.
    await ctx.store.deleteSessionsOfUser(user.id);
    const fresh = await sessions.start(request, reply, user, session.mfaPassed);
    await ctx.audit(user.id, 'auth.password.change', user.id);
    return sessionInfo({ ...user, passwordHash }, fresh);
  });
}
