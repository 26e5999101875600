import { describe, expect, it } from 'vitest';
import { compareVersions, deviceStatus, matches, NO_FILTER, platformsIn, sortDevices } from '../../../../../cloud/portal/admin-ui/device-view.js';
import { device, HOUR, NOW } from './fixtures.js';

describe('deviceStatus', () => {
  it('reads the status from the last heartbeat', () => {
    expect(deviceStatus({ revokedAt: null, lastSeenAt: NOW - 5 * 60_000 }, NOW)).toBe('active');
    expect(deviceStatus({ revokedAt: null, lastSeenAt: NOW - 3 * HOUR }, NOW)).toBe('idle');
    expect(deviceStatus({ revokedAt: null, lastSeenAt: NOW - 25 * HOUR }, NOW)).toBe('silent');
    expect(deviceStatus({ revokedAt: null, lastSeenAt: null }, NOW)).toBe('never');
  });

  it('says revoked whatever the heartbeat', () => {
    expect(deviceStatus({ revokedAt: NOW - 1, lastSeenAt: NOW }, NOW)).toBe('revoked');
  });
});

describe('device search and filters', () => {
  const laptop = device({ id: 'd1', name: 'Uma’s laptop', fingerprint: { os: 'macos', osVersion: '14.5', model: 'MacBookPro18,3', serial: 'C02XYZ', appVersion: '1.2.0' } });
  const desktop = device({ id: 'd2', name: 'Build box', user: { id: 'u2', email: 'ops@example.test', name: 'Ops' }, fingerprint: { os: 'linux' }, policyStatus: 'outdated', lastSeenAt: NOW - 30 * HOUR });
  const unknown = device({ id: 'd3', name: 'Fresh', fingerprint: {}, lastSeenAt: null, policyStatus: 'unknown', policyVersion: null });

  it('matches every word anywhere in the searchable fields, ignoring case', () => {
    expect(matches(laptop, { ...NO_FILTER, query: 'uma macbook' }, NOW)).toBe(true);
    expect(matches(laptop, { ...NO_FILTER, query: 'c02xyz' }, NOW)).toBe(true);
    expect(matches(laptop, { ...NO_FILTER, query: 'macOS 14' }, NOW)).toBe(true);
    expect(matches(laptop, { ...NO_FILTER, query: 'uma linux' }, NOW)).toBe(false);
    expect(matches(desktop, { ...NO_FILTER, query: '  ' }, NOW)).toBe(true);
  });

  it('filters by status, platform and policy state', () => {
    expect(matches(desktop, { ...NO_FILTER, status: 'silent' }, NOW)).toBe(true);
    expect(matches(laptop, { ...NO_FILTER, status: 'silent' }, NOW)).toBe(false);
    expect(matches(unknown, { ...NO_FILTER, os: 'unknown' }, NOW)).toBe(true);
    expect(matches(laptop, { ...NO_FILTER, os: 'linux' }, NOW)).toBe(false);
    expect(matches(desktop, { ...NO_FILTER, policy: 'outdated' }, NOW)).toBe(true);
    expect(matches(laptop, { ...NO_FILTER, policy: 'outdated' }, NOW)).toBe(false);
  });

  it('lists the platforms present', () => {
    expect(platformsIn([laptop, desktop, unknown, laptop])).toEqual(['linux', 'macos', 'unknown']);
  });
});

describe('sortDevices', () => {
  const a = device({ id: 'a', name: 'Alpha', lastSeenAt: NOW - 3 * HOUR, fingerprint: { appVersion: '1.9.2' } });
  const b = device({ id: 'b', name: 'bravo', lastSeenAt: NOW - HOUR, fingerprint: { appVersion: '1.10.0' } });
  const c = device({ id: 'c', name: 'Charlie', lastSeenAt: null, fingerprint: {} });

  it('sorts names without regard to case', () => {
    expect(sortDevices([c, b, a], 'name', 'asc').map((d) => d.id)).toEqual(['a', 'b', 'c']);
    expect(sortDevices([c, b, a], 'name', 'desc').map((d) => d.id)).toEqual(['c', 'b', 'a']);
  });

  it('sorts versions numerically, and missing values last in both directions', () => {
    expect(sortDevices([c, b, a], 'app', 'asc').map((d) => d.id)).toEqual(['a', 'b', 'c']);
    expect(sortDevices([c, a, b], 'app', 'desc').map((d) => d.id)).toEqual(['b', 'a', 'c']);
    expect(sortDevices([c, a, b], 'lastSeen', 'desc').map((d) => d.id)).toEqual(['b', 'a', 'c']);
  });

  it('compares versions as people read them', () => {
    expect(compareVersions('1.10.0', '1.9.2')).toBeGreaterThan(0);
    expect(compareVersions('2.0', '2.0')).toBe(0);
  });
});
