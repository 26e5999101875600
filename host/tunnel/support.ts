/**
 * Whether this service can run the full-device tunnel, and if not, why — said to the user when the
 * plan falls back to the edge proxy. Checked once at start: privileges and the TUN driver do not
 * change under a running service.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { TunnelSupport } from '../../core/plan.js';

/** CAP_NET_ADMIN is capability 12 (linux/capability.h). */
const CAP_NET_ADMIN = 12n;

/** Whether the `CapEff:` line of /proc/self/status grants CAP_NET_ADMIN. */
export function grantsNetAdmin(procStatus: string): boolean {
  const hex = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(procStatus)?.[1];
  return hex !== undefined && ((BigInt(`0x${hex}`) >> CAP_NET_ADMIN) & 1n) === 1n;
}

export async function tunnelSupport(platform: NodeJS.Platform = process.platform): Promise<TunnelSupport> {
  if (platform !== 'linux') return { available: false, reason: `Waygate's tunnel runs on Linux only for now, not on ${platform}` };
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  if (!grantsNetAdmin(status)) {
    return { available: false, reason: 'the tunnel needs the system service (root or CAP_NET_ADMIN): install it with `sudo waygate install --service`' };
  }
  if (!existsSync('/dev/net/tun')) return { available: false, reason: 'this device has no TUN driver (/dev/net/tun); load it with `modprobe tun`' };
  return { available: true };
}
