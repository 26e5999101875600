/**
 * Sign-in with email and password: the page (GET /auth/sign-in) and its POST, which answers both
 * the HTML form (pages and 303 redirects) and JSON clients (SessionInfo, or MFA_REQUIRED with the
 * pending session's CSRF token when the account has TOTP).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { WaygateError, httpStatusOf } from '../../../protocol/errors.js';
import { SignInRequest, type MfaRequiredDetails } from '../../../protocol/portal-admin.js';
import type { User } from '../store/store.js';
import type { AuthServices } from './auth-services.js';
import { checkSameOrigin } from './csrf.js';
import { badReturnTo, signInPage, signedInPage } from './pages.js';
import { parseInput } from '../parse-input.js';
import { perIpRateLimit } from './rate-limits.js';
import { defaultLanding, isFormPost, noStore, seeOther, sessionInfo } from './respond.js';
import { optionalReturnTo, returnToParam } from './return-to.js';

const ReturnToQuery = z.object({ return_to: z.string().optional() });
const SignInForm = SignInRequest.extend({ return_to: z.string().optional() });

export function registerPasswordRoutes(app: FastifyInstance, auth: AuthServices): void {
  const { ctx, sessions } = auth;
  const oidcLabel = (): string | undefined => ctx.config.oidc?.displayName;


  app.get('/auth/sign-in', async (request, reply) => {
    const query = parseInput(ReturnToQuery, request.query, 'query');
    const returnTo = optionalReturnTo(query.return_to);
    if (returnTo === null) return badReturnTo(reply);
    const found = await sessions.lookup(request);
    if (found?.session.mfaPassed) {
      if (returnTo !== undefined) return seeOther(reply, returnTo);
      const { user, session } = found;
      return signedInPage(reply, { name: user.name, email: user.email, csrfToken: session.csrfToken, isAdmin: user.role === 'admin' });
    }
    if (found) return seeOther(reply, `/auth/totp${returnTo ? `?return_to=${encodeURIComponent(returnTo)}` : ''}`);
    return signInPage(reply, 200, { orgName: ctx.org.name, returnTo: returnTo ?? '', oidcLabel: oidcLabel() });
  });

  app.post('/auth/sign-in', { config: { rateLimit: perIpRateLimit() } }, async (request, reply) => {
    noStore(reply);
    checkSameOrigin(request, ctx.config.publicUrl);
    const form = isFormPost(request);
    const body = parseInput(SignInForm, request.body);
    const returnTo = form ? optionalReturnTo(body.return_to) : returnToParam(body.return_to);
    if (returnTo === null) return badReturnTo(reply);
    auth.signInLimiter.hit(body.email.trim().toLowerCase());

    let user: User;
    try {
      user = await auth.passwords.verify(body.email, body.password);
    } catch (err) {
      if (!form || !(err instanceof WaygateError)) throw err;
      return signInPage(reply, httpStatusOf(err.code), { orgName: ctx.org.name, returnTo: returnTo ?? '', email: body.email, error: err.message, oidcLabel: oidcLabel() });
    }

    if (user.totpSecret !== null) {
      const pending = await sessions.start(request, reply, user, false);
      if (form) return seeOther(reply, `/auth/totp${returnTo ? `?return_to=${encodeURIComponent(returnTo)}` : ''}`);
      const details: MfaRequiredDetails = { csrfToken: pending.csrfToken, next: '/auth/totp' };
      const error = new WaygateError('MFA_REQUIRED', 'Password accepted. Enter the 6-digit code from your authenticator app to finish signing in.', details);
      return reply.code(httpStatusOf(error.code)).send(error.toWire());
    }

    const session = await sessions.start(request, reply, user, true);
    await ctx.audit(user.id, 'auth.sign-in', user.id, { method: 'password' });
    ctx.logger.info({ userId: user.id, method: 'password' }, 'auth: signed in');
    if (form) return seeOther(reply, returnTo ?? defaultLanding(user));
    return sessionInfo(user, session);
  });
}
