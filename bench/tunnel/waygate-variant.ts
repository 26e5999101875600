/**
 * Waygate's packet tunnel: the edge child (offload TUN, NAT) and the device from waygate.ts, over
 * wss:// or ws://. `txQueueLength` shortens both TUNs' packet rings (500 by default; with offload
 * each slot may hold a 64 KiB super-packet, and the TUN orphans what it queues, so TCP small queues
 * do not bound it): a diagnostic of where the RTT under load comes from, not what Waygate ships.
 */
import { run } from '../../test/support/netns.js';
import type { Certs } from './certs.js';
import { SERVER_NET } from './topology.js';
import type { Variant } from './variant.js';
import { startWaygateDevice } from './waygate.js';
import { startWaygateEdge } from './waygate-edge.js';

export function waygateTunnel(transport: 'wss' | 'ws', certs: Certs, diagnostic: { txQueueLength?: number } = {}): Variant {
  return {
    name: diagnostic.txQueueLength === undefined ? `Waygate (${transport})` : `Waygate (${transport}, TUN txqueuelen ${diagnostic.txQueueLength})`,
    async start({ client, edge }) {
      const { caCert, serverCert, serverKey } = certs;
      const edgeChild = await startWaygateEdge(edge, transport === 'wss' ? { cert: serverCert, key: serverKey } : null);
      try {
        const device = await startWaygateDevice({
          netns: client,
          edgeUrl: edgeChild.url,
          token: await edgeChild.token('bench-device'),
          route: SERVER_NET,
          caCert: transport === 'wss' ? caCert : null,
        });
        const queue = diagnostic.txQueueLength;
        if (queue !== undefined) {
          await run(['ip', '-n', client, 'link', 'set', 'dev', device.tun, 'txqueuelen', String(queue)]);
          await run(['ip', '-n', edge, 'link', 'set', 'dev', edgeChild.tun, 'txqueuelen', String(queue)]);
        }
        return {
          processes: [{ role: 'waygate edge', pid: edgeChild.proc.pid }, ...device.processes],
          notes: [`${edgeChild.url}, edge TUN offload ${edgeChild.offload ? 'on' : 'OFF'}, negotiated ${device.offload ?? 'none (plain packets)'}, MTU 1420, TUN txqueuelen ${diagnostic.txQueueLength ?? 500}`],
          stats: async () => ({
            sessions: await edgeChild.sessions(),
            tunTxDropped: { device: await txDropped(client, device.tun), edge: await txDropped(edge, edgeChild.tun) },
          }),
          diagnose: () => `waygate edge output:\n${edgeChild.proc.output().slice(-1500)}\nwaygate device output:\n${device.output().slice(-1500)}`,
          async stop() {
            await device.stop();
            await edgeChild.stop();
          },
        };
      } catch (error) {
        await edgeChild.stop();
        throw error;
      }
    },
  };
}

/** Packets the kernel dropped because the TUN's ring was full (the reader fell behind). */
async function txDropped(netns: string, dev: string): Promise<number> {
  const text = await run(['ip', '-n', netns, '-s', 'link', 'show', 'dev', dev]);
  const tx = /TX:[^\n]*\n\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(text);
  return Number(tx?.[4] ?? NaN);
}
