/**
 * Runs inside a test's network namespace (`ip netns exec NS node --import tsx tun-echo-child.ts`):
 * opens a TUN through platform/tun.ts and answers every ICMP echo request it reads by writing the
 * reply back. Talks to the test in JSON lines: events on stdout, commands on stdin.
 *
 *   argv: `--offload` asks for IFF_VNET_HDR; `--name NAME` picks the interface name; `--persist`
 *         keeps the interface when the process dies without closing it.
 *   stdout: {event:'ready', name, offload} | {event:'echoed', sequence, virtioHeader} |
 *           {event:'open-failed', reason, message} | {event:'second-open', reason}
 *   stdin:  'open-again' tries to open a second TUN with the same name; 'close' closes the device,
 *           and then nothing is left to keep the process alive: it must exit on its own.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { VIRTIO_NET_HDR_BYTES } from '../../protocol/tunnel.js';
import { openTun, TunOpenError, type TunDevice } from '../../platform/tun.js';
import { echoReplyTo, parseEchoRequest } from './icmp-echo.js';

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

const { values } = parseArgs({ options: { offload: { type: 'boolean', default: false }, name: { type: 'string' }, persist: { type: 'boolean', default: false } } });

let tun: TunDevice;
try {
  tun = await openTun({ name: values.name, offload: values.offload, persist: values.persist });
} catch (error) {
  if (!(error instanceof TunOpenError)) throw error;
  emit({ event: 'open-failed', reason: error.reason, message: error.message });
  process.exit(1);
}

const headerBytes = tun.offload ? VIRTIO_NET_HDR_BYTES : 0;

tun.start((packets) => {
  for (const packet of packets) {
    const ip = packet.subarray(headerBytes);
    const request = parseEchoRequest(ip);
    if (request === null) continue;
    // With offload the kernel's header comes first; an all-zero one (no GSO, checksum done) suits the reply.
    const reply = echoReplyTo(ip);
    tun.write(headerBytes === 0 ? reply : Buffer.concat([Buffer.alloc(headerBytes), reply]));
    emit({ event: 'echoed', sequence: request.sequence, virtioHeader: headerBytes > 0 && packet[0] !== 0x45 && ip[0] === 0x45 });
  }
});

emit({ event: 'ready', name: tun.name, offload: tun.offload });

const commands = createInterface({ input: process.stdin });
commands.on('line', (line) => {
  if (line === 'close') {
    tun.close();
    commands.close();
    process.stdin.destroy();
  } else if (line === 'open-again') {
    openTun({ name: tun.name, offload: false }).then(
      (second) => {
        second.close();
        emit({ event: 'second-open', reason: null });
      },
      (error: unknown) => emit({ event: 'second-open', reason: error instanceof TunOpenError ? error.reason : String(error) }),
    );
  }
});
