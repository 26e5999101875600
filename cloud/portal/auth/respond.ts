/**
 * What the sign-in routes share about answering: HTML forms get pages and redirects, JSON
 * clients get SessionInfo and `{code, message, details}` errors.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionInfo } from '../../../protocol/portal-admin.js';
import type { Session, User } from '../store/store.js';

export function isFormPost(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

export function sessionInfo(user: User, session: Session): SessionInfo {
  return {
    user: {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      totpEnabled: user.totpSecret !== null,
      hasPassword: user.passwordHash !== null,
    },
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt,
  };
}

/** Where a sign-in without return_to lands: the console for admins, "you are signed in" for others. */
export function defaultLanding(user: Pick<User, 'role'>): string {
  return user.role === 'admin' ? '/admin/' : '/auth/sign-in';
}

/** 303 so the browser follows a form POST with a GET. */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.header('cache-control', 'no-store').redirect(location, 303);
}

/** Sign-in answers are per person and must never be cached by a browser or proxy. */
export function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store');
}
