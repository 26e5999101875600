/**
 * A user record as first stored: no second factor, no failed sign-ins, enabled. Every way a user
 * comes to exist (init, the admin API, OIDC) starts here, so a new column gets its default in one place.
 */
import { randomToken } from './crypto/secrets.js';
import type { Millis, User } from './store/store.js';

export type NewUserFields = Pick<User, 'orgId' | 'email' | 'name' | 'role'> &
  Partial<Pick<User, 'passwordHash' | 'oidcIssuer' | 'oidcSubject'>>;

export function newUser(fields: NewUserFields, now: Millis): User {
  return {
    id: randomToken(12),
    passwordHash: null,
    oidcIssuer: null,
    oidcSubject: null,
    ...fields,
    totpSecret: null,
    failedSignIns: 0,
    lockedUntil: null,
    disabled: false,
    createdAt: now,
  };
}
