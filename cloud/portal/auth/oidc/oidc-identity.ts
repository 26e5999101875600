/**
 * From the claims an IdP returns (ID token merged with userinfo) to the identity the portal uses.
 * Pure, so the quirks of real providers are tested here: `email_verified` as the string "true",
 * groups as one string instead of a list, duplicates and blanks.
 */
import { z } from 'zod';

export interface OidcIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  groups: string[];
}

const MAX_GROUPS = 500;
const MAX_GROUP_NAME = 200;

const Claims = z.object({
  sub: z.string().min(1),
  email: z.string().optional(),
  email_verified: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
  name: z.string().optional(),
  preferred_username: z.string().optional(),
});

const GroupsClaim = z.union([z.array(z.unknown()), z.string()]).optional();

/** Throws when the claims lack a subject; everything else degrades to null or []. */
export function identityFromClaims(claims: Record<string, unknown>, groupsClaim: string): OidcIdentity {
  const c = Claims.parse(claims);
  const email = c.email?.trim().toLowerCase();
  const groupsValue = GroupsClaim.safeParse(claims[groupsClaim]);
  const raw = groupsValue.success && groupsValue.data !== undefined ? (typeof groupsValue.data === 'string' ? [groupsValue.data] : groupsValue.data) : [];
  const groups = [
    ...new Set(
      raw
        .filter((g): g is string => typeof g === 'string')
        .map((g) => g.trim())
        .filter((g) => g.length > 0 && g.length <= MAX_GROUP_NAME),
    ),
  ].slice(0, MAX_GROUPS);
  return {
    subject: c.sub,
    email: email && email.includes('@') ? email : null,
    emailVerified: c.email_verified === true || c.email_verified === 'true',
    name: c.name?.trim() || c.preferred_username?.trim() || null,
    groups,
  };
}
