/**
 * Creating an org from nothing: the org, its first admin (with a one-time password to print), the
 * first policy version and the signing key. Used by `waygate-portal init` and by `npm start`'s demo.
 */
import { DEFAULT_POLICY } from '../../protocol/policy.js';
import { hashPassword } from './crypto/passwords.js';
import { newUser } from './new-user.js';
import { randomToken } from './crypto/secrets.js';
import { generateSigningKey } from './crypto/signing-keys.js';
import type { Org, Store, User, UserRole } from './store/store.js';

export interface NewUser {
  email: string;
  name: string;
  role: UserRole;
}

export interface Created {
  user: User;
  /** Shown once; only its hash is stored. */
  password: string;
}

export async function createUserWithPassword(store: Store, orgId: string, spec: NewUser, now: number): Promise<Created> {
  const password = randomToken(12);
  const user = newUser({ orgId, email: spec.email.toLowerCase(), name: spec.name, role: spec.role, passwordHash: await hashPassword(password) }, now);
  await store.createUser(user);
  return { user, password };
}

export async function initOrg(store: Store, orgName: string, admin: Omit<NewUser, 'role'>, now: number): Promise<{ org: Org; admin: Created }> {
  if (await store.defaultOrg()) throw new Error('this portal already has an org; `init` runs once per database');
  const org: Org = { id: randomToken(12), name: orgName, createdAt: now };
  await store.createOrg(org);
  const created = await createUserWithPassword(store, org.id, { ...admin, role: 'admin' }, now);
  await store.addPolicyVersion({ orgId: org.id, document: DEFAULT_POLICY, createdAt: now, createdBy: created.user.id, comment: 'initial policy' });
  await store.addSigningKey(await generateSigningKey(org.id, now));
  await store.addAudit({ id: randomToken(12), orgId: org.id, at: now, actorUserId: null, action: 'org.init', target: org.id, details: { name: orgName, admin: created.user.email } });
  return { org, admin: created };
}
