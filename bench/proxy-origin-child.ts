/**
 * The origin behind the proxies in the edge-proxy benchmark, in its own process: an HTTP server
 * answering every request with 100 bytes (keep-alive), and a raw TCP source that writes BYTES zero
 * bytes to each connection and closes it (the CONNECT download). `GET /stats` counts the HTTP
 * connections and requests so far, to show whether a proxy reuses its upstream connections.
 *
 * Usage: node --import tsx bench/proxy-origin-child.ts BYTES. Prints
 * `{"httpPort":N,"rawPort":N}` once both listen.
 */
import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { exitWithParent } from './ts-child.js';

const BYTES = Number(process.argv[2] ?? 1024 ** 3);
const BODY = Buffer.alloc(100, 'x');
const ZEROS = Buffer.alloc(1024 * 1024);

let connections = 0;
let requests = 0;
const http = createServer((req, res) => {
  if (req.url === '/stats') {
    res.setHeader('content-type', 'application/json').end(JSON.stringify({ connections, requests }));
    return;
  }
  requests++;
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length }).end(BODY);
});
http.keepAliveTimeout = 60_000;
http.on('connection', () => connections++);

function drainedOrClosed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done).off('close', done);
      resolve();
    };
    socket.on('drain', done).on('close', done);
  });
}

async function stream(socket: Socket): Promise<void> {
  socket.on('error', () => socket.destroy());
  for (let left = BYTES; left > 0 && !socket.destroyed; left -= ZEROS.length) {
    const chunk = left >= ZEROS.length ? ZEROS : ZEROS.subarray(0, left);
    if (!socket.write(chunk)) await drainedOrClosed(socket);
  }
  socket.end();
}
const raw = createTcpServer((socket) => void stream(socket));

await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
exitWithParent(async () => {
  http.closeAllConnections();
  await Promise.all([new Promise((resolve) => http.close(resolve)), new Promise((resolve) => raw.close(resolve))]);
});
console.log(JSON.stringify({ httpPort: (http.address() as AddressInfo).port, rawPort: (raw.address() as AddressInfo).port }));
