import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LinuxNetmonSource } from '../../../../host/netmon/source.linux.js';
import type { CommandRunner } from '../../../../host/proxy/system-proxy.js';
import { ManualClock } from '../../../fakes/manual-clock.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

/** Answers `ip` as the captured namespace did; `ip -6` as a kernel with IPv6 switched off when told to. */
function ipRunner(options: { ipv6Disabled?: boolean } = {}): CommandRunner {
  return (file, args) => {
    const command = [file, ...args].join(' ');
    if (command === 'ip -d -j address show') return Promise.resolve({ code: 0, stdout: fixture('linux-ip-addr.json'), stderr: '' });
    if (command === 'ip -4 -j route show default') return Promise.resolve({ code: 0, stdout: fixture('linux-ip-route4.json'), stderr: '' });
    if (command === 'ip -6 -j route show default') {
      return Promise.resolve(
        options.ipv6Disabled
          ? { code: 2, stdout: '', stderr: 'RTNETLINK answers: Address family not supported by protocol' }
          : { code: 0, stdout: fixture('linux-ip-route6.json'), stderr: '' },
      );
    }
    return Promise.resolve({ code: 1, stdout: '', stderr: `unexpected ${command}` });
  };
}

describe('LinuxNetmonSource.read', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function source(resolv: string | null, resolved: string | null, run = ipRunner()): LinuxNetmonSource {
    dir = mkdtempSync(join(tmpdir(), 'netmon-'));
    if (resolv !== null) writeFileSync(join(dir, 'resolv.conf'), resolv);
    if (resolved !== null) writeFileSync(join(dir, 'resolved.conf'), resolved);
    return new LinuxNetmonSource({ run, clock: new ManualClock(), resolvConf: join(dir, 'resolv.conf'), resolvedConf: join(dir, 'resolved.conf') });
  }

  it('puts addresses, both families of default routes and resolv.conf together', async () => {
    const snapshot = await source('nameserver 192.0.2.53\nsearch corp.example\n', null).read();
    expect(snapshot.interfaces).toHaveLength(5);
    expect(snapshot.defaultRoutes.map((r) => `${r.family} ${r.gateway}`)).toEqual(['4 192.0.2.1', '4 null', '4 192.0.2.254', '6 2001:db8::1', '6 2001:db8::2', '6 2001:db8::3']);
    expect(snapshot.dnsServers).toEqual(['192.0.2.53']);
    expect(snapshot.searchDomains).toEqual(['corp.example']);
  });

  it("reads systemd-resolved's upstream file when resolv.conf names only its stub", async () => {
    const snapshot = await source('nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n', 'nameserver 192.0.2.1\nnameserver 2001:db8::1\nsearch lan.example\n').read();
    expect(snapshot.dnsServers).toEqual(['192.0.2.1', '2001:db8::1']);
    expect(snapshot.searchDomains).toEqual(['lan.example']);
  });

  it('keeps the stub when resolved has no upstream file, and reports no DNS without a resolv.conf', async () => {
    expect((await source('nameserver 127.0.0.53\n', null).read()).dnsServers).toEqual(['127.0.0.53']);
    rmSync(dir, { recursive: true });
    expect((await source(null, null).read()).dnsServers).toEqual([]);
  });

  it('has no IPv6 routes, rather than failing, when the kernel has IPv6 switched off', async () => {
    const snapshot = await source('', null, ipRunner({ ipv6Disabled: true })).read();
    expect(snapshot.defaultRoutes.every((r) => r.family === 4)).toBe(true);
  });

  it('rejects with what ip said when ip itself fails', async () => {
    const run: CommandRunner = () => Promise.resolve({ code: 127, stdout: '', stderr: 'ip: not found' });
    await expect(source('', null, run).read()).rejects.toThrow(/ip -d -j address show.*not found/);
  });
});
