/**
 * The admin API under /api/v1/admin (protocol/portal-admin.ts): one scope whose onRequest hook is
 * the single permission check (admin session, CSRF on changes — admin/admin-guard.ts), so no admin
 * route can be added without it. Every change writes an audit entry with the acting admin.
 */
import type { FastifyInstance } from 'fastify';
import { ADMIN_API_PREFIX } from '../../../protocol/portal-admin.js';
import { AdminGuard } from '../admin/admin-guard.js';
import { registerAuditRoutes } from '../admin/audit-routes.js';
import { registerDeviceRoutes } from '../admin/device-routes.js';
import { registerEnrollmentTokenRoutes } from '../admin/enrollment-token-routes.js';
import { registerGroupRoutes } from '../admin/group-routes.js';
import { registerPolicyRoutes } from '../admin/policy-routes.js';
import { registerTicketRoutes } from '../admin/ticket-routes.js';
import { registerUserRoutes } from '../admin/user-routes.js';
import type { Sessions } from '../auth/sessions.js';
import type { PortalContext } from '../context.js';

export async function registerAdminApi(app: FastifyInstance, ctx: PortalContext, sessions: Sessions): Promise<void> {
  await app.register(
    (scope, _opts, done) => {
      const guard = new AdminGuard(sessions);
      // Admin answers are about people and devices: never cached by browsers or proxies.
      scope.addHook('onRequest', (_request, reply, next) => {
        reply.header('cache-control', 'no-store');
        next();
      });
      scope.addHook('onRequest', guard.check);
      registerDeviceRoutes(scope, ctx, guard);
      registerPolicyRoutes(scope, ctx, guard);
      registerUserRoutes(scope, ctx, guard);
      registerGroupRoutes(scope, ctx, guard);
      registerEnrollmentTokenRoutes(scope, ctx, guard);
      registerTicketRoutes(scope, ctx, guard);
      registerAuditRoutes(scope, ctx);
      done();
    },
    { prefix: ADMIN_API_PREFIX },
  );
}
