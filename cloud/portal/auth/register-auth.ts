/**
 * Sign-in for people (the browser side of the portal): password with lockout, TOTP, single
 * sign-on, sessions and their CSRF tokens. Returns the Sessions other areas use to find who is
 * signed in (the device verification page, the admin API).
 *
 * CSRF uses the synchronizer token kept in each session row rather than @fastify/csrf-protection:
 * the session is already server-side, so the token needs no second cookie or secret, it is
 * rotated with the session (sign-in, TOTP, password change) and it dies with it.
 */
import type { FastifyInstance } from 'fastify';
import type { PortalContext } from '../context.js';
import { registerAccountRoutes } from './account-routes.js';
import { createAuthServices } from './auth-services.js';
import { registerOidcRoutes } from './oidc/oidc-routes.js';
import { registerPasswordRoutes } from './password-routes.js';
import type { Sessions } from './sessions.js';
import { registerTotpRoutes } from './totp-routes.js';

export function registerAuth(app: FastifyInstance, ctx: PortalContext): Promise<Sessions> {
  const auth = createAuthServices(ctx);
  registerPasswordRoutes(app, auth);
  registerTotpRoutes(app, auth);
  registerAccountRoutes(app, auth);
  registerOidcRoutes(app, auth);
  return Promise.resolve(auth.sessions);
}
