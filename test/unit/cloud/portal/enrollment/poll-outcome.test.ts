import { describe, expect, it } from 'vitest';
import { pollOutcome } from '../../../../../cloud/portal/enrollment/poll-outcome.js';
import type { DeviceAuthorization } from '../../../../../cloud/portal/store/store.js';

const T0 = 1_700_000_000_000;

function auth(change: Partial<DeviceAuthorization> = {}): DeviceAuthorization {
  return {
    id: 'a1',
    orgId: 'o1',
    deviceCodeHash: 'h',
    userCode: 'BCDF-GHJK',
    deviceName: 'laptop',
    os: 'linux',
    osVersion: '6.8',
    status: 'pending',
    userId: null,
    interval: 5,
    lastPolledAt: null,
    expiresAt: T0 + 600_000,
    createdAt: T0,
    ...change,
  };
}

describe('pollOutcome (RFC 8628 §3.5)', () => {
  it('is pending on the first poll and on polls at least one interval apart', () => {
    expect(pollOutcome(auth(), T0)).toEqual({ kind: 'pending' });
    expect(pollOutcome(auth({ lastPolledAt: T0 }), T0 + 5000)).toEqual({ kind: 'pending' });
  });

  it('says slow_down, with the interval 5 s longer, to a poll inside the interval', () => {
    expect(pollOutcome(auth({ lastPolledAt: T0 }), T0 + 4999)).toEqual({ kind: 'slow_down', interval: 10 });
    expect(pollOutcome(auth({ lastPolledAt: T0, interval: 10 }), T0 + 9000)).toEqual({ kind: 'slow_down', interval: 15 });
  });

  it('hands out an approved request however early the poll comes', () => {
    expect(pollOutcome(auth({ status: 'approved', userId: 'u1', lastPolledAt: T0 }), T0 + 1)).toEqual({ kind: 'approved', userId: 'u1' });
  });

  it('reports denied, expired and consumed requests, consumed first and expiry before the decision', () => {
    expect(pollOutcome(auth({ status: 'denied', userId: 'u1' }), T0)).toEqual({ kind: 'denied' });
    expect(pollOutcome(auth(), T0 + 600_000)).toEqual({ kind: 'expired' });
    expect(pollOutcome(auth({ status: 'approved', userId: 'u1' }), T0 + 600_000)).toEqual({ kind: 'expired' });
    expect(pollOutcome(auth({ status: 'consumed', userId: 'u1' }), T0 + 600_000)).toEqual({ kind: 'consumed' });
  });
});
