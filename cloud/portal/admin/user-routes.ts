/**
 * Admin API: users — list, create with a one-time password, rename, change role, disable, delete,
 * set local groups.
 *
 * An admin cannot demote, disable or delete their own account, so the org always keeps an admin.
 * Groups synced from the IdP (source "oidc") follow the IdP and are not assigned here.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WaygateError } from '../../../protocol/errors.js';
import {
  CreateUserRequest,
  SetUserGroupsRequest,
  UpdateUserRequest,
  type AdminUser,
  type CreateUserResponse,
  type UserList,
} from '../../../protocol/portal-admin.js';
import { parseInput } from '../parse-input.js';
import { createUserWithPassword } from '../bootstrap.js';
import type { PortalContext } from '../context.js';
import { StoreConflictError, type User } from '../store/store.js';
import type { AdminGuard } from './admin-guard.js';
import { IdParams } from './params.js';

export function registerUserRoutes(app: FastifyInstance, ctx: PortalContext, guard: AdminGuard): void {
  async function adminUser(user: User, activeDevices?: number): Promise<AdminUser> {
    const groups = await ctx.store.groupsOfUser(user.id);
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      disabled: user.disabled,
      hasPassword: user.passwordHash !== null,
      totpEnabled: user.totpSecret !== null,
      oidcLinked: user.oidcSubject !== null,
      lockedUntil: user.lockedUntil !== null && user.lockedUntil > ctx.now() ? user.lockedUntil : null,
      createdAt: user.createdAt,
      groups: groups.map((g) => ({ id: g.id, name: g.name, source: g.source })).sort((a, b) => a.name.localeCompare(b.name)),
      devices: activeDevices ?? (await ctx.store.countActiveDevicesOfUser(user.id)),
    };
  }

  async function userOf(request: FastifyRequest): Promise<User> {
    const { id } = parseInput(IdParams, request.params, 'path');
    const user = await ctx.store.getUser(id);
    if (!user || user.orgId !== ctx.org.id) throw new WaygateError('NOT_FOUND', `No user ${id} in this organisation; it may have been deleted.`);
    return user;
  }

  /**
   * An admin who demotes, disables or deletes their own account can lock the org out of its
   * console; another admin must do it. (With that rule the last admin can never be removed either.)
   */
  function assertNotSelf(actor: User, target: User, what: string): void {
    if (target.id === actor.id) throw new WaygateError('CONFLICT', `You cannot ${what} your own account. Ask another admin to do it.`);
  }

  app.get('/users', async (): Promise<UserList> => {
    const [users, devices] = await Promise.all([ctx.store.listUsers(ctx.org.id), ctx.store.listDevices(ctx.org.id)]);
    const counts = new Map<string, number>();
    for (const d of devices) if (d.revokedAt === null) counts.set(d.userId, (counts.get(d.userId) ?? 0) + 1);
    const sorted = users.sort((a, b) => a.email.localeCompare(b.email));
    return { users: await Promise.all(sorted.map((u) => adminUser(u, counts.get(u.id) ?? 0))) };
  });

  app.post('/users', async (request, reply): Promise<CreateUserResponse> => {
    const body = parseInput(CreateUserRequest, request.body);
    const email = body.email.toLowerCase();
    const taken = `A user with the email ${email} already exists.`;
    if (await ctx.store.getUserByEmail(ctx.org.id, email)) throw new WaygateError('CONFLICT', taken);
    let created;
    try {
      created = await createUserWithPassword(ctx.store, ctx.org.id, { email, name: body.name, role: body.role }, ctx.now());
    } catch (err) {
      if (err instanceof StoreConflictError) throw new WaygateError('CONFLICT', taken);
      throw err;
    }
    await ctx.audit(guard.actor(request).id, 'user.create', created.user.id, { email, role: body.role });
    reply.code(201).header('cache-control', 'no-store');
    return { user: await adminUser(created.user, 0), password: created.password };
  });

  app.patch('/users/:id', async (request): Promise<AdminUser> => {
    const actor = guard.actor(request);
    const user = await userOf(request);
    const body = parseInput(UpdateUserRequest, request.body);
    const change: Partial<Pick<User, 'name' | 'role' | 'disabled'>> = {};
    if (body.name !== undefined && body.name !== user.name) change.name = body.name;
    if (body.role !== undefined && body.role !== user.role) change.role = body.role;
    if (body.disabled !== undefined && body.disabled !== user.disabled) change.disabled = body.disabled;
    if (change.role === 'user') assertNotSelf(actor, user, 'demote');
    if (change.disabled === true) assertNotSelf(actor, user, 'disable');
    if (Object.keys(change).length === 0) return adminUser(user);
    await ctx.store.updateUser(user.id, change);
    // A disabled account is signed out everywhere at once, not when its sessions expire.
    if (change.disabled === true) await ctx.store.deleteSessionsOfUser(user.id);
    await ctx.audit(actor.id, 'user.update', user.id, { email: user.email, ...change });
    return adminUser({ ...user, ...change });
  });

  app.delete('/users/:id', async (request, reply) => {
    const actor = guard.actor(request);
    const user = await userOf(request);
    assertNotSelf(actor, user, 'delete');
    const devices = await ctx.store.countActiveDevicesOfUser(user.id);
    // The store cascades: the user's sessions, memberships, devices and tickets go too.
    await ctx.store.deleteUser(user.id, ctx.now());
    await ctx.audit(actor.id, 'user.delete', user.id, { email: user.email, devices });
    return reply.code(204).send();
  });

  app.put('/users/:id/groups', async (request): Promise<AdminUser> => {
    const user = await userOf(request);
    const { groupIds } = parseInput(SetUserGroupsRequest, request.body);
    const groups = new Map((await ctx.store.listGroups(ctx.org.id)).map((g) => [g.id, g]));
    const wanted = [...new Set(groupIds)].map((id) => {
      const group = groups.get(id);
      if (!group) throw new WaygateError('BAD_REQUEST', `groupIds: there is no group ${id}.`);
      if (group.source !== 'local') throw new WaygateError('CONFLICT', `The group ${group.name} comes from single sign-on; membership follows the identity provider.`);
      return group;
    });
    await ctx.store.setUserGroups(user.id, 'local', wanted.map((g) => g.id));
    await ctx.audit(guard.actor(request).id, 'user.groups.set', user.id, { email: user.email, groups: wanted.map((g) => g.name) });
    return adminUser(user);
  });
}
