/**
 * What the edge's composition root gives the packet-tunnel endpoint, and the defaults for what it
 * leaves out. Resolved once at attach time; a setting that could not make a valid `assign` throws
 * there rather than failing every device later.
 */
import type { TunDevice } from '../../../platform/tun.js';
import { parseCidr, type Cidr } from '../../../protocol/ip.js';
import type { DestinationRules } from '../policy/decide-destination.js';
import type { VerifyToken } from '../proxy/authenticate.js';
import type { EdgeMetrics } from '../metrics.js';

/** The part of a pino logger the endpoint uses. */
export interface TunnelLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Time, injectable so tests step through keepalives and timeouts without waiting. */
export interface TunnelClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}

export interface TunnelEndpointOptions {
  readonly verify: VerifyToken;
  /** Read for every flow the session has not decided yet: swap the rules, then call `updateRules()`. */
  readonly rules: () => DestinationRules;
  /** The one TUN all sessions share; the endpoint reads it from attach to shutdown, its owner closes it. */
  readonly tun: TunDevice;
  readonly metrics: EdgeMetrics;
  readonly logger: TunnelLogger;
  /** Addresses the endpoint may hand out; inside 100.64.0.0/10. Default 100.64.0.0/10. */
  readonly pool?: Cidr;
  /** DNS servers sent to devices. Default none (the device keeps its own). */
  readonly dns?: readonly string[];
  /** Default 1420: a 1500-byte uplink minus the WebSocket, TLS, TCP and IP overhead. */
  readonly mtu?: number;
  /** Routes sent to devices. Default everything: 0.0.0.0/0, nothing excluded. */
  readonly routes?: { readonly include: readonly string[]; readonly exclude: readonly string[] };
  /** Default 25. */
  readonly keepaliveSeconds?: number;
  /** Default 300. */
  readonly idleTimeoutSeconds?: number;
  /** How long a new connection has to send its hello. Default 5. */
  readonly helloTimeoutSeconds?: number;
  /** The largest frame accepted from a device, also the WebSocket maxPayload. Default 4 MiB. */
  readonly maxBatchBytes?: number;
  /** Devices connected at once. Default 10 000. */
  readonly maxSessions?: number;
  /** Flows whose policy verdict each session remembers. Default 4096. */
  readonly flowCacheSize?: number;
  /** How long shutdown waits for devices to acknowledge the close before cutting them. Default 5000. */
  readonly shutdownGraceMs?: number;
  readonly clock?: TunnelClock;
}

export type ResolvedTunnelOptions = Required<Omit<TunnelEndpointOptions, 'pool'>> & { readonly pool: Cidr };

/** How often deadlines (hello, keepalive, idle, token expiry) are checked: one timer for all sessions. */
export const SWEEP_MS = 1000;

const systemClock: TunnelClock = {
  now: () => Date.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

function defaultPool(): Cidr {
  const parsed = parseCidr('100.64.0.0/10');
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.cidr;
}

export function resolveOptions(options: TunnelEndpointOptions): ResolvedTunnelOptions {
  return {
    ...options,
    pool: options.pool ?? defaultPool(),
    dns: options.dns ?? [],
    mtu: options.mtu ?? 1420,
    routes: options.routes ?? { include: ['0.0.0.0/0'], exclude: [] },
    keepaliveSeconds: options.keepaliveSeconds ?? 25,
    idleTimeoutSeconds: options.idleTimeoutSeconds ?? 300,
    helloTimeoutSeconds: options.helloTimeoutSeconds ?? 5,
    maxBatchBytes: options.maxBatchBytes ?? 4 * 1024 * 1024,
    maxSessions: options.maxSessions ?? 10_000,
    flowCacheSize: options.flowCacheSize ?? 4096,
    shutdownGraceMs: options.shutdownGraceMs ?? 5000,
    clock: options.clock ?? systemClock,
  };
}
