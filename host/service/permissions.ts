/**
 * The LocalAPI permission check, as a pure function of who is calling and what the route needs.
 * See protocol/localapi.ts for the model in words.
 */
import type { Permission } from '../../protocol/localapi.js';
import type { PeerCredentials } from '../../platform/peercred.js';

export interface AccessPolicy {
  /** The uid the service runs as (null where the platform has none). */
  serviceUid: number | null;
  /** Further uids allowed to change state (`--operator`). */
  operatorUids: readonly number[];
}

export type AccessDecision = { allowed: true } | { allowed: false; reason: string };

export function checkAccess(caller: PeerCredentials | null, needed: Permission, policy: AccessPolicy): AccessDecision {
  if (needed === 'read') return { allowed: true };
  if (caller === null) {
    return { allowed: false, reason: 'the caller could not be identified, so only reading is allowed' };
  }
  if (caller.uid === 0 || caller.uid === policy.serviceUid || policy.operatorUids.includes(caller.uid)) {
    return { allowed: true };
  }
  return {
    allowed: false,
    reason: `user ${caller.uid} may read but not change the Waygate service; ask an administrator to add it with --operator`,
  };
}
