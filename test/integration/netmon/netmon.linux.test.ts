import { afterAll, describe, expect, it } from 'vitest';
import type { NetworkSnapshot } from '../../../host/netmon/snapshot.js';
import { createNetns, deleteAllNetns, deleteAllNetnsEtc, NetnsChild, rootNetnsBlocker, run, writeNetnsEtcFile, type ChildEvent } from '../../support/netns.js';

const blocker = rootNetnsBlocker('the netmon namespace tests', ['ip', 'pgrep']);

/** How long a change may take to arrive: Netmon's 250 ms debounce plus reading, with room for a busy machine. */
const WITHIN_MS = 1_000;
/** The source restarts a dead `ip monitor` after 1 s, then reads. */
const MONITOR_RESTART_MS = 1_000;

interface Change {
  cause: string;
  snapshot: NetworkSnapshot;
}

function change(event: ChildEvent): Change {
  return { cause: String(event.cause), snapshot: event.snapshot as NetworkSnapshot };
}

/** The next change for which `matches` holds, skipping others (link-local addresses settling, say); fails after `ms`. */
async function changeWithin(child: NetnsChild, ms: number, matches: (s: NetworkSnapshot) => boolean): Promise<Change & { afterMs: number }> {
  const started = Date.now();
  for (;;) {
    const remaining = started + ms - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`No matching network change within ${ms} ms.`)), Math.max(0, remaining));
    });
    const next = change(await Promise.race([child.next('change'), timeout]).finally(() => clearTimeout(timer)));
    if (matches(next.snapshot)) return { ...next, afterMs: Date.now() - started };
  }
}

const addressesOf = (s: NetworkSnapshot, name: string): string[] => s.interfaces.find((i) => i.name === name)?.addresses ?? [];

const children: NetnsChild[] = [];

function startChild(netns: string): NetnsChild {
  const child = new NetnsChild(netns, '../integration/netmon/netmon-child.ts', []);
  children.push(child);
  return child;
}

describe.skipIf(blocker !== null)('netmon on Linux (root, in a throwaway network namespace)', () => {
  afterAll(async () => {
    // A test that failed half-way leaves its child running; its ip monitor dies with it (setpriv --pdeathsig).
    for (const child of children) child.kill();
    await Promise.all(children.map((child) => child.exited));
    await deleteAllNetns();
    await deleteAllNetnsEtc();
  });

  it('reports addresses, default routes and resolv.conf as they change, each within 1 s, and nothing when nothing changed', async () => {
    const netns = await createNetns();
    await writeNetnsEtcFile(netns, 'resolv.conf', 'nameserver 192.0.2.53\n');
    await run(['ip', '-n', netns, 'link', 'add', 'wgtnm0', 'type', 'veth', 'peer', 'name', 'wgtnm1']);
    await run(['ip', '-n', netns, 'link', 'set', 'wgtnm0', 'up']);
    await run(['ip', '-n', netns, 'link', 'set', 'wgtnm1', 'up']);

    const child = startChild(netns);
    const first = change(await child.next('change'));
    await child.next('ready');
    expect(first.cause).toBe('start');
    // ip netns exec put /etc/netns/NS/resolv.conf over /etc/resolv.conf for the child.
    expect(first.snapshot.dnsServers).toEqual(['192.0.2.53']);
    expect(first.snapshot.defaultRoutes).toEqual([]);
    expect(first.snapshot.interfaces.find((i) => i.name === 'wgtnm0')).toMatchObject({ up: true, vpn: false });

    await run(['ip', '-n', netns, 'address', 'add', '192.0.2.10/24', 'dev', 'wgtnm0']);
    const address = await changeWithin(child, WITHIN_MS, (s) => addressesOf(s, 'wgtnm0').includes('192.0.2.10/24'));
    expect(address.cause).toBe('change');

    await run(['ip', '-n', netns, 'route', 'add', 'default', 'via', '192.0.2.1', 'dev', 'wgtnm0']);
    const route = await changeWithin(child, WITHIN_MS, (s) => s.defaultRoutes.length > 0);
    expect(route.snapshot.defaultRoutes).toEqual([{ gateway: '192.0.2.1', interface: 'wgtnm0', family: 4 }]);

    await run(['ip', '-n', netns, '-6', 'address', 'add', '2001:db8::5/64', 'dev', 'wgtnm0', 'nodad']);
    await run(['ip', '-n', netns, '-6', 'route', 'add', 'default', 'via', '2001:db8::1', 'dev', 'wgtnm0']);
    const route6 = await changeWithin(child, WITHIN_MS, (s) => s.defaultRoutes.some((r) => r.family === 6));
    expect(addressesOf(route6.snapshot, 'wgtnm0')).toContain('2001:db8::5/64');
    expect(route6.snapshot.defaultRoutes).toContainEqual({ gateway: '2001:db8::1', interface: 'wgtnm0', family: 6 });

    await writeNetnsEtcFile(netns, 'resolv.conf', '# rewritten in place\nnameserver 198.51.100.53\nnameserver 2001:db8::53\nsearch corp.example\n');
    const dns = await changeWithin(child, WITHIN_MS, (s) => s.dnsServers.includes('198.51.100.53'));
    expect(dns.snapshot.dnsServers).toEqual(['198.51.100.53', '2001:db8::53']);
    expect(dns.snapshot.searchDomains).toEqual(['corp.example']);

    await run(['ip', '-n', netns, 'link', 'set', 'wgtnm1', 'down']);
    const carrierLost = await changeWithin(child, WITHIN_MS, (s) => s.interfaces.find((i) => i.name === 'wgtnm0')?.up === false);
    expect(carrierLost.cause).toBe('change');

    console.info(
      `netmon latencies (ms): address ${address.afterMs}, route ${route.afterMs}, IPv6 ${route6.afterMs}, resolv.conf ${dns.afterMs}, carrier ${carrierLost.afterMs}`,
    );

    // ip monitor announces a route that is not a default one, but the network is the same: no change may be reported.
    let quietBroken = false;
    const unexpected = child.next('change').then(
      () => (quietBroken = true),
      () => undefined,
    );
    await run(['ip', '-n', netns, 'route', 'add', '198.51.100.0/24', 'via', '192.0.2.1', 'dev', 'wgtnm0']);
    await new Promise((resolve) => setTimeout(resolve, WITHIN_MS));
    expect(quietBroken).toBe(false);

    child.send('stop');
    await child.next('stopped');
    // Stopping killed `ip monitor` and closed the watches: nothing keeps the process alive.
    expect(await child.exited).toBe(0);
    await unexpected;
  });

  it('restarts ip monitor when it dies and reports what changed meanwhile', async () => {
    const netns = await createNetns();
    await run(['ip', '-n', netns, 'link', 'add', 'wgtnm0', 'type', 'veth', 'peer', 'name', 'wgtnm1']);
    await run(['ip', '-n', netns, 'link', 'set', 'wgtnm0', 'up']);
    await run(['ip', '-n', netns, 'link', 'set', 'wgtnm1', 'up']);
    const child = startChild(netns);
    await child.next('change');
    const { pid } = await child.next('ready');

    const monitorPid = (await run(['pgrep', '-P', String(pid), '-x', 'ip'])).trim();
    expect(monitorPid).toMatch(/^\d+$/);
    await run(['kill', monitorPid]);
    await run(['ip', '-n', netns, 'address', 'add', '203.0.113.7/24', 'dev', 'wgtnm0']);
    await changeWithin(child, MONITOR_RESTART_MS + WITHIN_MS, (s) => addressesOf(s, 'wgtnm0').includes('203.0.113.7/24'));

    const restarted = (await run(['pgrep', '-P', String(pid), '-x', 'ip'])).trim();
    expect(restarted).toMatch(/^\d+$/);
    expect(restarted).not.toBe(monitorPid);
    await run(['ip', '-n', netns, 'address', 'add', '203.0.113.8/24', 'dev', 'wgtnm0']);
    await changeWithin(child, WITHIN_MS, (s) => addressesOf(s, 'wgtnm0').includes('203.0.113.8/24'));

    child.send('stop');
    await child.next('stopped');
    expect(await child.exited).toBe(0);
  });
});
