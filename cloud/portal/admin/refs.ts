/** How the admin API names a user inside other records (devices, tickets, audit entries). */
import type { UserRef } from '../../../protocol/portal-admin.js';
import type { User } from '../store/store.js';

/** Null for a user that no longer exists. */
export function userRef(user: Pick<User, 'id' | 'email' | 'name'> | undefined | null): UserRef | null {
  return user ? { id: user.id, email: user.email, name: user.name } : null;
}
