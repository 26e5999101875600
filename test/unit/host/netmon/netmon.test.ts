import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../../host/service/clock.js';
import { Netmon, type NetmonCause } from '../../../../host/netmon/netmon.js';
import { FakeNetmonSource } from '../../../../host/netmon/source.fake.js';
import type { NetworkSnapshot } from '../../../../host/netmon/snapshot.js';
import { silentLogger } from '../../../fakes/logger.js';
import { ManualClock } from '../../../fakes/manual-clock.js';

const HOME: NetworkSnapshot = {
  interfaces: [{ name: 'eth0', up: true, addresses: ['192.0.2.10/24'], vpn: false }],
  defaultRoutes: [{ gateway: '192.0.2.1', interface: 'eth0', family: 4 }],
  dnsServers: ['192.0.2.1'],
  searchDomains: ['home.example'],
};
const CAFE: NetworkSnapshot = {
  interfaces: [{ name: 'wlan0', up: true, addresses: ['198.51.100.7/24'], vpn: false }],
  defaultRoutes: [{ gateway: '198.51.100.1', interface: 'wlan0', family: 4 }],
  dnsServers: ['198.51.100.1'],
  searchDomains: [],
};

/**
 * A ManualClock whose wall clock can jump without running the timers on the way, as when the
 * machine sleeps: timers (monotonic) stand still while Date.now() moves on.
 */
class SleepyClock implements Clock {
  readonly manual = new ManualClock();
  private slept = 0;
  now = (): number => this.manual.now() + this.slept;
  schedule = (ms: number, fn: () => void): (() => void) => this.manual.schedule(ms, fn);
  advance(ms: number): void {
    this.manual.advance(ms);
  }
  sleep(ms: number): void {
    this.slept += ms;
  }
}

/** Lets the fake source's promises and Netmon's continuations run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(options: { debounceMs?: number; wakeGapMs?: number } = {}) {
  const source = new FakeNetmonSource(HOME);
  const clock = new SleepyClock();
  const changes: { snapshot: NetworkSnapshot; cause: NetmonCause }[] = [];
  const netmon = new Netmon({ source, clock, ...options, logger: silentLogger, onChange: (snapshot, cause) => changes.push({ snapshot, cause }) });
  const advance = async (ms: number): Promise<void> => {
    clock.advance(ms);
    await settle();
  };
  return { source, clock, changes, netmon, advance };
}

describe('Netmon', () => {
  it('reports the network once at start, with cause start', async () => {
    const { changes, netmon, source } = setup();
    await netmon.start();
    expect(changes).toEqual([{ snapshot: HOME, cause: 'start' }]);
    expect(netmon.current).toEqual(HOME);
    expect(source.watching).toBe(1);
  });

  it('reads once for a burst of events, debounceMs after the last one', async () => {
    const { changes, netmon, source, advance } = setup({ debounceMs: 250 });
    await netmon.start();
    source.snapshot = CAFE;
    for (let i = 0; i < 5; i += 1) {
      source.emit();
      await advance(100);
    }
    expect(source.reads).toBe(1);
    await advance(150);
    expect(source.reads).toBe(2);
    expect(changes.map((c) => c.cause)).toEqual(['start', 'change']);
    expect(changes[1]?.snapshot).toEqual(CAFE);
    expect(netmon.current).toEqual(CAFE);
  });

  it('still reads within 4 × debounceMs when events never stop', async () => {
    const { netmon, source, advance } = setup({ debounceMs: 250 });
    await netmon.start();
    for (let i = 0; i < 20; i += 1) {
      source.emit();
      await advance(100);
    }
    // An event every 100 ms for 2 s: a read at 1 s and at 2 s, besides the one at start.
    expect(source.reads).toBe(3);
  });

  it('reports nothing when a read finds the same network, even listed in another order', async () => {
    const { changes, netmon, source, advance } = setup();
    await netmon.start();
    source.snapshot = { ...HOME, interfaces: [{ name: 'lo', up: true, addresses: ['::1/128', '127.0.0.1/8'], vpn: false }, ...HOME.interfaces] };
    source.emit();
    await advance(250);
    expect(changes).toHaveLength(2);
    source.snapshot = { ...source.snapshot, interfaces: [...source.snapshot.interfaces].reverse().map((i) => ({ ...i, addresses: [...i.addresses].reverse() })) };
    source.emit();
    await advance(250);
    expect(source.reads).toBe(3);
    expect(changes).toHaveLength(2);
  });

  it('notices a wake from sleep and reports it even when the network looks the same', async () => {
    const { changes, netmon, clock, advance, source } = setup({ wakeGapMs: 10_000 });
    await netmon.start();
    await advance(60_000);
    expect(source.reads).toBe(1);
    clock.sleep(5 * 60_000);
    await advance(2_000);
    expect(changes.map((c) => c.cause)).toEqual(['start', 'wake']);
    expect(changes[1]?.snapshot).toEqual(HOME);
  });

  it('does not take a late tick shorter than wakeGapMs for a wake', async () => {
    const { changes, netmon, clock, advance } = setup({ wakeGapMs: 10_000 });
    await netmon.start();
    clock.sleep(9_000);
    await advance(2_000);
    expect(changes.map((c) => c.cause)).toEqual(['start']);
  });

  it('survives a failed read and reads again at the next event', async () => {
    const { changes, netmon, source, advance } = setup();
    await netmon.start();
    source.snapshot = CAFE;
    source.failNextRead(new Error('ip: command not found'));
    source.emit();
    await advance(250);
    expect(source.reads).toBe(2);
    expect(changes).toHaveLength(1);
    source.emit();
    await advance(250);
    expect(changes.map((c) => c.cause)).toEqual(['start', 'change']);
    expect(netmon.current).toEqual(CAFE);
  });

  it('reports start at the first read that succeeds when the very first one fails', async () => {
    const { changes, netmon, source, advance } = setup();
    source.failNextRead(new Error('busy'));
    await expect(netmon.start()).resolves.toBeUndefined();
    expect(netmon.current).toBeNull();
    source.emit();
    await advance(250);
    expect(changes.map((c) => c.cause)).toEqual(['start']);
  });

  it('keeps a wake whose read failed for the next read', async () => {
    const { changes, netmon, source, clock, advance } = setup();
    await netmon.start();
    source.failNextRead(new Error('busy'));
    clock.sleep(60_000);
    await advance(2_000);
    expect(changes).toHaveLength(1);
    source.emit();
    await advance(250);
    expect(changes.map((c) => c.cause)).toEqual(['start', 'wake']);
  });

  it('carries on when onChange throws', async () => {
    const source = new FakeNetmonSource(HOME);
    const clock = new ManualClock();
    let calls = 0;
    const netmon = new Netmon({
      source,
      clock,
      logger: silentLogger,
      onChange: () => {
        calls += 1;
        throw new Error('listener bug');
      },
    });
    await netmon.start();
    source.snapshot = CAFE;
    source.emit();
    clock.advance(250);
    await settle();
    expect(calls).toBe(2);
  });

  it('reads once more after a read that events interrupted, never two at a time', async () => {
    const clock = new ManualClock();
    let release: (() => void) | null = null;
    let inFlight = 0;
    let maxInFlight = 0;
    let reads = 0;
    const source = new FakeNetmonSource(HOME);
    const slowRead = source.read.bind(source);
    source.read = async () => {
      reads += 1;
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (reads === 2) await new Promise<void>((resolve) => (release = resolve));
      inFlight -= 1;
      return slowRead();
    };
    const changes: NetworkSnapshot[] = [];
    const netmon = new Netmon({ source, clock, logger: silentLogger, onChange: (s) => changes.push(s) });
    await netmon.start();
    source.emit();
    clock.advance(250);
    await settle();
    source.snapshot = CAFE;
    source.emit();
    clock.advance(250);
    source.emit();
    clock.advance(250);
    await settle();
    expect(reads).toBe(2);
    release!();
    await settle();
    await settle();
    expect(reads).toBe(3);
    expect(maxInFlight).toBe(1);
    expect(changes.at(-1)).toEqual(CAFE);
  });

  it('stops watching, ticking and reporting when stopped, dropping a read in flight', async () => {
    const { changes, netmon, source, clock, advance } = setup();
    await netmon.start();
    source.snapshot = CAFE;
    source.emit();
    netmon.stop();
    expect(source.watching).toBe(0);
    expect(clock.manual.pending()).toEqual([]);
    source.emit();
    clock.sleep(60_000);
    await advance(10_000);
    expect(changes).toHaveLength(1);
  });
});
