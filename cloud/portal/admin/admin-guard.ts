/**
 * The admin API's one permission check, run before any admin route (STYLE §5): a complete session
 * (401 UNAUTHENTICATED / MFA_REQUIRED otherwise), the admin role (403 PERMISSION_DENIED), and the
 * session's CSRF token on every request that can change something (403 CSRF_FAILED).
 */
import type { FastifyRequest } from 'fastify';
import { WaygateError } from '../../../protocol/errors.js';
import type { Sessions, SignedIn } from '../auth/sessions.js';
import type { User } from '../store/store.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export class AdminGuard {
  private readonly admins = new WeakMap<FastifyRequest, SignedIn>();

  constructor(private readonly sessions: Sessions) {}

  /** The onRequest hook of the admin scope. */
  readonly check = async (request: FastifyRequest): Promise<void> => {
    const signedIn = await this.sessions.require(request);
    if (signedIn.user.role !== 'admin') throw new WaygateError('PERMISSION_DENIED', 'Only admins can use the admin API. Ask an admin of your organisation for access.');
    if (!SAFE_METHODS.has(request.method)) this.sessions.checkCsrf(request, signedIn.session);
    this.admins.set(request, signedIn);
  };

  /** The admin making this request (the hook has run for every route of the scope). */
  actor(request: FastifyRequest): User {
    const signedIn = this.admins.get(request);
    if (!signedIn) throw new Error('admin route ran without the admin guard');
    return signedIn.user;
  }
}
