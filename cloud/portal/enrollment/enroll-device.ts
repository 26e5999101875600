/**
 * The last step of both grants: a device row with a fresh credential for a user of the org, within
 * the org's per-user device limit.
 */
import type { DeviceOs, DeviceTokenResponse } from '../../../protocol/portal.js';
import type { PortalContext } from '../context.js';
import { randomToken } from '../crypto/secrets.js';
import { newDeviceCredential } from '../device/credential.js';
import type { User } from '../store/store.js';
import { OAuthError } from './oauth-error.js';
import { portalKeys } from './portal-keys.js';

export interface NewDevice {
  name: string;
  os: DeviceOs;
  osVersion: string;
}

/** Why the user may not enroll another device, or null when they may. */
export async function deviceLimitProblem(ctx: PortalContext, user: User): Promise<string | null> {
  const active = await ctx.store.countActiveDevicesOfUser(user.id);
  const limit = ctx.config.deviceLimit;
  if (active < limit) return null;
  return `${user.email} already has ${active} enrolled devices and the limit is ${limit} per user. Remove a device you no longer use in the Waygate portal (or ask your administrator), then enroll again.`;
}

/**
 * Throws access_denied when the user is at the limit. The check and the insert are not one
 * transaction, so two enrollments finishing at the same instant can both pass; the limit is a
 * guard against sprawl, not a security boundary, and the admin sees and can revoke every device.
 */
export async function assertUnderDeviceLimit(ctx: PortalContext, user: User): Promise<void> {
  const problem = await deviceLimitProblem(ctx, user);
  if (problem) throw new OAuthError('access_denied', problem);
}

export async function createEnrolledDevice(
  ctx: PortalContext,
  user: User,
  spec: NewDevice,
  via: 'device-code' | 'enrollment-token',
): Promise<DeviceTokenResponse> {
  const id = randomToken(12);
  const { credential, hash } = newDeviceCredential(id);
  const now = ctx.now();
  await ctx.store.createDevice({
    id,
    orgId: ctx.org.id,
    userId: user.id,
    name: spec.name,
    credentialHash: hash,
    fingerprint: { os: spec.os, osVersion: spec.osVersion },
    policyVersion: null,
    enrolledAt: now,
    lastSeenAt: null,
    revokedAt: null,
  });
  await ctx.audit(user.id, 'device.enroll', id, { via, name: spec.name, os: spec.os });
  // Ids only: the credential exists in the response and nowhere else.
  ctx.logger.info({ deviceId: id, userId: user.id, via }, 'enrollment: device enrolled');
  return {
    token_type: 'waygate-device',
    device_id: id,
    device_credential: credential,
    org: { id: ctx.org.id, name: ctx.org.name },
    user: { id: user.id, email: user.email, name: user.name },
    portal_keys: await portalKeys(ctx),
  };
}
