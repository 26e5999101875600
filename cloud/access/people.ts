/**
 * "Is this person in scope?" for app profiles and access rules alike: both name users by email
 * and groups by name, and both mean everyone when they name no one.
 */

export interface Person {
  userEmail: string;
  groups: readonly string[];
}

export interface ScopeCheck {
  matched: boolean;
  /** A phrase for a reason sentence: "everyone", "user a@example.com is listed", "other users and groups". */
  why: string;
}

/** Emails compare case-insensitively (mailbox domains are, and IdPs vary); group names exactly. */
export function checkScope(users: readonly string[], groups: readonly string[], person: Person): ScopeCheck {
  if (users.length === 0 && groups.length === 0) return { matched: true, why: 'everyone' };
  const email = person.userEmail.toLowerCase();
  if (users.some((user) => user.toLowerCase() === email)) return { matched: true, why: `user ${person.userEmail} is listed` };
  const group = groups.find((name) => person.groups.includes(name));
  if (group !== undefined) return { matched: true, why: `group "${group}" is listed` };
  return { matched: false, why: 'other users and groups' };
}
