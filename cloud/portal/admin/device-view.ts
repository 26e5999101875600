/**
 * A stored device as the admin API shows it, and as a CSV row. The fingerprint is what devices
 * reported; each field is kept only if it still fits the protocol schema, so one odd value does
 * not hide a whole device from the list.
 */
import { z } from 'zod';
import { DeviceFingerprint } from '../../../protocol/portal.js';
import type { AdminDevice } from '../../../protocol/portal-admin.js';
import type { Device, User } from '../store/store.js';
import { policyStatusOf } from './dashboard.js';
import { userRef } from './refs.js';

const AnyRecord = z.record(z.string(), z.unknown());

export function wireFingerprint(stored: unknown): DeviceFingerprint {
  const source = AnyRecord.safeParse(stored);
  const kept: Record<string, unknown> = {};
  if (source.success) {
    for (const [key, schema] of Object.entries(DeviceFingerprint.shape)) {
      const field = schema.safeParse(source.data[key]);
      if (field.success && field.data !== undefined) kept[key] = field.data;
    }
  }
  return DeviceFingerprint.parse(kept);
}

export function adminDevice(device: Device, owner: User | undefined | null, currentPolicyVersion: number | null): AdminDevice {
  return {
    id: device.id,
    name: device.name,
    user: userRef(owner),
    fingerprint: wireFingerprint(device.fingerprint),
    policyVersion: device.policyVersion,
    policyStatus: policyStatusOf(device, currentPolicyVersion),
    enrolledAt: device.enrolledAt,
    lastSeenAt: device.lastSeenAt,
    revokedAt: device.revokedAt,
  };
}

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());

/** In the order of DEVICE_CSV_COLUMNS. */
export function deviceCsvRow(d: AdminDevice): (string | number | null)[] {
  const f = d.fingerprint;
  return [
    d.id,
    d.name,
    d.user?.email ?? '',
    d.user?.name ?? '',
    f.os ?? '',
    f.osVersion ?? '',
    f.model ?? '',
    f.hostname ?? '',
    f.serial ?? '',
    f.appVersion ?? '',
    f.networkType ?? '',
    f.edge ?? '',
    f.state ?? '',
    d.policyVersion,
    d.policyStatus,
    iso(d.enrolledAt),
    iso(d.lastSeenAt),
    iso(d.revokedAt),
  ];
}
