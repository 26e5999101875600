/**
 * A packet-tunnel endpoint for integration tests: a real http.Server on 127.0.0.1, the fake TUN in
 * the kernel's place, a manual clock, edge tokens signed with a key made here, and helpers to read
 * metrics and wait for TUN writes. Each test file calls `stopEdges` in afterEach.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { verifyEdgeToken } from '../../cloud/edge/auth/verify-token.js';
import { createEdgeMetrics, type EdgeMetrics } from '../../cloud/edge/metrics.js';
import type { DestinationRules } from '../../cloud/edge/policy/decide-destination.js';
import { attachTunnelEndpoint, type TunnelEndpoint, type TunnelEndpointOptions } from '../../cloud/edge/tunnel/endpoint.js';
import { createFakeTun, type FakeTun } from '../../platform/tun.fake.js';
import { ISSUER, keySource, makeKey, NOW, type TestKey } from '../unit/cloud/edge/auth/edge-keys.js';
import { patternBytes, udpPacket } from './packets.js';
import { openTunnel, type TunnelClient } from './tunnel-client.js';

/** The portal's signing key for every edge the harness starts: made once, on first use. */
const portalKey: Promise<TestKey> = makeKey();

/** A token for `device`, signed the way the portal signs them; `forgedWith` signs it with another key under the portal's key id. */
export async function tokenFor(device: string, opts: { ttl?: number; groups?: string[]; forgedWith?: TestKey } = {}): Promise<string> {
  const key = await portalKey;
  const iat = Math.floor(NOW / 1000);
  return new SignJWT({ org: 'org-1', user: `${device}@example.test`, groups: opts.groups ?? ['staff'] })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setSubject(device)
    .setAudience('waygate-edge')
    .setIssuedAt(iat)
    .setExpirationTime(iat + (opts.ttl ?? 3600))
    .sign((opts.forgedWith ?? key).privateKey);
}

export const PUBLIC = '93.184.215.14';
export const BLOCKED_NET = '203.0.113.0/24';

export function rulesBlocking(cidr: string): DestinationRules {
  return { access: { defaultAction: 'allow', rules: [{ id: 'no-lab', action: 'block', users: [], groups: [], domains: [], cidrs: [cidr], ports: [] }] }, edgeOwnCidrs: [] };
}

/** A clock the test moves: `advance` steps time and runs the endpoint's sweep, as its timer would. */
function manualClock() {
  let now = NOW;
  const ticks: (() => void)[] = [];
  return {
    clock: {
      now: () => now,
      every(_ms: number, tick: () => void) {
        ticks.push(tick);
        return () => ticks.splice(ticks.indexOf(tick), 1);
      },
    },
    advance: (ms: number) => {
      now += ms;
      for (const tick of [...ticks]) tick();
    },
  };
}

export interface Edge {
  url: string;
  tun: FakeTun;
  endpoint: TunnelEndpoint;
  metrics: EdgeMetrics;
  logs: { fields: Record<string, unknown>; message: string }[];
  advance(ms: number): void;
  setRules(rules: DestinationRules): void;
}

const running: { server: Server; endpoint: TunnelEndpoint }[] = [];

/** Shuts down every edge started since the last call; each test file runs it in afterEach. */
export async function stopEdges(): Promise<void> {
  for (const { server, endpoint } of running.splice(0)) {
    await endpoint.shutdown();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

export async function startEdge(overrides: Partial<TunnelEndpointOptions> & { offload?: boolean } = {}): Promise<Edge> {
  const tun = createFakeTun({ offload: overrides.offload ?? false });
  const metrics = createEdgeMetrics({ processMetrics: false });
  const logs: Edge['logs'] = [];
  const log = (fields: Record<string, unknown>, message: string) => logs.push({ fields, message });
  const time = manualClock();
  let rules: DestinationRules = rulesBlocking(BLOCKED_NET);
  const server = createServer();
  const endpoint = attachTunnelEndpoint(server, {
    verify: async (token) => verifyEdgeToken(token, keySource(await portalKey), { issuer: ISSUER, now: time.clock.now() }),
    rules: () => rules,
    tun: tun.device,
    metrics,
    logger: { info: log, warn: log },
    clock: time.clock,
    ...overrides,
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  running.push({ server, endpoint });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/tunnel/v1`,
    tun,
    endpoint,
    metrics,
    logs,
    advance: time.advance,
    setRules(next) {
      rules = next;
      endpoint.updateRules();
    },
  };
}

export async function connected(edge: Edge, device = 'dev-1', capabilities = {}): Promise<{ client: TunnelClient; address: string }> {
  const client = await openTunnel(edge.url, await tokenFor(device));
  const assign = await client.hello(capabilities);
  return { client, address: assign.address.split('/')[0] ?? '' };
}

export async function counter(metrics: EdgeMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  const found = metric?.values.find((value) => Object.entries(labels).every(([k, v]) => value.labels[k] === v));
  return found?.value ?? 0;
}

export const drops = (edge: Edge, reason: string) => counter(edge.metrics, 'waygate_edge_tunnel_packet_drops_total', { reason });

/** Waits until the fake TUN has seen `count` writes in all. */
export async function writes(tun: FakeTun, count: number): Promise<Buffer[]> {
  const iterator = tun.writes();
  while (tun.written.length < count) await iterator.next();
  return [...tun.written];
}

export const udp = (src: string, dst: string, dstPort = 53, payload = patternBytes(32)) => udpPacket({ src, dst }, { srcPort: 40000, dstPort, payload });
