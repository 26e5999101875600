/**
 * Admin API: groups — list (with member counts), create and delete local groups. Groups synced
 * from the IdP (source "oidc") are listed but not deleted here: the next sign-in would bring them
 * back; they go away in the identity provider.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WaygateError } from '../../../protocol/errors.js';
import { CreateGroupRequest, type AdminGroup, type GroupList } from '../../../protocol/portal-admin.js';
import { parseInput } from '../parse-input.js';
import type { PortalContext } from '../context.js';
import { randomToken } from '../crypto/secrets.js';
import { StoreConflictError, type Group } from '../store/store.js';
import type { AdminGuard } from './admin-guard.js';
import { IdParams } from './params.js';

export function registerGroupRoutes(app: FastifyInstance, ctx: PortalContext, guard: AdminGuard): void {
  async function groupOf(request: FastifyRequest): Promise<Group> {
    const { id } = parseInput(IdParams, request.params, 'path');
    const group = (await ctx.store.listGroups(ctx.org.id)).find((g) => g.id === id);
    if (!group) throw new WaygateError('NOT_FOUND', `No group ${id} in this organisation; it may have been deleted.`);
    return group;
  }

  app.get('/groups', async (): Promise<GroupList> => {
    const [groups, users] = await Promise.all([ctx.store.listGroups(ctx.org.id), ctx.store.listUsers(ctx.org.id)]);
    const members = new Map<string, number>();
    for (const memberships of await Promise.all(users.map((u) => ctx.store.groupsOfUser(u.id)))) {
      for (const g of memberships) members.set(g.id, (members.get(g.id) ?? 0) + 1);
    }
    const list: AdminGroup[] = groups.map((g) => ({ id: g.id, name: g.name, source: g.source, members: members.get(g.id) ?? 0 }));
    return { groups: list.sort((a, b) => a.name.localeCompare(b.name)) };
  });

  app.post('/groups', async (request, reply): Promise<AdminGroup> => {
    const { name } = parseInput(CreateGroupRequest, request.body);
    const taken = `A group named ${name} already exists.`;
    if (await ctx.store.getGroupByName(ctx.org.id, name)) throw new WaygateError('CONFLICT', taken);
    const group: Group = { id: randomToken(12), orgId: ctx.org.id, name, source: 'local' };
    try {
      await ctx.store.createGroup(group);
    } catch (err) {
      if (err instanceof StoreConflictError) throw new WaygateError('CONFLICT', taken);
      throw err;
    }
    await ctx.audit(guard.actor(request).id, 'group.create', group.id, { name, source: 'local' });
    reply.code(201);
    return { id: group.id, name, source: 'local', members: 0 };
  });

  app.delete('/groups/:id', async (request, reply) => {
    const group = await groupOf(request);
    if (group.source !== 'local') {
      throw new WaygateError('CONFLICT', `The group ${group.name} comes from single sign-on and would come back at the next sign-in; remove it in the identity provider.`);
    }
    await ctx.store.deleteGroup(group.id);
    await ctx.audit(guard.actor(request).id, 'group.delete', group.id, { name: group.name });
    return reply.code(204).send();
  });
}
