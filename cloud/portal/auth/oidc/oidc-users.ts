/**
 * Who an OIDC sign-in is, in the portal's terms, and which groups the IdP says they are in.
 *
 * Users are found by issuer + subject, the only pair an IdP promises never to reassign. The first
 * time a subject appears:
 * - an existing portal user with the same email is linked to it, but only when the IdP says the
 *   email is verified (an unverified email claim would let anyone who can type an address at the
 *   IdP take over that portal account) and the user is not linked to another subject already;
 * - otherwise a new user (role "user", no password) is created.
 * Later sign-ins refresh the name, and the email when the IdP verified a new one that is free.
 *
 * Groups from the IdP's claim become "oidc" groups, created on first sight; the user's oidc
 * memberships are replaced by the claim on every sign-in. A claim naming a *local* group is
 * ignored (with a warning): local groups are the admins' to manage, not the IdP's.
 */
import { WaygateError } from '../../../../protocol/errors.js';
import type { PortalContext } from '../../context.js';
import { randomToken } from '../../crypto/secrets.js';
import { StoreConflictError, type Group, type User } from '../../store/store.js';
import type { OidcIdentity } from './oidc-identity.js';
import { newUser } from '../../new-user.js';

export interface ResolvedUser {
  user: User;
  how: 'existing' | 'linked' | 'created';
}

export async function resolveOidcUser(ctx: PortalContext, issuer: string, id: OidcIdentity): Promise<ResolvedUser> {
  const known = await ctx.store.getUserByOidc(issuer, id.subject);
  if (known && known.orgId === ctx.org.id) return { user: await refreshProfile(ctx, known, id), how: 'existing' };

  if (id.email === null) {
    throw new WaygateError('PERMISSION_DENIED', 'Your identity provider did not send an email address. Ask your administrator to release the email claim to Waygate.');
  }
  const sameEmail = await ctx.store.getUserByEmail(ctx.org.id, id.email);
  if (sameEmail) {
    if (!id.emailVerified) {
      throw new WaygateError(
        'PERMISSION_DENIED',
        `A Waygate account for ${id.email} exists, but your identity provider has not verified that address, so single sign-on cannot be linked to it. Ask your administrator.`,
      );
    }
    if (sameEmail.oidcSubject !== null) {
      throw new WaygateError('CONFLICT', `The Waygate account for ${id.email} is linked to another single sign-on identity. Ask your administrator.`);
    }
    assertEnabled(sameEmail);
    await ctx.store.updateUser(sameEmail.id, { oidcIssuer: issuer, oidcSubject: id.subject });
    await ctx.audit(sameEmail.id, 'auth.oidc.link', sameEmail.id, { issuer });
    return { user: { ...sameEmail, oidcIssuer: issuer, oidcSubject: id.subject }, how: 'linked' };
  }

  const user = newUser({ orgId: ctx.org.id, email: id.email, name: id.name ?? id.email, role: 'user', oidcIssuer: issuer, oidcSubject: id.subject }, ctx.now());
  try {
    await ctx.store.createUser(user);
  } catch (err) {
    // The same person finishing two sign-ins at once: the other request created the user.
    const raced = err instanceof StoreConflictError ? await ctx.store.getUserByOidc(issuer, id.subject) : null;
    if (!raced) throw err;
    return { user: raced, how: 'existing' };
  }
  await ctx.audit(null, 'user.create', user.id, { email: user.email, source: 'oidc', issuer });
  return { user, how: 'created' };
}

function assertEnabled(user: User): void {
  if (user.disabled) throw new WaygateError('PERMISSION_DENIED', 'This account is disabled. Ask your Waygate administrator to enable it.');
}

async function refreshProfile(ctx: PortalContext, user: User, id: OidcIdentity): Promise<User> {
  assertEnabled(user);
  const change: Partial<Pick<User, 'name' | 'email'>> = {};
  if (id.name !== null && id.name !== user.name) change.name = id.name;
  if (id.email !== null && id.emailVerified && id.email !== user.email && !(await ctx.store.getUserByEmail(ctx.org.id, id.email))) change.email = id.email;
  if (Object.keys(change).length === 0) return user;
  await ctx.store.updateUser(user.id, change);
  await ctx.audit(user.id, 'user.profile.sync', user.id, change);
  return { ...user, ...change };
}

/** Makes the user's oidc groups exactly `names` (creating groups as needed); audits a change. */
export async function syncOidcGroups(ctx: PortalContext, userId: string, names: string[]): Promise<void> {
  const wanted: Group[] = [];
  for (const name of names) {
    const group = await oidcGroupNamed(ctx, name);
    if (group) wanted.push(group);
  }
  const before = (await ctx.store.groupsOfUser(userId)).filter((g) => g.source === 'oidc');
  const beforeIds = new Set(before.map((g) => g.id));
  const wantedIds = new Set(wanted.map((g) => g.id));
  const added = wanted.filter((g) => !beforeIds.has(g.id)).map((g) => g.name);
  const removed = before.filter((g) => !wantedIds.has(g.id)).map((g) => g.name);
  if (added.length === 0 && removed.length === 0) return;
  await ctx.store.setUserGroups(userId, 'oidc', [...wantedIds]);
  await ctx.audit(null, 'user.groups.sync', userId, { added, removed });
}

async function oidcGroupNamed(ctx: PortalContext, name: string): Promise<Group | null> {
  const existing = await ctx.store.getGroupByName(ctx.org.id, name);
  if (existing?.source === 'local') {
    ctx.logger.warn({ group: name }, 'oidc: the IdP names a local group; membership of local groups is managed in the portal, so it is ignored');
    return null;
  }
  if (existing) return existing;
  const group: Group = { id: randomToken(12), orgId: ctx.org.id, name, source: 'oidc' };
  try {
    await ctx.store.createGroup(group);
  } catch (err) {
    if (!(err instanceof StoreConflictError)) throw err;
    return ctx.store.getGroupByName(ctx.org.id, name);
  }
  await ctx.audit(null, 'group.create', group.id, { name, source: 'oidc' });
  return group;
}
