/** Finding the device authorization a person typed the code of, if it is still waiting for them. */
import type { PortalContext } from '../context.js';
import { normaliseUserCode } from '../crypto/secrets.js';
import type { DeviceAuthorization } from '../store/store.js';

export async function pendingAuthorization(ctx: PortalContext, typed: string): Promise<DeviceAuthorization | null> {
  const code = normaliseUserCode(typed);
  if (code.length === 0) return null;
  const auth = await ctx.store.getPendingDeviceAuthorizationByUserCode(code);
  if (!auth || auth.orgId !== ctx.org.id || auth.status !== 'pending' || ctx.now() >= auth.expiresAt) return null;
  return auth;
}
