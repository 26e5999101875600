/**
 * The packet tunnel's place in the edge: open the TUN, give it the pool's first address, turn on
 * forwarding with NAT and MSS clamping (platform/netconfig.ts), and attach the `/tunnel/v1` endpoint
 * to one proxy listener — the TLS one when there is one, since devices reach it as wss://.
 * Stop undoes it in reverse, so no NAT rule outlives the edge.
 *
 * Until the edge has a policy, packets meet a rules set that blocks everything (fail-closed).
 */
import { applyEdgeNetwork, type EdgeNetwork } from '../../platform/netconfig.js';
import { openTun, type TunDevice } from '../../platform/tun.js';
import { formatIp, parseCidr } from '../../protocol/ip.js';
import type { EdgeConfig } from './config.js';
import type { EdgeMetrics } from './metrics.js';
import type { DestinationRules } from './policy/decide-destination.js';
import type { PolicySnapshot } from './policy/policy-source.js';
import type { VerifyToken } from './proxy/authenticate.js';
import type { ProxyServer } from './proxy/server.js';
import { attachTunnelEndpoint, type TunnelLogger } from './tunnel/endpoint.js';

export interface PacketTunnel {
  /** Drops cached verdicts and ends the sessions of devices the portal revoked. */
  policyChanged(snapshot: PolicySnapshot): void;
  sessionCount(): number;
  stop(): Promise<void>;
}

export interface PacketTunnelDeps {
  config: Pick<EdgeConfig, 'tunnelPool' | 'tunnelDns' | 'tunnelMtu' | 'tunnelOffload' | 'tunnelInterface'>;
  /** The proxy listeners, plain first, TLS last. */
  servers: readonly ProxyServer[];
  verify: VerifyToken;
  rules: () => DestinationRules | null;
  metrics: EdgeMetrics;
  logger: TunnelLogger;
}

const BLOCK_EVERYTHING: DestinationRules = { access: { defaultAction: 'block', rules: [] }, edgeOwnCidrs: [] };

export async function startPacketTunnel(deps: PacketTunnelDeps): Promise<PacketTunnel> {
  const pool = parseCidr(deps.config.tunnelPool);
  if (!pool.ok) throw new Error(`--tunnel-pool: ${pool.message}`);
  const server = deps.servers.at(-1);
  if (server === undefined) throw new Error('The packet tunnel needs a proxy listener to serve /tunnel/v1 on.');
  const gateway = formatIp({ version: 'ipv4', value: pool.cidr.network + 1n });

  const tun: TunDevice = await openTun({ name: deps.config.tunnelInterface, offload: deps.config.tunnelOffload });
  let network: EdgeNetwork;
  try {
    network = await applyEdgeNetwork({ tunName: tun.name, address: `${gateway}/${pool.cidr.prefix}`, poolCidr: deps.config.tunnelPool, mtu: deps.config.tunnelMtu });
  } catch (err) {
    tun.close();
    throw err;
  }
  const endpoint = attachTunnelEndpoint(server, {
    verify: deps.verify,
    rules: () => deps.rules() ?? BLOCK_EVERYTHING,
    tun,
    metrics: deps.metrics,
    logger: deps.logger,
    pool: pool.cidr,
    dns: deps.config.tunnelDns,
    mtu: deps.config.tunnelMtu,
  });
  deps.logger.info({ interface: tun.name, offload: tun.offload, pool: deps.config.tunnelPool, gateway, firewall: network.firewall }, 'edge: packet tunnel ready');
  return {
    policyChanged(snapshot) {
      endpoint.updateRules();
      for (const device of snapshot.revoked.keys()) endpoint.closeDevice(device);
    },
    sessionCount: () => endpoint.sessions().length,
    async stop() {
      await endpoint.shutdown();
      await network.remove();
      tun.close();
    },
  };
}
