/** The device facts browser-only mode reports to the portal, from `runtime.getPlatformInfo`. */
import type { DeviceOs } from '../../protocol/policy.js';
import type { DevicePlatform } from './browser-only/device.js';

/** Chromium's `PlatformOs` → the portal's OS names; BSDs and anything new count as Linux. */
export function deviceOsOf(os: string): DeviceOs {
  switch (os) {
    case 'mac':
      return 'macos';
    case 'win':
      return 'windows';
    case 'cros':
      return 'chromeos';
    default:
      return 'linux';
  }
}

const OS_NAMES: Record<DeviceOs, string> = { linux: 'Linux', macos: 'macOS', windows: 'Windows', chromeos: 'ChromeOS' };

/** What the portal shows for this device until the user renames it there. */
export function devicePlatform(info: { os: string; arch: string }, browserVersion: string): DevicePlatform {
  const os = deviceOsOf(info.os);
  return { os, osVersion: browserVersion.slice(0, 64), deviceName: `Browser on ${OS_NAMES[os]} (${info.arch})` };
}
