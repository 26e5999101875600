/**
 * One way of carrying the client's traffic to the server, started on a fresh topology. `start`
 * returns once traffic to SERVER_NET goes through it (or throws saying what is missing), and
 * `stop` ends every process it started, by PID.
 */
import type { TunnelProcess } from './measure.js';
import type { Topology } from './topology.js';

export interface RunningTunnel {
  /** The processes whose CPU is the tunnel's (none for plain routing: that is the kernel's). */
  readonly processes: readonly TunnelProcess[];
  /** What it negotiated or runs with (cipher, offload, MTU), for the results. */
  readonly notes: readonly string[];
  /** Its own counters after the measurements, when it has any. */
  stats?(): Promise<Record<string, unknown>>;
  /** The end of its processes' output, to explain a failed measurement. */
  diagnose?(): string;
  stop(): Promise<void>;
}

export interface Variant {
  readonly name: string;
  start(topology: Topology, dir: string): Promise<RunningTunnel>;
}
