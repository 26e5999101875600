/**
 * Zero-touch enrollment: a managed browser presents the org's enrollment token (set by the admin
 * in browser policy) and the email of the user it is signed in as, and gets a device at once.
 */
import type { DeviceTokenForm, DeviceTokenResponse, ENROLLMENT_TOKEN_GRANT } from '../../../protocol/portal.js';
import type { PortalContext } from '../context.js';
import { sha256 } from '../crypto/secrets.js';
import { assertUnderDeviceLimit, createEnrolledDevice } from './enroll-device.js';
import { OAuthError } from './oauth-error.js';

type EnrollmentTokenForm = Extract<DeviceTokenForm, { grant_type: typeof ENROLLMENT_TOKEN_GRANT }>;

export async function enrollmentTokenGrant(ctx: PortalContext, form: EnrollmentTokenForm): Promise<DeviceTokenResponse> {
  const token = await ctx.store.getEnrollmentTokenByHash(sha256(form.enrollment_token));
  const now = ctx.now();
  if (!token || token.orgId !== ctx.org.id || token.revokedAt !== null || (token.expiresAt !== null && now >= token.expiresAt)) {
    throw new OAuthError('invalid_grant', 'The enrollment token is unknown, revoked or expired. Ask your administrator for the current one.');
  }
  const user = await ctx.store.getUserByEmail(ctx.org.id, form.user_email.toLowerCase());
  if (!user || user.disabled) {
    throw new OAuthError('invalid_grant', `${form.user_email} is not an active user of this organisation. Ask your administrator to add the account.`);
  }
  await assertUnderDeviceLimit(ctx, user);
  const device = await createEnrolledDevice(ctx, user, { name: form.device_name, os: form.os, osVersion: form.os_version }, 'enrollment-token');
  await ctx.audit(null, 'enrollment-token.use', token.id, { deviceId: device.device_id, user: user.email });
  return device;
}
