import { describe, expect, it } from 'vitest';
import { NetworkWatch, systemAddresses } from '../../../../host/service/network-watch.js';
import { ManualClock } from '../../../fakes/manual-clock.js';

describe('NetworkWatch', () => {
  it('reports a change of addresses once, at the next check, and keeps watching', () => {
    const clock = new ManualClock();
    let addresses = ['eth0 192.0.2.10/24'];
    const changes: (readonly string[])[] = [];
    const watch = new NetworkWatch(clock, (now) => changes.push(now), () => addresses);
    watch.start();
    clock.advance(10_000);
    expect(changes).toEqual([]);

    addresses = ['wlan0 198.51.100.7/24'];
    clock.advance(3_000);
    expect(changes).toEqual([['wlan0 198.51.100.7/24']]);
    clock.advance(30_000);
    expect(changes).toHaveLength(1);

    addresses = ['wlan0 198.51.100.7/24', 'wg0 100.64.0.2/32'];
    clock.advance(3_000);
    expect(changes).toHaveLength(2);
  });

  it('stops checking when stopped', () => {
    const clock = new ManualClock();
    let calls = 0;
    const watch = new NetworkWatch(clock, () => undefined, () => {
      calls += 1;
      return [];
    });
    watch.start();
    clock.advance(3_000);
    const before = calls;
    watch.stop();
    clock.advance(60_000);
    expect(calls).toBe(before);
  });

  it('reads this machine’s addresses without loopback', () => {
    expect(systemAddresses().some((entry) => / 127\.0\.0\.1/.test(entry) || / ::1\//.test(entry))).toBe(false);
  });
});
