/**
 * The dashboard's figures from the devices and users as stored: a pure function, so every number
 * on the admin's first screen is tested without a server. Revoked devices no longer count as
 * enrolled and are left out of every breakdown.
 */
import type { Dashboard, PolicyStatus, Tally } from '../../../protocol/portal-admin.js';
import type { Device, Millis, User } from '../store/store.js';
import { compareVersions, parseVersion } from './app-version.js';

const HOUR_MS = 3600_000;
export const UNKNOWN = 'unknown';

export function policyStatusOf(device: Pick<Device, 'policyVersion'>, currentVersion: number | null): PolicyStatus {
  if (device.policyVersion === null || currentVersion === null) return 'unknown';
  return device.policyVersion === currentVersion ? 'updated' : 'outdated';
}

export function tally<T>(items: readonly T[], keyOf: (item: T) => string): Tally {
  const counts = new Map<string, number>();
  for (const item of items) {
    const key = keyOf(item);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

function appVersions(devices: readonly Device[]): Dashboard['appVersions'] {
  const parsed = devices.map((d) => (d.fingerprint.appVersion ? parseVersion(d.fingerprint.appVersion) : null));
  let newestIndex = -1;
  parsed.forEach((p, i) => {
    const best = newestIndex >= 0 ? parsed[newestIndex] : null;
    if (p && (!best || compareVersions(p, best) > 0)) newestIndex = i;
  });
  const newest = newestIndex >= 0 ? parsed[newestIndex] : null;
  let current = 0;
  let outdated = 0;
  for (const p of parsed) {
    if (!p || !newest) continue;
    if (compareVersions(p, newest) < 0) outdated++;
    else current++;
  }
  return {
    newest: newestIndex >= 0 ? (devices[newestIndex]?.fingerprint.appVersion ?? null) : null,
    current,
    outdated,
    unknown: parsed.filter((p) => p === null).length,
    byVersion: tally(devices, (d) => d.fingerprint.appVersion ?? UNKNOWN),
  };
}

export function buildDashboard(input: { devices: readonly Device[]; users: readonly User[]; currentPolicyVersion: number | null; now: Millis }): Dashboard {
  const { users, currentPolicyVersion, now } = input;
  const active = input.devices.filter((d) => d.revokedAt === null);
  const enabledUsers = new Set(users.filter((u) => !u.disabled).map((u) => u.id));
  const seated = new Set(active.map((d) => d.userId).filter((id) => enabledUsers.has(id)));
  const statuses = active.map((d) => policyStatusOf(d, currentPolicyVersion));
  const seenSince = (ms: number) => active.filter((d) => d.lastSeenAt !== null && d.lastSeenAt >= now - ms).length;
  return {
    generatedAt: now,
    devices: { enrolled: active.length, revoked: input.devices.length - active.length },
    seats: { used: seated.size, total: enabledUsers.size },
    byOs: tally(active, (d) => d.fingerprint.os ?? UNKNOWN),
    byOsVersion: tally(active, (d) => (d.fingerprint.os ? `${d.fingerprint.os} ${d.fingerprint.osVersion ?? UNKNOWN}` : UNKNOWN)),
    byModel: tally(active, (d) => d.fingerprint.model ?? UNKNOWN),
    appVersions: appVersions(active),
    policy: {
      currentVersion: currentPolicyVersion,
      updated: statuses.filter((s) => s === 'updated').length,
      outdated: statuses.filter((s) => s === 'outdated').length,
      unknown: statuses.filter((s) => s === 'unknown').length,
    },
    heartbeats: {
      lastHour: seenSince(HOUR_MS),
      last24h: seenSince(24 * HOUR_MS),
      silent: active.filter((d) => d.lastSeenAt !== null && d.lastSeenAt < now - 24 * HOUR_MS).length,
      never: active.filter((d) => d.lastSeenAt === null).length,
    },
  };
}
