import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  checkTunnelNetworkPlan,
  DeviceNetworkError,
  DeviceNetworkLeftovers,
  leftoversPath,
  readLeftovers,
  type DeviceNetworkBackend,
  type DnsLeftover,
  type NetworkCommand,
  type TunnelNetworkPlan,
} from '../../../platform/device-network.js';
import { createFakeDeviceNetwork } from '../../../platform/device-network.fake.js';
import { platformFor } from '../../../platform/device-network-session.js';
import {
  blockedRouteCommand,
  isWaygateResolvConf,
  linkCommands,
  parseOccupied,
  resolvConfText,
  resolvedDnsCommands,
  resolvedRevertCommand,
  RESOLV_CONF_MARKER,
  routeCommand,
  unlinkCommands,
} from '../../../platform/device-network.linux.js';

const plan: TunnelNetworkPlan = {
  tunName: 'waygate0',
  address: '100.64.0.2/16',
  mtu: 1400,
  tunnelRoutes: ['0.0.0.0/1', '128.0.0.0/1'],
  blockedRoutes: ['::/1', '8000::/1'],
  dns: { servers: ['100.64.0.1'], searchDomains: ['corp.example'] },
};

const argv = (commands: readonly NetworkCommand[]): string[] => commands.map((command) => command.argv.join(' '));

describe('plan checks', () => {
  it('accepts a plan the tunnel manager builds', () => {
    expect(() => checkTunnelNetworkPlan(plan)).not.toThrow();
    expect(() => checkTunnelNetworkPlan({ ...plan, dns: null, tunnelRoutes: [], blockedRoutes: [] })).not.toThrow();
  });

  it.each([
    [{ tunName: 'tun0; rm -rf /' }, /TUN name/],
    [{ address: '100.64.0.2' }, /address "100.64.0.2"/],
    [{ mtu: 500 }, /MTU 500 must be a whole number from 576/],
    [{ mtu: 1279, tunnelRoutes: ['::/1'] }, /from 1280 .* when IPv6 is routed/],
    [{ tunnelRoutes: ['10.0.0.1/8'] }, /route "10.0.0.1\/8".*did you mean 10.0.0.0\/8/],
    [{ tunnelRoutes: ['::/1'] , mtu: 1400 }, /::\/1 is both routed into the tunnel and blocked/],
    [{ dns: { servers: [], searchDomains: [] } }, /1 to 32 DNS servers/],
    [{ dns: { servers: ['dns.example'], searchDomains: [] } }, /DNS server "dns.example"/],
    [{ dns: { servers: ['1.1.1.1'], searchDomains: ['corp\nnameserver 6.6.6.6'] } }, /search domain/],
  ])('refuses %o with a DeviceNetworkError saying what is wrong', (change, message) => {
    expect(() => checkTunnelNetworkPlan({ ...plan, ...change })).toThrow(DeviceNetworkError);
    expect(() => checkTunnelNetworkPlan({ ...plan, ...change })).toThrow(message);
  });
});

describe('Linux commands', () => {
  it('sets the address, then the MTU and the link up', () => {
    expect(argv(linkCommands(plan, null))).toEqual(['ip address replace 100.64.0.2/16 dev waygate0', 'ip link set dev waygate0 mtu 1400 up']);
  });

  it('on a new address adds it before the old one goes, and sets it again in case it went with the old primary', () => {
    const commands = linkCommands({ ...plan, address: '100.64.0.9/16' }, { address: '100.64.0.2/16' });
    expect(argv(commands)).toEqual([
      'ip address replace 100.64.0.9/16 dev waygate0',
      'ip address delete 100.64.0.2/16 dev waygate0',
      'ip address replace 100.64.0.9/16 dev waygate0',
      'ip link set dev waygate0 mtu 1400 up',
    ]);
    expect(commands[1]?.mayFail).toBe(true);
  });

  it('takes only the address away on removal (the TUN is the service\u2019s), tolerating a TUN already gone', () => {
    expect(unlinkCommands('waygate0', '100.64.0.2/16')).toEqual([{ argv: ['ip', 'address', 'delete', '100.64.0.2/16', 'dev', 'waygate0'], mayFail: true }]);
  });

  it('replaces routes into the TUN per family, and deletes them by the same key', () => {
    expect(routeCommand('add', 'waygate0', '0.0.0.0/1').argv.join(' ')).toBe('ip -4 route replace 0.0.0.0/1 dev waygate0');
    expect(routeCommand('add', 'waygate0', '2001:db8::/32').argv.join(' ')).toBe('ip -6 route replace 2001:db8::/32 dev waygate0');
    expect(routeCommand('delete', 'waygate0', '0.0.0.0/1').argv.join(' ')).toBe('ip -4 route delete 0.0.0.0/1 dev waygate0');
  });

  it('blocks with unreachable routes that do not depend on the TUN', () => {
    expect(blockedRouteCommand('add', 'waygate0', '8000::/1').argv.join(' ')).toBe('ip -6 route replace unreachable 8000::/1');
    expect(blockedRouteCommand('delete', 'waygate0', '8000::/1').argv.join(' ')).toBe('ip -6 route delete unreachable 8000::/1');
  });

  it('gives systemd-resolved the servers on the TUN link as the route for every name', () => {
    expect(argv(resolvedDnsCommands('waygate0', { servers: ['100.64.0.1', '100.64.0.53'], searchDomains: ['corp.example'] }))).toEqual([
      'resolvectl dns waygate0 100.64.0.1 100.64.0.53',
      'resolvectl domain waygate0 ~. corp.example',
      'resolvectl default-route waygate0 yes',
    ]);
    expect(resolvedRevertCommand('waygate0').argv.join(' ')).toBe('resolvectl revert waygate0');
  });
});

describe('resolv.conf', () => {
  it('starts with the marker that says Waygate wrote it and will put the previous file back', () => {
    const text = resolvConfText({ servers: ['100.64.0.1', 'fd00::53'], searchDomains: ['corp.example', 'example.net'] });
    expect(text.split('\n')).toEqual([
      RESOLV_CONF_MARKER,
      '# Waygate puts the previous file back when the tunnel stops; edits made here are lost then.',
      'nameserver 100.64.0.1',
      'nameserver fd00::53',
      'search corp.example example.net',
      '',
    ]);
    expect(RESOLV_CONF_MARKER).toMatch(/^# Written by Waygate/);
    expect(isWaygateResolvConf(text)).toBe(true);
  });

  it('has no search line without search domains, and recognises only files that start with the marker', () => {
    expect(resolvConfText({ servers: ['1.1.1.1'], searchDomains: [] })).not.toContain('search');
    expect(isWaygateResolvConf('nameserver 192.168.1.1\n')).toBe(false);
    expect(isWaygateResolvConf(`# Generated by NetworkManager\n${RESOLV_CONF_MARKER}\n`)).toBe(false);
  });
});

describe('occupied networks from ip -j', () => {
  it('lists addresses with prefix and route destinations, leaving out default and the own TUN', () => {
    const addresses = JSON.stringify([
      { ifname: 'lo', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }, { family: 'inet6', local: '::1', prefixlen: 128 }] },
      { ifname: 'eth0', addr_info: [{ family: 'inet', local: '100.64.3.7', prefixlen: 10 }] },
      { ifname: 'waygate0', addr_info: [{ family: 'inet', local: '100.65.0.2', prefixlen: 16 }] },
      { ifname: 'dummy0' },
    ]);
    const v4 = JSON.stringify([
      { dst: 'default', gateway: '100.64.0.1', dev: 'eth0' },
      { dst: '0.0.0.0/1', dev: 'waygate0' },
      { dst: '10.20.0.0/16', gateway: '100.64.0.1', dev: 'eth0' },
      { type: 'local', dst: '127.0.0.1', dev: 'lo', table: 'local' },
    ]);
    expect(parseOccupied(addresses, [v4, ''], 'waygate0')).toEqual(['127.0.0.1/8', '::1/128', '100.64.3.7/10', '10.20.0.0/16', '127.0.0.1']);
  });

  it('refuses output of another shape with a DeviceNetworkError', () => {
    expect(() => parseOccupied('{"not":"a list"}', [], 'waygate0')).toThrow(DeviceNetworkError);
  });
});

describe('leftovers record', () => {
  const record = { version: 1, tun: 'waygate0', address: '100.64.0.2/16', tunnelRoutes: ['0.0.0.0/1'], blockedRoutes: ['::/1'] };

  it('holds each DNS mechanism with what it needs to put DNS back', () => {
    for (const dns of [
      null,
      { kind: 'resolved' },
      { kind: 'resolv-conf', path: '/etc/resolv.conf', original: 'nameserver 192.168.1.1\n' },
      { kind: 'resolv-conf', path: '/etc/resolv.conf', original: null },
      { kind: 'scutil', serviceId: 'ABC-123', original: { servers: ['192.168.1.1'], searchDomains: [], domainName: null } },
      { kind: 'netsh' },
    ]) {
      expect(DeviceNetworkLeftovers.safeParse({ ...record, dns }).success).toBe(true);
    }
  });

  it('refuses another version, a missing TUN or an unknown DNS kind', () => {
    expect(DeviceNetworkLeftovers.safeParse({ ...record, dns: null, version: 2 }).success).toBe(false);
    expect(DeviceNetworkLeftovers.safeParse({ ...record, dns: null, tun: '' }).success).toBe(false);
    expect(DeviceNetworkLeftovers.safeParse({ ...record, dns: { kind: 'nmcli' } }).success).toBe(false);
  });
});

/** Records what the session runs, on the Linux commands; DNS in a file of its own. */
function recordingBackend(stateDir: string) {
  const log: string[] = [];
  const recordAtCommand: (z.infer<typeof DeviceNetworkLeftovers> | null)[] = [];
  let failOn: RegExp | null = null;
  const resolvConf = join(stateDir, 'resolv.conf');
  const backend: DeviceNetworkBackend = {
    run: async (command) => {
      const line = command.argv.join(' ');
      recordAtCommand.push(await readLeftovers(stateDir));
      if (failOn?.test(line)) {
        log.push(`FAILED ${line}`);
        throw DeviceNetworkError.commandFailed(command.argv, 'RTNETLINK answers: Operation not permitted');
      }
      log.push(line);
      return '';
    },
    linkCommands,
    unlinkCommands,
    routeCommand,
    blockedRouteCommand,
    prepareDns: async (): Promise<DnsLeftover> => ({ kind: 'resolv-conf', path: resolvConf, original: await readFile(resolvConf, 'utf8') }),
    setDns: async (_tun, dns) => {
      log.push(`dns ${dns.servers.join(' ')}`);
      await writeFile(resolvConf, resolvConfText(dns));
    },
    restoreDns: async (_tun, saved) => {
      if (saved.kind !== 'resolv-conf' || !isWaygateResolvConf(await readFile(resolvConf, 'utf8'))) return false;
      log.push('dns restored');
      await writeFile(resolvConf, saved.original ?? '');
      return true;
    },
    deleteTun: (tun) => {
      log.push(`delete ${tun}`);
      return Promise.resolve(true);
    },
    occupiedNetworks: () => Promise.resolve([]),
  };
  return { backend, log, recordAtCommand, resolvConf, failNext: (pattern: RegExp | null) => (failOn = pattern) };
}

describe('device network session (shared by every OS)', () => {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'waygate-devnet-'));
    await writeFile(join(stateDir, 'resolv.conf'), 'nameserver 192.168.1.1\n');
  });
  afterEach(() => rm(stateDir, { recursive: true, force: true }));

  it('records the TUN, every route and the original DNS before the first command runs', async () => {
    const { backend, log, recordAtCommand, resolvConf } = recordingBackend(stateDir);
    await platformFor(backend).open(stateDir).apply(plan);
    expect(log).toEqual([
      'ip address replace 100.64.0.2/16 dev waygate0',
      'ip link set dev waygate0 mtu 1400 up',
      'ip -4 route replace 0.0.0.0/1 dev waygate0',
      'ip -4 route replace 128.0.0.0/1 dev waygate0',
      'ip -6 route replace unreachable ::/1',
      'ip -6 route replace unreachable 8000::/1',
      'dns 100.64.0.1',
    ]);
    expect(recordAtCommand[0]).toEqual({
      version: 1,
      tun: 'waygate0',
      address: '100.64.0.2/16',
      tunnelRoutes: ['0.0.0.0/1', '128.0.0.0/1'],
      blockedRoutes: ['::/1', '8000::/1'],
      dns: { kind: 'resolv-conf', path: resolvConf, original: 'nameserver 192.168.1.1\n' },
    });
    expect(JSON.parse(await readFile(leftoversPath(stateDir), 'utf8'))).toEqual(recordAtCommand[0]);
  });

  it('changes only the differences on a second apply, adding new routes before deleting old ones, and keeps the original DNS', async () => {
    const { backend, log, recordAtCommand, resolvConf } = recordingBackend(stateDir);
    const network = platformFor(backend).open(stateDir);
    await network.apply(plan);
    log.length = 0;
    recordAtCommand.length = 0;
    await network.apply({ ...plan, tunnelRoutes: ['0.0.0.0/1', '10.0.0.0/8'], dns: { servers: ['100.64.0.53'], searchDomains: [] } });
    expect(log).toEqual(['ip -4 route replace 10.0.0.0/8 dev waygate0', 'ip -4 route delete 128.0.0.0/1 dev waygate0', 'dns 100.64.0.53']);
    // While changing, the record covers both plans; afterwards only the new one.
    expect(recordAtCommand[0]?.tunnelRoutes).toEqual(['0.0.0.0/1', '128.0.0.0/1', '10.0.0.0/8']);
    const after = await readLeftovers(stateDir);
    expect(after?.tunnelRoutes).toEqual(['0.0.0.0/1', '10.0.0.0/8']);
    expect(after?.dns).toEqual({ kind: 'resolv-conf', path: resolvConf, original: 'nameserver 192.168.1.1\n' });
  });

  it('sets every route again after the address changed, since the kernel may have dropped them with it', async () => {
    const { backend, log } = recordingBackend(stateDir);
    const network = platformFor(backend).open(stateDir);
    await network.apply(plan);
    log.length = 0;
    await network.apply({ ...plan, address: '100.64.0.9/16' });
    expect(log.filter((line) => line.includes('route'))).toEqual(['ip -4 route replace 0.0.0.0/1 dev waygate0', 'ip -4 route replace 128.0.0.0/1 dev waygate0']);
  });

  it('undoes its own partial changes when a command fails and throws the command and its stderr', async () => {
    const { backend, log, failNext } = recordingBackend(stateDir);
    const network = platformFor(backend).open(stateDir);
    await network.apply(plan);
    log.length = 0;
    failNext(/unreachable 2000::\/3/);
    const next = { ...plan, tunnelRoutes: ['10.0.0.0/8'], blockedRoutes: ['2000::/3'] };
    const error = await network.apply(next).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceNetworkError);
    expect(String(error)).toContain('`ip -6 route replace unreachable 2000::/3` failed: RTNETLINK answers: Operation not permitted');
    expect(log).toEqual([
      'ip -4 route replace 10.0.0.0/8 dev waygate0',
      'ip -4 route delete 0.0.0.0/1 dev waygate0',
      'ip -4 route delete 128.0.0.0/1 dev waygate0',
      'FAILED ip -6 route replace unreachable 2000::/3',
      // undo, newest first
      'ip -4 route replace 128.0.0.0/1 dev waygate0',
      'ip -4 route replace 0.0.0.0/1 dev waygate0',
      'ip -4 route delete 10.0.0.0/8 dev waygate0',
    ]);
    expect((await readLeftovers(stateDir))?.tunnelRoutes).toEqual(['0.0.0.0/1', '128.0.0.0/1']);
    failNext(null);
    log.length = 0;
    await network.apply(next);
    expect(log).toContain('ip -6 route replace unreachable 2000::/3');
  });

  it('withdraw takes routes and DNS away but keeps the address; apply puts them back', async () => {
    const { backend, log, resolvConf } = recordingBackend(stateDir);
    const network = platformFor(backend).open(stateDir);
    await network.apply(plan);
    log.length = 0;
    await network.withdraw();
    expect(log).toEqual([
      'ip -4 route delete 0.0.0.0/1 dev waygate0',
      'ip -4 route delete 128.0.0.0/1 dev waygate0',
      'ip -6 route delete unreachable ::/1',
      'ip -6 route delete unreachable 8000::/1',
      'dns restored',
    ]);
    expect(await readFile(resolvConf, 'utf8')).toBe('nameserver 192.168.1.1\n');
    expect(await readLeftovers(stateDir)).toMatchObject({ tun: 'waygate0', address: '100.64.0.2/16', tunnelRoutes: [], blockedRoutes: [], dns: null });
    log.length = 0;
    await network.apply(plan);
    expect(log).toEqual([
      'ip -4 route replace 0.0.0.0/1 dev waygate0',
      'ip -4 route replace 128.0.0.0/1 dev waygate0',
      'ip -6 route replace unreachable ::/1',
      'ip -6 route replace unreachable 8000::/1',
      'dns 100.64.0.1',
    ]);
  });

  it('remove undoes everything and deletes the record; a second remove does nothing', async () => {
    const { backend, log, resolvConf } = recordingBackend(stateDir);
    const network = platformFor(backend).open(stateDir);
    await network.apply(plan);
    log.length = 0;
    await network.remove();
    expect(log.at(-1)).toBe('ip address delete 100.64.0.2/16 dev waygate0');
    expect(log).toContain('dns restored');
    expect(await readFile(resolvConf, 'utf8')).toBe('nameserver 192.168.1.1\n');
    expect(await readLeftovers(stateDir)).toBeNull();
    log.length = 0;
    await network.remove();
    expect(log).toEqual([]);
  });

  it('removeLeftovers undoes a crashed run from its record and reports it; null when there is none', async () => {
    const { backend, log, resolvConf } = recordingBackend(stateDir);
    await platformFor(backend).open(stateDir).apply(plan);
    log.length = 0;
    const report = await platformFor(backend).removeLeftovers(stateDir);
    expect(report).toEqual({ tun: 'waygate0', routes: 4, dnsRestored: true });
    expect(log).toContain('delete waygate0');
    expect(await readFile(resolvConf, 'utf8')).toBe('nameserver 192.168.1.1\n');
    expect(await platformFor(backend).removeLeftovers(stateDir)).toBeNull();
  });

  it('moves an unreadable record aside and says to check by hand', async () => {
    const { backend } = recordingBackend(stateDir);
    await writeFile(leftoversPath(stateDir), '{"version":1,');
    await expect(platformFor(backend).removeLeftovers(stateDir)).rejects.toThrow(/could not be read.*moved to .*device-network\.json\.corrupt/);
    expect(await platformFor(backend).removeLeftovers(stateDir)).toBeNull();
  });
});

describe('fake device network', () => {
  it('records plans, fails the next apply when told (keeping the previous plan), and withdraws', async () => {
    const fake = createFakeDeviceNetwork(['192.168.1.2/24']);
    const network = fake.open('/state');
    await network.apply(plan);
    expect(fake.applied).toBe(plan);
    fake.failNextApply(new DeviceNetworkError('boom'));
    await expect(network.apply({ ...plan, mtu: 1300 })).rejects.toThrow('boom');
    expect(fake.applied).toBe(plan);
    await network.withdraw();
    expect(fake.withdrawn).toBe(true);
    await network.remove();
    expect(fake.applied).toBeNull();
    expect(fake.calls.map((call) => call.op)).toEqual(['apply', 'apply', 'withdraw', 'remove']);
    expect(await fake.occupiedNetworks('waygate0')).toEqual(['192.168.1.2/24']);
    await expect(network.apply({ ...plan, mtu: 10 })).rejects.toThrow(/MTU 10/);
  });

  it('reports leftovers once when told to', async () => {
    const fake = createFakeDeviceNetwork();
    fake.leaveLeftovers({ tun: 'waygate0', routes: 2, dnsRestored: true });
    expect(await fake.removeLeftovers('/state')).toEqual({ tun: 'waygate0', routes: 2, dnsRestored: true });
    expect(await fake.removeLeftovers('/state')).toBeNull();
  });
});
