import type { AdminDevice } from '../../../../../protocol/portal-admin.js';

export const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
export const HOUR = 3_600_000;

export function device(change: Partial<AdminDevice> & { id: string }): AdminDevice {
  return {
    name: change.id,
    user: { id: 'u1', email: 'uma@example.test', name: 'Uma User' },
    fingerprint: {},
    policyVersion: 1,
    policyStatus: 'updated',
    enrolledAt: NOW - 100 * HOUR,
    lastSeenAt: NOW - 60_000,
    revokedAt: null,
    ...change,
  };
}
