/** Admin API: the audit log, newest first, paged by time (see audit-page.ts). */
import type { FastifyInstance } from 'fastify';
import { AuditQuery, type AuditPage } from '../../../protocol/portal-admin.js';
import { parseInput } from '../parse-input.js';
import type { PortalContext } from '../context.js';
import { cutAuditPage } from './audit-page.js';
import { userRef } from './refs.js';

export function registerAuditRoutes(app: FastifyInstance, ctx: PortalContext): void {
  app.get('/audit', async (request): Promise<AuditPage> => {
    const query = parseInput(AuditQuery, request.query, 'query');
    const [fetched, users] = await Promise.all([ctx.store.listAudit(ctx.org.id, query.limit + 1, query.before), ctx.store.listUsers(ctx.org.id)]);
    const { entries, nextBefore } = cutAuditPage(fetched, query.limit);
    const byId = new Map(users.map((u) => [u.id, u]));
    return {
      entries: entries.map((e) => ({
        id: e.id,
        at: e.at,
        actor: e.actorUserId === null ? null : userRef(byId.get(e.actorUserId)),
        actorId: e.actorUserId,
        action: e.action,
        target: e.target,
        details: e.details,
      })),
      nextBefore,
    };
  });
}
