/**
 * Starts the Waygate device for the benchmark: the service's TUN and relay (host/tunnel/relay.ts) in
 * relay-device-child.ts. Before it resolves, a tunnel is up to `edgeUrl` and SERVER_NET is routed
 * through it in `netns`.
 */
import { join } from 'node:path';
import { nextEvent, tsNode } from './json-lines.js';
import { spawnInNetns } from './processes.js';
import type { TunnelProcess } from './measure.js';
import { REPO_ROOT } from './waygate-edge.js';

export interface WaygateDeviceOptions {
  readonly netns: string;
  readonly edgeUrl: string;
  readonly token: string;
  /** The CIDR to route through the tunnel. */
  readonly route: string;
  /** PEM file of the CA that signed the edge's certificate (wss), trusted through NODE_EXTRA_CA_CERTS. */
  readonly caCert: string | null;
}

export interface WaygateDevice {
  readonly processes: readonly TunnelProcess[];
  /** The offload mode the edge agreed to, null for plain packets. */
  readonly offload: string | null;
  readonly tun: string;
  /** What it printed so far, to explain a failure. */
  output(): string;
  stop(): Promise<void>;
}

export async function startWaygateDevice(options: WaygateDeviceOptions): Promise<WaygateDevice> {
  const script = join(REPO_ROOT, 'bench', 'tunnel', 'relay-device-child.ts');
  const env = options.caCert === null ? {} : { NODE_EXTRA_CA_CERTS: options.caCert };
  const proc = spawnInNetns('waygate device', options.netns, [...tsNode(script), '--url', options.edgeUrl, '--token', options.token, '--route', options.route], {
    cwd: REPO_ROOT,
    env,
  });
  try {
    const ready = await nextEvent(proc, 'ready');
    return {
      processes: [{ role: 'waygate device', pid: proc.pid }],
      offload: typeof ready.offload === 'string' ? ready.offload : null,
      tun: String(ready.tun),
      output: () => proc.output(),
      async stop() {
        proc.send('close');
        await Promise.race([proc.exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
        await proc.stop();
      },
    };
  } catch (error) {
    await proc.stop();
    throw error;
  }
}
