/**
 * The benchmark's network, built fresh for every variant and deleted after it:
 *
 *   client ns ── veth 198.18.1.0/30 ── edge ns (forwards) ── veth 198.18.2.0/30 ── server ns
 *
 * The tunnels run between the client and the edge namespace; iperf3 and ping go from the client to
 * SERVER_IP, whose network the variant routes into its tunnel. The server routes all of
 * 198.18.0.0/15 (the RFC 2544 benchmarking range, tunnel addresses included) back to the edge, so
 * no variant needs NAT (Waygate's edge NATs its own pool anyway). The root namespace is never touched.
 */
import { existsSync } from 'node:fs';
import { createNetns, deleteAllNetns, inNetns, run } from '../../test/support/netns.js';

export const CLIENT_IP = '198.18.1.1';
export const EDGE_CLIENT_SIDE = '198.18.1.2';
export const EDGE_SERVER_SIDE = '198.18.2.1';
export const SERVER_IP = '198.18.2.2';
export const SERVER_NET = '198.18.2.0/24';

export interface Topology {
  readonly client: string;
  readonly edge: string;
  readonly server: string;
}

const created: string[] = [];

export async function createTopology(): Promise<Topology> {
  const topology = { client: '', edge: '', server: '' };
  for (const role of ['client', 'edge', 'server'] as const) {
    topology[role] = await createNetns();
    created.push(topology[role]);
  }
  const { client, edge, server } = topology;
  await run(['ip', '-n', client, 'link', 'add', 'tbc0', 'type', 'veth', 'peer', 'name', 'tbe0', 'netns', edge]);
  await run(['ip', '-n', edge, 'link', 'add', 'tbe1', 'type', 'veth', 'peer', 'name', 'tbs0', 'netns', server]);
  for (const [netns, dev, address] of [
    [client, 'tbc0', `${CLIENT_IP}/30`],
    [edge, 'tbe0', `${EDGE_CLIENT_SIDE}/30`],
    [edge, 'tbe1', `${EDGE_SERVER_SIDE}/30`],
    [server, 'tbs0', `${SERVER_IP}/30`],
  ] as const) {
    await run(['ip', '-n', netns, 'address', 'add', address, 'dev', dev]);
    await run(['ip', '-n', netns, 'link', 'set', dev, 'up']);
  }
  await inNetns(edge, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
  await run(['ip', '-n', server, 'route', 'add', '198.18.0.0/15', 'via', EDGE_SERVER_SIDE]);
  return topology;
}

/**
 * Deletes the namespaces (their interfaces go with them); the processes in them must be stopped
 * first. A namespace that will not go is reported, not silently left behind.
 */
export async function deleteTopology(): Promise<void> {
  for (const name of created.splice(0)) {
    await run(['ip', 'netns', 'delete', name]).catch((error: unknown) => {
      if (existsSync(`/run/netns/${name}`)) console.error(`Could not delete network namespace ${name}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
  await deleteAllNetns();
}
