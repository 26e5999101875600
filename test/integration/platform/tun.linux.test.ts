import { afterAll, describe, expect, it } from 'vitest';
import { createNetns, deleteAllNetns, inNetns, NetnsChild, netnsBlocker, run } from '../../support/netns.js';

const blocker = netnsBlocker(['ip', 'ping']);

/** A TUN-owning child in a fresh namespace, its interface addressed 100.64.0.1/24 and up. */
async function echoChildInNetns(args: readonly string[]): Promise<{ netns: string; child: NetnsChild; name: string; offload: unknown }> {
  const netns = await createNetns();
  const child = new NetnsChild(netns, 'tun-echo-child.ts', args);
  const ready = await child.next('ready');
  const name = String(ready.name);
  await run(['ip', '-n', netns, 'address', 'add', '100.64.0.1/24', 'dev', name]);
  await run(['ip', '-n', netns, 'link', 'set', 'dev', name, 'up']);
  return { netns, child, name, offload: ready.offload };
}

async function pingThroughTun(netns: string): Promise<void> {
  // 100.64.0.2 is routed into the TUN: only the child's echo replies can answer it.
  await inNetns(netns, ['ping', '-c', '3', '-i', '0.2', '-W', '1', '100.64.0.2']);
}

describe.skipIf(blocker !== null)('Linux TUN device (root, inside throwaway network namespaces)', () => {
  afterAll(deleteAllNetns);

  it('carries real packets: the kernel pings, the reader answers through write()', async () => {
    const { netns, child, offload } = await echoChildInNetns(['--name', 'wgtplain0']);
    expect(offload).toBe(false);
    await pingThroughTun(netns);
    const echoed = [await child.next('echoed'), await child.next('echoed'), await child.next('echoed')];
    expect(echoed.map((event) => event.sequence)).toEqual([1, 2, 3]);
    expect(echoed.every((event) => event.virtioHeader === false)).toBe(true);
    child.send('close');
    expect(await child.exited).toBe(0);
  });

  it('grants offload: every packet starts with a virtio_net_hdr, and replies with one are accepted', async () => {
    const { netns, child, offload } = await echoChildInNetns(['--offload']);
    expect(offload).toBe(true);
    await pingThroughTun(netns);
    const echoed = [await child.next('echoed'), await child.next('echoed'), await child.next('echoed')];
    expect(echoed.every((event) => event.virtioHeader === true)).toBe(true);
    child.send('close');
    expect(await child.exited).toBe(0);
  });

  it('lets the kernel pick a name, and close() removes the interface and lets the process exit', async () => {
    const { netns, child, name } = await echoChildInNetns([]);
    expect(name).toMatch(/^tun\d+$/);
    child.send('close');
    // Nothing but the TUN kept the child alive: exiting on its own proves close() released the poll handle.
    expect(await child.exited).toBe(0);
    await expect(run(['ip', '-n', netns, 'link', 'show', 'dev', name])).rejects.toThrow(/does not exist/);
  });

  it('keeps a persistent interface when its process is killed, and a clean close still removes it', async () => {
    const killed = await echoChildInNetns(['--name', 'wgtkept0', '--persist']);
    killed.child.kill();
    await killed.child.exited;
    // Nobody holds it now, yet it stays, with its address: routes through it keep blackholing traffic.
    expect(await run(['ip', '-n', killed.netns, '-j', 'address', 'show', 'dev', 'wgtkept0'])).toContain('100.64.0.1');

    const closed = await echoChildInNetns(['--name', 'wgtgone0', '--persist']);
    closed.child.send('close');
    expect(await closed.child.exited).toBe(0);
    await expect(run(['ip', '-n', closed.netns, 'link', 'show', 'dev', 'wgtgone0'])).rejects.toThrow(/does not exist/);
  });

  it('refuses a name another open TUN holds, with reason name-in-use', async () => {
    const { child } = await echoChildInNetns(['--name', 'wgtbusy0']);
    child.send('open-again');
    expect((await child.next('second-open')).reason).toBe('name-in-use');
    child.send('close');
    expect(await child.exited).toBe(0);
  });
});
