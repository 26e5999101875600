/**
 * RFC 8628 §3.1–3.2: a device asks to enroll and gets a device code (kept secret, stored hashed)
 * and a user code (shown to the person, who types or scans it into /device).
 */
import type { DeviceAuthorizeForm, DeviceAuthorizeResponse } from '../../../protocol/portal.js';
import type { PortalContext } from '../context.js';
import { randomToken, sha256, userCode } from '../crypto/secrets.js';
import { StoreConflictError } from '../store/store.js';

/** User codes carry ~34 bits; a collision among pending ones is rare, several in a row is a bug. */
const USER_CODE_ATTEMPTS = 5;

export async function startDeviceAuthorization(ctx: PortalContext, form: DeviceAuthorizeForm): Promise<DeviceAuthorizeResponse> {
  const deviceCode = randomToken(32);
  const now = ctx.now();
  for (let attempt = 1; ; attempt++) {
    const code = userCode();
    try {
      await ctx.store.createDeviceAuthorization({
        id: randomToken(12),
        orgId: ctx.org.id,
        deviceCodeHash: sha256(deviceCode),
        userCode: code,
        deviceName: form.device_name,
        os: form.os,
        osVersion: form.os_version,
        status: 'pending',
        userId: null,
        interval: ctx.config.pollIntervalSeconds,
        lastPolledAt: null,
        expiresAt: now + ctx.config.deviceCodeTtlSeconds * 1000,
        createdAt: now,
      });
      const verificationUri = `${ctx.config.publicUrl}/device`;
      return {
        device_code: deviceCode,
        user_code: code,
        verification_uri: verificationUri,
        verification_uri_complete: `${verificationUri}?user_code=${encodeURIComponent(code)}`,
        expires_in: ctx.config.deviceCodeTtlSeconds,
        interval: ctx.config.pollIntervalSeconds,
      };
    } catch (err) {
      if (!(err instanceof StoreConflictError) || attempt >= USER_CODE_ATTEMPTS) throw err;
    }
  }
}
