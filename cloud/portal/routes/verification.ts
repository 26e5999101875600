/**
 * The verification page of RFC 8628 (`verification_uri` = /device): a signed-in person enters or
 * confirms the user code a device shows, and approves or denies it. The device learns the answer
 * at once if its poll is held in this process (enrollment/held-poll.ts), else on its next poll.
 *
 * Every page needs a complete sign-in (password and, when enrolled, TOTP); approve and deny are
 * POSTs with the session's CSRF token, and the pages refuse to be framed (see enrollment/html.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { WaygateError } from '../../../protocol/errors.js';
import type { Sessions, SignedIn } from '../auth/sessions.js';
import type { PortalContext } from '../context.js';
import type { DecisionWaits } from '../enrollment/decision-waits.js';
import { deviceLimitProblem } from '../enrollment/enroll-device.js';
import { sendPage } from '../enrollment/html.js';
import { pendingAuthorization } from '../enrollment/pending-authorization.js';
import { recordDecision } from '../enrollment/record-decision.js';
import { approvedPage, codeEntryPage, confirmPage, deniedPage, problemPage } from '../enrollment/verification-pages.js';

/** Far longer than a user code with spaces; anything beyond is not one. */
const MAX_TYPED_CODE = 64;

const DeviceQuery = z.object({ user_code: z.string().max(MAX_TYPED_CODE).optional() });
const DecisionForm = z.object({ user_code: z.string().max(MAX_TYPED_CODE), _csrf: z.string() });

const NOT_WAITING =
  'That code is not waiting for approval: it may be mistyped, expired (codes last a few minutes), or already approved or denied. Check the code on your device, or start again there.';

function returnTo(code: string): string {
  return code ? `/device?user_code=${encodeURIComponent(code)}` : '/device';
}

/** Route registration is synchronous; the Promise keeps the signature every area's register* shares. */
export function registerVerification(app: FastifyInstance, ctx: PortalContext, sessions: Sessions, decisions: DecisionWaits): Promise<void> {
  app.get('/device', async (request, reply) => {
    const query = DeviceQuery.safeParse(request.query);
    const code = query.success ? (query.data.user_code ?? '').trim() : '';
    const signedIn = await sessions.current(request);
    if (!signedIn) return sessions.redirectToSignIn(reply, returnTo(code));
    if (!code) return sendPage(reply, 200, codeEntryPage(signedIn.user.email, ''));
    const auth = await pendingAuthorization(ctx, code);
    if (!auth) return sendPage(reply, 404, codeEntryPage(signedIn.user.email, code, NOT_WAITING));
    return sendPage(reply, 200, confirmPage(auth, signedIn.session.csrfToken, signedIn.user.email, ctx.now()));
  });

  /** Signed in with a valid CSRF token and a well-formed form, or the page that says what is wrong. */
  async function decisionRequest(request: FastifyRequest, reply: FastifyReply): Promise<{ signedIn: SignedIn; code: string } | FastifyReply> {
    const form = DecisionForm.safeParse(request.body);
    const signedIn = await sessions.current(request);
    if (!signedIn) return sessions.redirectToSignIn(reply, returnTo(form.success ? form.data.user_code : ''));
    try {
      sessions.checkCsrf(request, signedIn.session);
    } catch (err) {
      if (!(err instanceof WaygateError) || err.code !== 'CSRF_FAILED') throw err;
      return sendPage(reply, 403, problemPage('Please try again', 'This form was not sent from this portal or has expired. Open the link from your device again and approve from there.'));
    }
    if (!form.success) return sendPage(reply, 400, codeEntryPage(signedIn.user.email, '', 'The form was incomplete. Enter the code shown on your device.'));
    return { signedIn, code: form.data.user_code };
  }

  async function decide(request: FastifyRequest, reply: FastifyReply, decision: 'approve' | 'deny'): Promise<FastifyReply> {
    const checked = await decisionRequest(request, reply);
    if (!('signedIn' in checked)) return checked;
    const { user } = checked.signedIn;
    const auth = await pendingAuthorization(ctx, checked.code);
    if (!auth) return sendPage(reply, 404, codeEntryPage(user.email, checked.code, NOT_WAITING));
    await recordDecision(ctx, decisions, auth.id, user.id, decision);
    await ctx.audit(user.id, `device.authorization.${decision}`, auth.id, { userCode: auth.userCode, deviceName: auth.deviceName, os: auth.os });
    if (decision === 'deny') return sendPage(reply, 200, deniedPage(auth.deviceName));
    // The token endpoint enforces the limit; saying so here spares the person a silent failure.
    return sendPage(reply, 200, approvedPage(auth.deviceName, await deviceLimitProblem(ctx, user)));
  }

  app.post('/device/approve', (request, reply) => decide(request, reply, 'approve'));
  app.post('/device/deny', (request, reply) => decide(request, reply, 'deny'));
  return Promise.resolve();
}
