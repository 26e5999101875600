/** What the device reports about itself in heartbeats (the portal's device list). */
import { hostname, platform, release } from 'node:os';
import type { DeviceOs } from '../../protocol/policy.js';

export function deviceOs(p: NodeJS.Platform = platform()): DeviceOs {
  if (p === 'darwin') return 'macos';
  if (p === 'win32') return 'windows';
  return 'linux';
}

export const deviceFacts = () => ({ os: deviceOs(), osVersion: release().slice(0, 64), hostname: hostname().slice(0, 255) });
