import { describe, expect, it } from 'vitest';
import { netmonSource } from '../../../../host/netmon/source.js';
import { DarwinNetmonSource } from '../../../../host/netmon/source.darwin.js';
import { FakeNetmonSource } from '../../../../host/netmon/source.fake.js';
import { LinuxNetmonSource } from '../../../../host/netmon/source.linux.js';
import { WindowsNetmonSource } from '../../../../host/netmon/source.win32.js';

describe('netmonSource', () => {
  it('picks the implementation for each OS Waygate runs on', async () => {
    expect(await netmonSource('linux')).toBeInstanceOf(LinuxNetmonSource);
    expect(await netmonSource('darwin')).toBeInstanceOf(DarwinNetmonSource);
    expect(await netmonSource('win32')).toBeInstanceOf(WindowsNetmonSource);
  });

  it('refuses any other OS, naming it', async () => {
    await expect(netmonSource('freebsd')).rejects.toThrow(/not supported on freebsd/);
  });
});

describe('FakeNetmonSource', () => {
  it('reads what the test set, a copy each time, and fails once when told to', async () => {
    const source = new FakeNetmonSource();
    source.snapshot = { interfaces: [], defaultRoutes: [], dnsServers: ['192.0.2.53'], searchDomains: [] };
    const first = await source.read();
    first.dnsServers.push('mutated');
    expect((await source.read()).dnsServers).toEqual(['192.0.2.53']);
    source.failNextRead(new Error('boom'));
    await expect(source.read()).rejects.toThrow('boom');
    await expect(source.read()).resolves.toBeDefined();
    expect(source.reads).toBe(4);
  });

  it('emits to its watchers until they stop', () => {
    const source = new FakeNetmonSource();
    let events = 0;
    const stop = source.watch(() => (events += 1));
    source.emit();
    stop();
    source.emit();
    expect(events).toBe(1);
  });
});
