import { afterAll, describe, expect, it } from 'vitest';
import { nftTableName } from '../../../platform/netconfig.js';
import { createNetns, deleteAllNetns, inNetns, NetnsChild, netnsBlocker, run } from '../../support/netns.js';

const blocker = netnsBlocker(['ip', 'nft']);

const TUN = 'wgtedge0';
const TABLE = nftTableName(TUN);

function ipForward(netns: string): Promise<string> {
  return inNetns(netns, ['cat', '/proc/sys/net/ipv4/ip_forward']).then((text) => text.trim());
}

function nftTables(netns: string): Promise<string> {
  return inNetns(netns, ['nft', 'list', 'tables']);
}

describe.skipIf(blocker !== null)('edge network on Linux (root, inside throwaway network namespaces)', () => {
  afterAll(deleteAllNetns);

  it('brings the TUN up, forwards, installs NAT and MSS clamping in its own table, and remove() undoes it all', async () => {
    const netns = await createNetns();
    const forwardingBefore = await ipForward(netns);
    const child = new NetnsChild(netns, 'edge-network-child.ts', ['--name', TUN, '--address', '100.64.0.1/10', '--mtu', '1380']);
    expect((await child.next('applied')).firewall).toBe('nftables');

    const link = await run(['ip', '-n', netns, 'address', 'show', 'dev', TUN]);
    expect(link).toMatch(/<[^>]*\bUP\b[^>]*> mtu 1380 /);
    expect(link).toContain('inet 100.64.0.1/10 ');
    expect(await ipForward(netns)).toBe('1');
    expect(await nftTables(netns)).toBe(`table ip ${TABLE}\n`);
    const table = await inNetns(netns, ['nft', 'list', 'table', 'ip', TABLE]);
    expect(table).toContain(`ip saddr 100.64.0.0/10 oifname != "${TUN}" masquerade`);
    expect(table).toContain(`iifname "${TUN}" tcp flags syn / syn,rst tcp option maxseg size set rt mtu`);

    child.send('remove');
    await child.next('removed');
    expect(await child.exited).toBe(0);
    expect(await nftTables(netns)).toBe('');
    expect(await ipForward(netns)).toBe(forwardingBefore);
  });

  it("replaces a crashed edge's leftover table instead of failing or doubling the rules", async () => {
    const netns = await createNetns();
    const crashed = new NetnsChild(netns, 'edge-network-child.ts', ['--name', TUN]);
    await crashed.next('applied');
    crashed.kill();
    await crashed.exited;
    expect(await nftTables(netns)).toBe(`table ip ${TABLE}\n`);

    const restarted = new NetnsChild(netns, 'edge-network-child.ts', ['--name', TUN]);
    await restarted.next('applied');
    const table = await inNetns(netns, ['nft', 'list', 'table', 'ip', TABLE]);
    expect(table.match(/masquerade/g)).toHaveLength(1);

    restarted.send('remove');
    await restarted.next('removed');
    expect(await nftTables(netns)).toBe('');
  });
});
