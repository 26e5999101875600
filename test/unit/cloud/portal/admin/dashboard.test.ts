import { describe, expect, it } from 'vitest';
import { buildDashboard, policyStatusOf } from '../../../../../cloud/portal/admin/dashboard.js';
import type { Device, DeviceFingerprint, User } from '../../../../../cloud/portal/store/store.js';

const NOW = 10 * 86_400_000;
const HOUR = 3600_000;

function user(id: string, disabled = false): User {
  return {
    id,
    orgId: 'o',
    email: `${id}@x.test`,
    name: id,
    role: 'user',
    passwordHash: null,
    totpSecret: null,
    oidcIssuer: null,
    oidcSubject: null,
    failedSignIns: 0,
    lockedUntil: null,
    disabled,
    createdAt: 0,
  };
}

function device(id: string, userId: string, fingerprint: DeviceFingerprint, more: Partial<Device> = {}): Device {
  return { id, orgId: 'o', userId, name: id, credentialHash: 'h', fingerprint, policyVersion: null, enrolledAt: 0, lastSeenAt: null, revokedAt: null, ...more };
}

describe('dashboard figures', () => {
  const users = [user('u1'), user('u2'), user('u3'), user('gone', true)];
  const devices = [
    device('d1', 'u1', { os: 'linux', osVersion: '6.1', model: 'ThinkPad', appVersion: '1.10.0' }, { policyVersion: 3, lastSeenAt: NOW - 10 * 60_000 }),
    device('d2', 'u1', { os: 'linux', osVersion: '6.8', model: 'ThinkPad', appVersion: '1.9.2' }, { policyVersion: 2, lastSeenAt: NOW - 5 * HOUR }),
    device('d3', 'u2', { os: 'macos', osVersion: '14.5', appVersion: 'dev' }, { lastSeenAt: NOW - 48 * HOUR }),
    device('d4', 'u2', { os: 'windows' }, { policyVersion: 3 }),
    device('d5', 'u3', { os: 'linux', osVersion: '6.1', appVersion: '1.10.0' }, { revokedAt: NOW - HOUR, policyVersion: 1 }),
    device('d6', 'gone', { os: 'linux', appVersion: '2.0.0-rc.1' }),
  ];
  const d = buildDashboard({ devices, users, currentPolicyVersion: 3, now: NOW });

  it('counts enrolled devices and seats, leaving out revoked devices and disabled users', () => {
    expect(d.devices).toEqual({ enrolled: 5, revoked: 1 });
    expect(d.seats).toEqual({ used: 2, total: 3 });
  });

  it('breaks devices down by OS, OS version and model, largest first', () => {
    expect(d.byOs).toEqual([
      { key: 'linux', count: 3 },
      { key: 'macos', count: 1 },
      { key: 'windows', count: 1 },
    ]);
    expect(d.byOsVersion).toEqual([
      { key: 'linux 6.1', count: 1 },
      { key: 'linux 6.8', count: 1 },
      { key: 'linux unknown', count: 1 },
      { key: 'macos 14.5', count: 1 },
      { key: 'windows unknown', count: 1 },
    ]);
    expect(d.byModel).toEqual([
      { key: 'unknown', count: 3 },
      { key: 'ThinkPad', count: 2 },
    ]);
  });

  it('calls app versions older than the newest one seen outdated', () => {
    expect(d.appVersions.newest).toBe('2.0.0-rc.1');
    expect(d.appVersions).toMatchObject({ current: 1, outdated: 2, unknown: 2 });
  });

  it('compares each device policy version with the current one', () => {
    expect(d.policy).toEqual({ currentVersion: 3, updated: 2, outdated: 1, unknown: 2 });
    expect(policyStatusOf({ policyVersion: 3 }, null)).toBe('unknown');
  });

  it('sorts devices by their last heartbeat', () => {
    expect(d.heartbeats).toEqual({ lastHour: 1, last24h: 2, silent: 1, never: 2 });
  });

  it('is all zeros for an org without devices', () => {
    const empty = buildDashboard({ devices: [], users: [], currentPolicyVersion: null, now: NOW });
    expect(empty.devices).toEqual({ enrolled: 0, revoked: 0 });
    expect(empty.appVersions).toEqual({ newest: null, current: 0, outdated: 0, unknown: 0, byVersion: [] });
    expect(empty.byOs).toEqual([]);
  });
});
