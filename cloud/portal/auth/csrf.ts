/**
 * CSRF defences. Signed-in requests use the synchronizer-token pattern: the token is stored in the
 * session row, handed to the UI by GET /auth/session (and embedded in server-rendered forms), and
 * must come back in `x-csrf-token` or the `_csrf` form field on every state-changing request.
 *
 * Sign-in itself has no session yet, so it checks the Origin header instead: browsers send it on
 * every POST, and a form posted from another site would otherwise sign the victim into the
 * attacker's account ("login CSRF"). Non-browser clients send no Origin and are not at risk.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { WaygateError } from '../../../protocol/errors.js';
import { constantTimeEqual } from '../crypto/secrets.js';
import type { Session } from '../store/store.js';

export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

const FormToken = z.object({ [CSRF_FIELD]: z.string() });

function presentedToken(request: FastifyRequest): string | null {
  const header = request.headers[CSRF_HEADER];
  if (typeof header === 'string' && header.length > 0) return header;
  const form = FormToken.safeParse(request.body);
  return form.success ? form.data[CSRF_FIELD] : null;
}

export function checkCsrfToken(request: FastifyRequest, session: Session): void {
  const token = presentedToken(request);
  if (token === null || !constantTimeEqual(token, session.csrfToken)) {
    throw new WaygateError(
      'CSRF_FAILED',
      `This request needs the session's CSRF token in the ${CSRF_HEADER} header (or the ${CSRF_FIELD} form field). Get it from GET /auth/session, or reload the page and try again.`,
    );
  }
}

export function checkSameOrigin(request: FastifyRequest, publicUrl: string): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  const expected = new URL(publicUrl).origin;
  if (origin !== expected) {
    throw new WaygateError('CSRF_FAILED', `This form was sent from ${origin}, but the portal is ${expected}. Open ${expected}/auth/sign-in and sign in there.`);
  }
}
