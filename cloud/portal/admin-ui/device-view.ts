/**
 * How the console reads a device: its status from the last heartbeat, and the devices list's
 * search, filters and sort order. Pure, so the list's behaviour is tested without a browser.
 */
import type { AdminDevice, PolicyStatus } from '../../../protocol/portal-admin.js';
import { osLabel } from './format.js';

const HOUR = 3_600_000;

export type DeviceStatus = 'active' | 'idle' | 'silent' | 'never' | 'revoked';

/**
 * Active: heard from in the last hour (devices send heartbeats every few minutes). Idle: within a
 * day (asleep, off the network). Silent: longer — worth a look.
 */
export function deviceStatus(device: Pick<AdminDevice, 'revokedAt' | 'lastSeenAt'>, now: number): DeviceStatus {
  if (device.revokedAt !== null) return 'revoked';
  if (device.lastSeenAt === null) return 'never';
  const age = now - device.lastSeenAt;
  if (age < HOUR) return 'active';
  if (age < 24 * HOUR) return 'idle';
  return 'silent';
}

export const STATUS_LABELS: Record<DeviceStatus, string> = {
  active: 'Active',
  idle: 'Idle',
  silent: 'Silent',
  never: 'Never seen',
  revoked: 'Revoked',
};

export const POLICY_LABELS: Record<PolicyStatus, string> = {
  updated: 'Up to date',
  outdated: 'Outdated',
  unknown: 'Not reported',
};

export interface DeviceFilter {
  query: string;
  status: DeviceStatus | 'all';
  /** A platform, or 'all'. */
  os: string;
  policy: PolicyStatus | 'all';
}

export const NO_FILTER: DeviceFilter = { query: '', status: 'all', os: 'all', policy: 'all' };

export type DeviceSortKey = 'name' | 'user' | 'os' | 'app' | 'policy' | 'lastSeen' | 'enrolled';

/** Every word of the query must appear in one of the device's searchable fields (case-insensitive). */
export function matches(device: AdminDevice, filter: DeviceFilter, now: number): boolean {
  if (filter.status !== 'all' && deviceStatus(device, now) !== filter.status) return false;
  if (filter.os !== 'all' && (device.fingerprint.os ?? 'unknown') !== filter.os) return false;
  if (filter.policy !== 'all' && device.policyStatus !== filter.policy) return false;
  const words = filter.query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const f = device.fingerprint;
  const haystack = [device.id, device.name, device.user?.email, device.user?.name, osLabel(f.os), f.osVersion, f.model, f.hostname, f.serial, f.appVersion]
    .filter((s): s is string => typeof s === 'string')
    .join('\n')
    .toLowerCase();
  return words.every((w) => haystack.includes(w));
}

/**
 * Compares version strings the way people read them ("1.10.0" after "1.9.2"); missing values sort
 * last whatever the direction, so "unknown" never crowds the top of a list.
 */
export function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' });
}

function sortValue(d: AdminDevice, key: DeviceSortKey): string | number | null {
  switch (key) {
    case 'name':
      return d.name;
    case 'user':
      return d.user?.email ?? null;
    case 'os':
      return d.fingerprint.os ? `${osLabel(d.fingerprint.os)} ${d.fingerprint.osVersion ?? ''}` : null;
    case 'app':
      return d.fingerprint.appVersion ?? null;
    case 'policy':
      return d.policyVersion;
    case 'lastSeen':
      return d.lastSeenAt;
    case 'enrolled':
      return d.enrolledAt;
  }
}

export function sortDevices(devices: readonly AdminDevice[], key: DeviceSortKey, dir: 'asc' | 'desc'): AdminDevice[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...devices].sort((x, y) => {
    const a = sortValue(x, key);
    const b = sortValue(y, key);
    if (a === null || b === null) return a === b ? x.name.localeCompare(y.name) : a === null ? 1 : -1;
    const order = typeof a === 'number' && typeof b === 'number' ? a - b : compareVersions(String(a), String(b));
    return order * sign || x.name.localeCompare(y.name);
  });
}

/** The platforms present, for the filter menu: the ones people have, not every one there is. */
export function platformsIn(devices: readonly AdminDevice[]): string[] {
  return [...new Set(devices.map((d) => d.fingerprint.os ?? 'unknown'))].sort();
}
