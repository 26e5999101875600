/**
 * The edge's Prometheus metrics, served at `/metrics`. One registry per edge (not prom-client's
 * global one), so tests can run several edges in one process. Label values come from small fixed
 * sets (kinds, actions, codes), never from hosts or devices: a label per destination would grow
 * without bound on a proxy.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type RequestKind = 'http' | 'connect';
export type TunnelKind = 'connect' | 'packet';
export type Direction = 'up' | 'down';

export interface EdgeMetrics {
  readonly registry: Registry;
  /** One per proxied request or CONNECT, when it ends; `status` is the code the client got. */
  request(kind: RequestKind, action: 'allow' | 'block', status: number, durationSeconds: number): void;
  bytes(direction: Direction, count: number): void;
  authFailure(reason: string): void;
  block(code: string): void;
  tunnelOpened(kind: TunnelKind): void;
  tunnelClosed(kind: TunnelKind): void;
  /** Packets relayed by the packet tunnel; `up` is device → internet. */
  packets(direction: Direction, count: number): void;
  /** A packet the tunnel did not forward, by why (`policy`, `spoofed-source`, `malformed`, `no-session`, `tun-full`). */
  packetDropped(reason: string): void;
}

/** Request latency buckets: a proxy hop is sub-millisecond; a slow origin takes seconds. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createEdgeMetrics(options: { processMetrics?: boolean } = {}): EdgeMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'waygate_edge_' });
  const registers = [registry];
  const requests = new Counter({
    name: 'waygate_edge_requests_total',
    help: 'Proxied HTTP requests and CONNECT tunnels, by kind, action and status class.',
    labelNames: ['kind', 'action', 'status'] as const,
    registers,
  });
  const latency = new Histogram({
    name: 'waygate_edge_request_duration_seconds',
    help: 'From request arrival to its end (CONNECT: to the tunnel closing).',
    labelNames: ['kind'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const bytes = new Counter({ name: 'waygate_edge_bytes_total', help: 'Bytes relayed, up (device to destination) and down.', labelNames: ['direction'] as const, registers });
  const authFailures = new Counter({ name: 'waygate_edge_auth_failures_total', help: 'Requests and tunnels refused for their credentials, by reason.', labelNames: ['reason'] as const, registers });
  const blocks = new Counter({ name: 'waygate_edge_blocks_total', help: 'Requests refused by policy or the destination guard, by code.', labelNames: ['code'] as const, registers });
  const tunnels = new Gauge({ name: 'waygate_edge_active_tunnels', help: 'Open CONNECT tunnels and packet-tunnel sessions.', labelNames: ['kind'] as const, registers });
  const packets = new Counter({ name: 'waygate_edge_tunnel_packets_total', help: 'IP packets relayed by packet tunnels.', labelNames: ['direction'] as const, registers });
  const drops = new Counter({ name: 'waygate_edge_tunnel_packet_drops_total', help: 'IP packets the packet tunnel dropped, by reason.', labelNames: ['reason'] as const, registers });
  // Every label combination that exists from the start, so a scrape shows zeros rather than nothing.
  for (const kind of ['connect', 'packet'] as const) tunnels.set({ kind }, 0);
  for (const direction of ['up', 'down'] as const) {
    bytes.inc({ direction }, 0);
    packets.inc({ direction }, 0);
  }

  // Label children resolved once: looking labels up on every request costs a hash per call.
  const requestChildren = new Map<string, Counter.Internal>();
  const latencyChildren = { http: latency.labels({ kind: 'http' }), connect: latency.labels({ kind: 'connect' }) };
  const bytesChildren = { up: bytes.labels({ direction: 'up' }), down: bytes.labels({ direction: 'down' }) };

  return {
    registry,
    request(kind, action, status, durationSeconds) {
      const statusClass = `${Math.floor(status / 100)}xx`;
      const key = `${kind} ${action} ${statusClass}`;
      let child = requestChildren.get(key);
      if (child === undefined) {
        child = requests.labels({ kind, action, status: statusClass });
        requestChildren.set(key, child);
      }
      child.inc();
      latencyChildren[kind].observe(durationSeconds);
    },
    bytes: (direction, count) => {
      if (count > 0) bytesChildren[direction].inc(count);
    },
    authFailure: (reason) => authFailures.inc({ reason }),
    block: (code) => blocks.inc({ code }),
    tunnelOpened: (kind) => tunnels.inc({ kind }),
    tunnelClosed: (kind) => tunnels.dec({ kind }),
    packets: (direction, count) => packets.inc({ direction }, count),
    packetDropped: (reason) => drops.inc({ reason }),
  };
}
