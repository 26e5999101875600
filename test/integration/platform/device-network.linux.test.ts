/**
 * The Linux device network for real, as root, in throwaway network namespaces: each test creates a
 * namespace with a persistent TUN (as the service makes its own) and its own resolv.conf under
 * /etc/netns, and runs the implementation inside it through device-network-child.ts.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseTunnelRange } from '../../../host/tunnel/tunnel-range.js';
import { leftoversPath, type LeftoverReport, type TunnelNetworkPlan } from '../../../platform/device-network.js';
import { createNetns, deleteAllNetns, deleteAllNetnsEtc, NetnsChild, netnsBlocker, run, writeNetnsEtcFile } from '../../support/netns.js';

const blocker = netnsBlocker(['ip']);

const TUN = 'wgtdev0';
const ORIGINAL_RESOLV_CONF = '# the namespace own resolv.conf\nnameserver 192.0.2.53\nsearch home.example\n';

const first: TunnelNetworkPlan = {
  tunName: TUN,
  address: '100.64.0.2/16',
  mtu: 1400,
  tunnelRoutes: ['0.0.0.0/1', '128.0.0.0/1'],
  blockedRoutes: ['::/1', '8000::/1'],
  dns: { servers: ['100.64.0.1'], searchDomains: ['corp.example'] },
};
const second: TunnelNetworkPlan = {
  ...first,
  tunnelRoutes: ['10.0.0.0/8', '192.168.0.0/16'],
  blockedRoutes: ['2000::/3'],
  dns: { servers: ['100.64.0.53', '100.64.0.54'], searchDomains: [] },
};

const stateDirs: string[] = [];

interface Device {
  netns: string;
  stateDir: string;
  child: NetnsChild;
}

async function startChild(netns: string, stateDir: string): Promise<NetnsChild> {
  const child = new NetnsChild(netns, 'device-network-child.ts', ['--state-dir', stateDir, '--netns', netns]);
  await child.next('ready');
  return child;
}

async function device(): Promise<Device> {
  const netns = await createNetns();
  await run(['ip', '-n', netns, 'tuntap', 'add', 'dev', TUN, 'mode', 'tun']);
  await writeNetnsEtcFile(netns, 'resolv.conf', ORIGINAL_RESOLV_CONF);
  const stateDir = await mkdtemp(join(tmpdir(), 'waygate-devnet-'));
  stateDirs.push(stateDir);
  return { netns, stateDir, child: await startChild(netns, stateDir) };
}

async function call(child: NetnsChild, command: Record<string, unknown>): Promise<unknown> {
  child.send(JSON.stringify(command));
  const reply = await child.next('reply');
  if (reply.ok !== true) throw new Error(`${String(reply.op)} failed in the namespace: ${String(reply.message)}`);
  return reply.result;
}

async function ipJson(netns: string, args: readonly string[]): Promise<Record<string, unknown>[]> {
  const text = await run(['ip', '-n', netns, '-j', ...args]);
  return text.trim() === '' ? [] : (JSON.parse(text) as Record<string, unknown>[]);
}

/** Routes into the TUN that we installed (not the kernel's route for the TUN's own subnet), both families. */
async function tunnelRoutes(netns: string): Promise<string[]> {
  const routes = [...(await ipJson(netns, ['-4', 'route', 'show', 'dev', TUN])), ...(await ipJson(netns, ['-6', 'route', 'show', 'dev', TUN]))];
  return routes.filter((route) => route.protocol !== 'kernel').map((route) => String(route.dst)).sort();
}

async function unreachableRoutes(netns: string): Promise<string[]> {
  return (await ipJson(netns, ['-6', 'route', 'show', 'type', 'unreachable'])).map((route) => String(route.dst)).sort();
}

async function addresses(netns: string): Promise<string[]> {
  const [link] = await ipJson(netns, ['-4', 'address', 'show', 'dev', TUN]);
  const info = (link?.addr_info ?? []) as { local: string; prefixlen: number }[];
  return info.map(({ local, prefixlen }) => `${local}/${prefixlen}`);
}

function resolvConf(netns: string): Promise<string> {
  return readFile(join('/etc/netns', netns, 'resolv.conf'), 'utf8');
}

async function tunExists(netns: string): Promise<boolean> {
  return run(['ip', '-n', netns, 'link', 'show', 'dev', TUN]).then(
    () => true,
    () => false,
  );
}

describe.skipIf(blocker !== null)('device network on Linux (root, inside throwaway network namespaces)', () => {
  afterAll(async () => {
    await deleteAllNetns();
    await deleteAllNetnsEtc();
    for (const dir of stateDirs) await rm(dir, { recursive: true, force: true });
  });

  it('applies routes, unreachable IPv6 and DNS; a new plan replaces them; withdraw keeps the address; remove restores everything', async () => {
    const { netns, stateDir, child } = await device();

    await call(child, { op: 'apply', plan: first });
    expect(await tunnelRoutes(netns)).toEqual(['0.0.0.0/1', '128.0.0.0/1']);
    expect(await unreachableRoutes(netns)).toEqual(['8000::/1', '::/1']);
    expect(await addresses(netns)).toEqual(['100.64.0.2/16']);
    const link = await run(['ip', '-n', netns, 'link', 'show', 'dev', TUN]);
    expect(link).toMatch(/<[^>]*\bUP\b[^>]*> mtu 1400 /);
    const ours = await resolvConf(netns);
    expect(ours).toMatch(/^# Written by Waygate/);
    expect(ours).toContain('nameserver 100.64.0.1\nsearch corp.example\n');
    expect(ours).not.toContain('192.0.2.53');
    expect(existsSync(leftoversPath(stateDir))).toBe(true);

    await call(child, { op: 'apply', plan: second });
    expect(await tunnelRoutes(netns)).toEqual(['10.0.0.0/8', '192.168.0.0/16']);
    expect(await unreachableRoutes(netns)).toEqual(['2000::/3']);
    expect(await resolvConf(netns)).toContain('nameserver 100.64.0.53\nnameserver 100.64.0.54\n');

    await call(child, { op: 'withdraw' });
    expect(await tunnelRoutes(netns)).toEqual([]);
    expect(await unreachableRoutes(netns)).toEqual([]);
    expect(await addresses(netns)).toEqual(['100.64.0.2/16']);
    expect(await resolvConf(netns)).toBe(ORIGINAL_RESOLV_CONF);

    await call(child, { op: 'apply', plan: first });
    expect(await tunnelRoutes(netns)).toEqual(['0.0.0.0/1', '128.0.0.0/1']);

    await call(child, { op: 'remove' });
    expect(await tunnelRoutes(netns)).toEqual([]);
    expect(await unreachableRoutes(netns)).toEqual([]);
    expect(await addresses(netns)).toEqual([]);
    expect(await resolvConf(netns)).toBe(ORIGINAL_RESOLV_CONF);
    expect(existsSync(leftoversPath(stateDir))).toBe(false);
    await call(child, { op: 'remove' });

    child.send(JSON.stringify({ op: 'exit' }));
    expect(await child.exited).toBe(0);
  });

  it('keeps its routes when the address moves within the same /16 (the kernel drops them with the old primary)', async () => {
    const { netns, child } = await device();
    await call(child, { op: 'apply', plan: { ...first, dns: null } });
    await call(child, { op: 'apply', plan: { ...first, address: '100.64.0.9/16', dns: null } });
    expect(await addresses(netns)).toEqual(['100.64.0.9/16']);
    expect(await tunnelRoutes(netns)).toEqual(['0.0.0.0/1', '128.0.0.0/1']);
    await call(child, { op: 'remove' });
    child.kill();
  });

  it('undoes its partial changes when a command fails, leaving the previous plan in place', async () => {
    const { netns, child } = await device();
    await call(child, { op: 'apply', plan: first });
    // With IPv6 off on the TUN, an IPv6 route into it fails after the IPv4 changes were made.
    await run(['ip', 'netns', 'exec', netns, 'sh', '-c', `echo 1 > /proc/sys/net/ipv6/conf/${TUN}/disable_ipv6`]);
    child.send(JSON.stringify({ op: 'apply', plan: { ...second, tunnelRoutes: ['10.0.0.0/8', '2001:db8::/32'] } }));
    const reply = await child.next('reply');
    expect(reply.ok).toBe(false);
    expect(reply.message).toMatch(/`ip -6 route replace 2001:db8::\/32 dev wgtdev0` failed: .*IPv6 is disabled/);
    expect(await tunnelRoutes(netns)).toEqual(['0.0.0.0/1', '128.0.0.0/1']);
    expect(await unreachableRoutes(netns)).toEqual(['8000::/1', '::/1']);
    expect(await resolvConf(netns)).toContain('nameserver 100.64.0.1\n');
    await call(child, { op: 'remove' });
    expect(await resolvConf(netns)).toBe(ORIGINAL_RESOLV_CONF);
    child.kill();
  });

  it('after a crash, removeLeftovers from a fresh process removes routes, restores resolv.conf, deletes the TUN and says so', async () => {
    const { netns, stateDir, child } = await device();
    await call(child, { op: 'apply', plan: first });
    child.kill();
    await child.exited;
    // The persistent TUN outlives the process, and with it the routes into it: still blocking.
    expect(await tunnelRoutes(netns)).toEqual(['0.0.0.0/1', '128.0.0.0/1']);
    expect(await resolvConf(netns)).toMatch(/^# Written by Waygate/);

    const fresh = await startChild(netns, stateDir);
    const report = (await call(fresh, { op: 'leftovers' })) as LeftoverReport;
    expect(report).toEqual({ tun: TUN, routes: 4, dnsRestored: true });
    expect(await tunExists(netns)).toBe(false);
    expect(await unreachableRoutes(netns)).toEqual([]);
    expect(await resolvConf(netns)).toBe(ORIGINAL_RESOLV_CONF);
    expect(existsSync(leftoversPath(stateDir))).toBe(false);
    expect(await call(fresh, { op: 'leftovers' })).toBeNull();
    fresh.kill();
  });

  it('leaves a resolv.conf that something else rewrote after the crash', async () => {
    const { netns, stateDir, child } = await device();
    await call(child, { op: 'apply', plan: first });
    child.kill();
    await child.exited;
    const rewritten = '# Generated by NetworkManager\nnameserver 198.51.100.1\n';
    await writeNetnsEtcFile(netns, 'resolv.conf', rewritten);
    const fresh = await startChild(netns, stateDir);
    expect(await call(fresh, { op: 'leftovers' })).toEqual({ tun: TUN, routes: 4, dnsRestored: false });
    expect(await resolvConf(netns)).toBe(rewritten);
    fresh.kill();
  });

  it('lists the networks in use without its own TUN, which is what chooseTunnelRange needs', async () => {
    const { netns, child } = await device();
    await run(['ip', '-n', netns, 'tuntap', 'add', 'dev', 'wgtother0', 'mode', 'tun']);
    await run(['ip', '-n', netns, 'address', 'add', '100.64.7.1/16', 'dev', 'wgtother0']);
    await run(['ip', '-n', netns, 'link', 'set', 'wgtother0', 'up']);
    await run(['ip', '-n', netns, 'route', 'add', '100.65.0.0/16', 'dev', 'wgtother0']);
    await call(child, { op: 'apply', plan: { ...first, address: '100.66.0.2/16', dns: null } });
    const occupied = (await call(child, { op: 'occupied', tun: TUN })) as string[];
    expect(occupied).toEqual(expect.arrayContaining(['127.0.0.1/8', '100.64.7.1/16', '100.65.0.0/16']));
    expect(occupied.some((network) => network.startsWith('100.66.'))).toBe(false);
    expect(chooseTunnelRange(occupied)).toBe('100.66.0.0/16');
    await call(child, { op: 'remove' });
    child.kill();
  });
});
