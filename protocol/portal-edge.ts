/**
 * Portal ⇄ edge: what an edge pulls from the portal to enforce policy offline.
 *
 * GET /api/v1/edge/policy, `Authorization: Bearer <edge key>` (a secret shared by the portal and its
 * edges), with `If-None-Match` → 200 EdgePolicy + ETag, or 304 when nothing changed. Edges poll it
 * every few seconds; the keys that verify edge tokens come from `/.well-known/jwks.json`.
 */
import { z } from 'zod';
import { AccessPolicy } from './policy.js';
import { PORTAL_API_PREFIX } from './portal.js';

export const EDGE_POLICY_PATH = `${PORTAL_API_PREFIX}/edge/policy`;

export const RevokedDevice = z.strictObject({
  id: z.string().min(1),
  /** Epoch milliseconds: tokens of this device issued before it are refused. */
  revokedAt: z.number().int().nonnegative(),
});
export type RevokedDevice = z.infer<typeof RevokedDevice>;

export const EdgePolicy = z.strictObject({
  /** The org's policy version this access policy comes from; null before the first policy. */
  policyVersion: z.number().int().positive().nullable(),
  access: AccessPolicy,
  /**
   * Devices revoked or removed recently enough that one of their edge tokens may still be
   * unexpired. Older revocations are left out: their tokens have expired anyway.
   */
  revokedDevices: z.array(RevokedDevice).max(100_000),
});
export type EdgePolicy = z.infer<typeof EdgePolicy>;
