/**
 * A minimal device for the root network-namespace test, run in the client namespace: opens its own
 * TUN, connects to the edge with the test client, configures the assigned address and a route for
 * the server's network through the TUN, and relays packets both ways. JSON lines on stdout.
 *
 *   argv:   `--url URL`, `--token TOKEN`, `--route CIDR`; `--offload` opens the TUN with
 *           IFF_VNET_HDR and offers virtio-net-v1 to the edge.
 *   stdout: {event:'ready', address, offload, tun} | {event:'closed', code}
 *   stdin:  'close' closes the tunnel and the TUN and lets the process exit.
 */
import { execFile } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs, promisify } from 'node:util';
import { openTun } from '../../platform/tun.js';
import { toPlainPackets, withPlainVirtioHeader } from '../../protocol/virtio-segment.js';
import { openTunnel } from './tunnel-client.js';

const run = promisify(execFile);

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

const { values } = parseArgs({
  options: { url: { type: 'string' }, token: { type: 'string' }, route: { type: 'string' }, offload: { type: 'boolean', default: false } },
});

const tun = await openTun({ offload: values.offload });
const client = await openTunnel(values.url ?? '', values.token ?? '');
const assign = await client.hello({ offload: tun.offload ? ['virtio-net-v1'] : [], maxBatchBytes: 4 * 1024 * 1024 });
await run('ip', ['address', 'add', assign.address, 'dev', tun.name]);
await run('ip', ['link', 'set', 'dev', tun.name, 'mtu', String(assign.mtu), 'up']);
await run('ip', ['route', 'add', values.route ?? '', 'via', assign.gateway, 'dev', tun.name]);

// An offload TUN talking to an edge that chose plain packets converts at this end, as the edge does at its own.
const convert = tun.offload && assign.offload === null;
tun.start((packets) => {
  const carried = convert ? packets.flatMap((packet) => {
    const plain = toPlainPackets(packet);
    return 'error' in plain ? [] : plain;
  }) : packets;
  if (carried.length > 0) client.sendPackets(carried);
});
void (async () => {
  for (;;) {
    const batch = await client.nextBatch().catch(() => null);
    if (batch === null) return;
    for (const packet of batch) tun.write(convert ? withPlainVirtioHeader(packet) : packet);
  }
})();
void client.closed.then(({ code }) => emit({ event: 'closed', code }));

emit({ event: 'ready', address: assign.address, offload: assign.offload, tun: tun.name });

const commands = createInterface({ input: process.stdin });
commands.on('line', (line) => {
  if (line !== 'close') return;
  commands.close();
  process.stdin.destroy();
  void client.close().then(() => tun.close());
});
