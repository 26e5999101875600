/** Who a device is once the portal enrolled it, as both device sides keep it. */
import type { Account } from '../protocol/localapi.js';
import type { DeviceTokenResponse } from '../protocol/portal.js';

export function accountOf(response: DeviceTokenResponse, portalUrl: string, deviceName: string, now: number): Account {
  return {
    portalUrl,
    deviceId: response.device_id,
    deviceName,
    user: response.user,
    org: response.org,
    enrolledAt: new Date(now).toISOString(),
  };
}
