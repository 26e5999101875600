/**
 * Who a device belongs to — the user and the names of their groups — cached for a few seconds.
 * Every device request needs it (config, edge tokens), and without the cache each config poll
 * would cost two more store reads; a change of groups or a disabled account reaches devices within
 * IDENTITY_TTL_MS, like a policy change reaches them on their next poll.
 */
import type { PortalContext } from '../context.js';
import type { User } from '../store/store.js';
import { LruCache } from './lru.js';

export const IDENTITY_TTL_MS = 10_000;
const MAX_USERS = 50_000;

export interface Identity {
  user: User;
  /** Group names, sorted, so equal memberships compare equal. */
  groups: string[];
}

export class Identities {
  private readonly cache: LruCache<string, Identity | null>;

  constructor(private readonly ctx: PortalContext) {
    this.cache = new LruCache({ maxEntries: MAX_USERS, ttlMs: IDENTITY_TTL_MS, now: ctx.now });
  }

  /** The user and groups, or null when the user is gone, disabled or of another org. */
  async of(userId: string): Promise<Identity | null> {
    const cached = this.cache.get(userId);
    if (cached !== undefined) return cached;
    const [user, groups] = await Promise.all([this.ctx.store.getUser(userId), this.ctx.store.groupsOfUser(userId)]);
    const identity = user && !user.disabled && user.orgId === this.ctx.org.id ? { user, groups: groups.map((g) => g.name).sort() } : null;
    this.cache.set(userId, identity);
    return identity;
  }
}
