/**
 * The TOTP second factor: the code step after a password (GET/POST /auth/totp) and enrolment of an
 * authenticator app by a signed-in user (POST /auth/totp/setup, then /auth/totp/confirm).
 *
 * Wrong codes at the sign-in step count towards the same lockout as wrong passwords: the password
 * alone must not allow unlimited guesses at six digits. A code is accepted once (replay guard).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { WaygateError, httpStatusOf } from '../../../protocol/errors.js';
import { TotpConfirmRequest, TotpRequest, type MfaRequiredDetails, type TotpSetupResponse } from '../../../protocol/portal-admin.js';
import type { User } from '../store/store.js';
import type { AuthServices } from './auth-services.js';
import { AFTER_SUCCESS } from './lockout.js';
import { badReturnTo, messagePage, totpPage } from './pages.js';
import { parseInput } from '../parse-input.js';
import { perIpRateLimit } from './rate-limits.js';
import { defaultLanding, isFormPost, noStore, seeOther, sessionInfo } from './respond.js';
import { optionalReturnTo, returnToParam } from './return-to.js';
import { isAcceptableTotpSecret, matchTotp, newTotpSecret, totpUri } from './totp.js';

const WRONG_CODE = 'That code is not right, or it was already used. Enter the code your authenticator app shows now.';

const TotpForm = TotpRequest.extend({ return_to: z.string().optional() });
const ReturnToQuery = z.object({ return_to: z.string().optional() });

/** True when `code` is the user's current code and was not used before; counts a failure otherwise. */
async function acceptCode(auth: AuthServices, user: User, secret: string, code: string): Promise<boolean> {
  auth.passwords.assertNotLocked(user);
  const step = matchTotp(secret, code, auth.ctx.now());
  if (step !== null && auth.totpReplay.use(user.id, step)) {
    if (user.failedSignIns !== 0 || user.lockedUntil !== null) await auth.ctx.store.updateUser(user.id, AFTER_SUCCESS);
    return true;
  }
  await auth.passwords.recordFailure(user, 'totp');
  return false;
}

export function registerTotpRoutes(app: FastifyInstance, auth: AuthServices): void {
  const { ctx, sessions } = auth;

  app.get('/auth/totp', async (request, reply) => {
    const returnTo = optionalReturnTo(parseInput(ReturnToQuery, request.query, 'query').return_to);
    if (returnTo === null) return badReturnTo(reply);
    const found = await sessions.lookup(request);
    if (!found || found.user.totpSecret === null) return sessions.redirectToSignIn(reply, returnTo ?? '');
    if (found.session.mfaPassed) return seeOther(reply, returnTo ?? defaultLanding(found.user));
    return totpPage(reply, 200, { returnTo: returnTo ?? '', csrfToken: found.session.csrfToken });
  });

  app.post('/auth/totp', { config: { rateLimit: perIpRateLimit() } }, async (request, reply) => {
    noStore(reply);
    const form = isFormPost(request);
    const found = await sessions.lookup(request);
    if (!found) {
      if (form) return sessions.redirectToSignIn(reply, '');
      throw new WaygateError('UNAUTHENTICATED', 'Sign in with your password first (POST /auth/sign-in); the code step follows it.');
    }
    const { user, session } = found;
    sessions.checkCsrf(request, session);
    const body = parseInput(TotpForm, request.body);
    const returnTo = form ? optionalReturnTo(body.return_to) : returnToParam(body.return_to);
    if (returnTo === null) return badReturnTo(reply);
    if (session.mfaPassed || user.totpSecret === null) return form ? seeOther(reply, returnTo ?? defaultLanding(user)) : sessionInfo(user, session);

    auth.totpLimiter.hit(user.id);
    let accepted: boolean;
    try {
      accepted = await acceptCode(auth, user, user.totpSecret, body.code);
    } catch (err) {
      // Locked: the half-signed-in session is of no further use to anyone.
      await sessions.end(request, reply);
      if (form && err instanceof WaygateError) return messagePage(reply, httpStatusOf(err.code), 'Account locked', err.message, { href: '/auth/sign-in', label: 'Back to sign-in' });
      throw err;
    }
    if (!accepted) return wrongCode(reply, form, session.csrfToken, returnTo);

    const complete = await sessions.start(request, reply, user, true);
    await ctx.audit(user.id, 'auth.sign-in', user.id, { method: 'password+totp' });
    ctx.logger.info({ userId: user.id, method: 'password+totp' }, 'auth: signed in');
    return form ? seeOther(reply, returnTo ?? defaultLanding(user)) : sessionInfo(user, complete);
  });

  app.post('/auth/totp/setup', async (request, reply): Promise<TotpSetupResponse> => {
    noStore(reply);
    const { user, session } = await sessions.require(request);
    sessions.checkCsrf(request, session);
    const secret = newTotpSecret();
    return { secret, uri: totpUri(secret, user.email, `${ctx.org.name} (Waygate)`) };
  });

  app.post('/auth/totp/confirm', async (request, reply) => {
    noStore(reply);
    const { user, session } = await sessions.require(request);
    sessions.checkCsrf(request, session);
    const body = parseInput(TotpConfirmRequest, request.body);
    const secret = body.secret.toUpperCase();
    if (!isAcceptableTotpSecret(secret)) throw new WaygateError('BAD_REQUEST', 'That secret is not one this portal issued. Start again with POST /auth/totp/setup.');
    if (user.totpSecret !== null) {
      if (body.currentCode === undefined) {
        throw new WaygateError('BAD_REQUEST', 'Two-step verification is already on. To move it to a new app, also send currentCode: a code from the app you use now.');
      }
      auth.totpLimiter.hit(user.id);
      if (!(await acceptCode(auth, user, user.totpSecret, body.currentCode))) throw new WaygateError('BAD_REQUEST', `currentCode: ${WRONG_CODE}`);
    }
    const step = matchTotp(secret, body.code, ctx.now());
    if (step === null) throw new WaygateError('BAD_REQUEST', 'That code does not match the new secret. Check that the app scanned the latest QR code and try the code it shows now.');
    // The confirming code must not also sign someone in moments later.
    auth.totpReplay.use(user.id, step);
    await ctx.store.updateUser(user.id, { totpSecret: secret });
    await ctx.audit(user.id, user.totpSecret === null ? 'auth.totp.enable' : 'auth.totp.replace', user.id);
    return sessionInfo({ ...user, totpSecret: secret }, session);
  });
}

function wrongCode(reply: FastifyReply, form: boolean, csrfToken: string, returnTo: string | undefined): FastifyReply {
  if (form) return totpPage(reply, 401, { returnTo: returnTo ?? '', csrfToken, error: WRONG_CODE });
  const details: MfaRequiredDetails = { csrfToken, next: '/auth/totp' };
  const error = new WaygateError('MFA_REQUIRED', WRONG_CODE, details);
  return reply.code(httpStatusOf(error.code)).send(error.toWire());
}
