import { describe, expect, it } from 'vitest';
import {
  checkEdgeNetworkOptions,
  firewallCommands,
  iptablesChainNames,
  iptablesCommands,
  linkCommands,
  nftablesCommands,
  nftTableName,
  type EdgeNetworkOptions,
} from '../../../platform/netconfig.js';
import { createFakeEdgeNetwork } from '../../../platform/netconfig.fake.js';

const options: EdgeNetworkOptions = { tunName: 'wg-edge.0', address: '100.64.0.1/10', poolCidr: '100.64.0.0/10', mtu: 1400 };

describe('edge network options', () => {
  it('accepts a TUN name, an interface address, an IPv4 pool and an MTU', () => {
    expect(() => checkEdgeNetworkOptions(options)).not.toThrow();
  });

  it.each([
    [{ tunName: 'tun0; nft flush ruleset' }, /TUN name/],
    [{ tunName: 'a-name-of-16-chr' }, /TUN name/],
    [{ address: '100.64.0.1' }, /address "100.64.0.1"/],
    [{ poolCidr: '100.64.0.1/10' }, /did you mean 100.64.0.0\/10/],
    [{ poolCidr: 'fd00::/8' }, /must be IPv4/],
    [{ mtu: 40 }, /MTU 40/],
    [{ mtu: 1400.5 }, /MTU 1400.5/],
  ])('refuses %o, saying which option is wrong', (change, message) => {
    expect(() => checkEdgeNetworkOptions({ ...options, ...change })).toThrow(message);
  });
});

describe('link commands', () => {
  it('sets the address idempotently, then the MTU and the link up', () => {
    expect(linkCommands(options).setup).toEqual([
      { argv: ['ip', 'address', 'replace', '100.64.0.1/10', 'dev', 'wg-edge.0'] },
      { argv: ['ip', 'link', 'set', 'dev', 'wg-edge.0', 'mtu', '1400', 'up'] },
    ]);
  });

  it('undoes them tolerating a TUN that is already gone', () => {
    const { remove } = linkCommands(options);
    expect(remove.map((command) => command.argv.join(' '))).toEqual([
      'ip link set dev wg-edge.0 down',
      'ip address delete 100.64.0.1/10 dev wg-edge.0',
    ]);
    expect(remove.every((command) => command.mayFail)).toBe(true);
  });
});

describe('nftables commands', () => {
  const plan = nftablesCommands(options);
  const script = plan.setup[0]?.stdin ?? '';

  it('names one table after the TUN, in the characters nft identifiers allow', () => {
    expect(nftTableName('wg-edge.0')).toBe('waygate_edge_wg_edge_0');
  });

  it('replaces a leftover table in one transaction fed to nft on stdin', () => {
    expect(plan.setup).toHaveLength(1);
    expect(plan.setup[0]?.argv).toEqual(['nft', '-f', '-']);
    const lines = script.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'add table ip waygate_edge_wg_edge_0',
      'delete table ip waygate_edge_wg_edge_0',
      'table ip waygate_edge_wg_edge_0 {',
    ]);
  });

  it('masquerades the pool leaving through any interface but the TUN', () => {
    expect(script).toContain('type nat hook postrouting priority srcnat; policy accept;');
    expect(script).toContain('ip saddr 100.64.0.0/10 oifname != "wg-edge.0" masquerade');
  });

  it('clamps the MSS of SYNs forwarded into and out of the TUN to the route MTU', () => {
    expect(script).toContain('type filter hook forward priority mangle; policy accept;');
    expect(script).toContain('iifname "wg-edge.0" tcp flags & (syn | rst) == syn tcp option maxseg size set rt mtu');
    expect(script).toContain('oifname "wg-edge.0" tcp flags & (syn | rst) == syn tcp option maxseg size set rt mtu');
  });

  it('removes exactly its own table', () => {
    expect(plan.remove).toEqual([{ argv: ['nft', 'delete', 'table', 'ip', 'waygate_edge_wg_edge_0'] }]);
  });
});

describe('iptables commands (when nft is missing)', () => {
  const plan = iptablesCommands({ ...options, tunName: 'tun0' });
  const { nat, mss } = iptablesChainNames('tun0');
  const lines = (commands: typeof plan.setup) => commands.map((command) => `${command.mayFail ? '?' : ''}${command.argv.join(' ')}`);

  it('fits the longest TUN name into the 28 characters of a chain name', () => {
    const longest = iptablesChainNames('a'.repeat(15));
    expect(Math.max(longest.nat.length, longest.mss.length)).toBeLessThanOrEqual(28);
  });

  it('clears leftovers (tolerating their absence), then builds dedicated chains entered by one jump each', () => {
    expect(lines(plan.setup)).toEqual([
      `?iptables -w -t nat -D POSTROUTING -j ${nat}`,
      `?iptables -w -t nat -F ${nat}`,
      `?iptables -w -t nat -X ${nat}`,
      `?iptables -w -t mangle -D FORWARD -j ${mss}`,
      `?iptables -w -t mangle -F ${mss}`,
      `?iptables -w -t mangle -X ${mss}`,
      `iptables -w -t nat -N ${nat}`,
      `iptables -w -t nat -A ${nat} -s 100.64.0.0/10 ! -o tun0 -j MASQUERADE`,
      `iptables -w -t nat -A POSTROUTING -j ${nat}`,
      `iptables -w -t mangle -N ${mss}`,
      `iptables -w -t mangle -A ${mss} -i tun0 -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu`,
      `iptables -w -t mangle -A ${mss} -o tun0 -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu`,
      `iptables -w -t mangle -A FORWARD -j ${mss}`,
    ]);
  });

  it('removes the jumps and its own chains, and reports failures doing so', () => {
    expect(lines(plan.remove)).toEqual(lines(plan.setup.slice(0, 6)).map((line) => line.slice(1)));
  });

  it('is what firewallCommands picks for the iptables backend', () => {
    expect(firewallCommands('iptables', { ...options, tunName: 'tun0' })).toEqual(plan);
    expect(firewallCommands('nftables', options)).toEqual(nftablesCommands(options));
  });
});

describe('fake edge network', () => {
  it('remembers what is applied until it is removed', async () => {
    const fake = createFakeEdgeNetwork();
    const network = await fake.apply(options);
    expect(network.firewall).toBe('nftables');
    expect(fake.active.get('wg-edge.0')).toEqual(options);
    await network.remove();
    expect(fake.active.size).toBe(0);
  });

  it('checks options like the real one, and fails on request', async () => {
    const fake = createFakeEdgeNetwork();
    await expect(fake.apply({ ...options, mtu: 0 })).rejects.toThrow(/MTU 0/);
    fake.failNextApply(new Error('nft: Operation not permitted'));
    await expect(fake.apply(options)).rejects.toThrow('Operation not permitted');
    expect(fake.active.size).toBe(0);
    await expect(fake.apply(options)).resolves.toBeDefined();
  });
});
