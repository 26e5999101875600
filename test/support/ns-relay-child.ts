/**
 * Runs inside a test's network namespace and makes services of the root namespace reachable there
 * without touching the root namespace's interfaces: each `--map LISTEN=SOCKET[@DELAY]` listens on
 * TCP `host:port` inside the namespace and pipes every connection to the Unix socket `SOCKET`
 * (path-based Unix sockets are not bound to a network namespace), where ns-bridge.ts forwards to the
 * real service. `@DELAY` adds that many milliseconds to every chunk in both directions (this kernel
 * has no netem), keeping their order.
 *
 *   argv:   --map 127.0.0.1:8400=/tmp/x/portal.sock --map 0.0.0.0:8443=/tmp/x/beacon.sock@40
 *   stdout: {event:'listening', maps:[…]}
 */
import { createConnection, createServer, type Socket } from 'node:net';
import { Transform } from 'node:stream';
import { parseArgs } from 'node:util';

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** Passes chunks on `delayMs` after they arrive, in order. */
function delayed(delayMs: number): Transform {
  let last = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const at = Math.max(Date.now() + delayMs, last);
      last = at;
      setTimeout(() => {
        this.push(chunk);
      }, at - Date.now());
      done();
    },
  });
}

function pipeBoth(client: Socket, upstream: Socket, delayMs: number): void {
  const fail = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', fail);
  upstream.on('error', fail);
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
  if (delayMs > 0) {
    client.pipe(delayed(delayMs)).pipe(upstream);
    upstream.pipe(delayed(delayMs)).pipe(client);
  } else {
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

const { values } = parseArgs({ options: { map: { type: 'string', multiple: true } } });
const maps = (values.map ?? []).map((spec) => {
  const [listen = '', target = ''] = spec.split('=');
  const [socketPath = '', delay = '0'] = target.split('@');
  const colon = listen.lastIndexOf(':');
  return { host: listen.slice(0, colon), port: Number(listen.slice(colon + 1)), socketPath, delayMs: Number(delay) };
});

await Promise.all(
  maps.map(
    (map) =>
      new Promise<void>((resolve, reject) => {
        const server = createServer((client) => pipeBoth(client, createConnection(map.socketPath), map.delayMs));
        server.once('error', reject);
        server.listen(map.port, map.host, () => resolve());
      }),
  ),
);
emit({ event: 'listening', maps });
