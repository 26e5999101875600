/**
 * The floor for a forward proxy built on node:http, for the edge-proxy benchmark: absolute-form GET
 * passed to the origin over a keep-alive agent, answer piped back. No authentication, policy,
 * hop-by-hop filtering, logging or metrics: what the edge costs beyond this is the edge's own work.
 *
 * Prints `{"port":N}` on one stdout line once it listens; exits on SIGTERM or when stdin closes.
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exitWithParent } from './ts-child.js';

const agent = new Agent({ keepAlive: true, maxFreeSockets: 64 });
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '');
  const upstream = request({ agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: req.method, headers: req.headers }, (upRes) => {
    res.writeHead(upRes.statusCode ?? 502, upRes.headers);
    upRes.pipe(res);
  });
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
});

await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
exitWithParent(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  agent.destroy();
});
console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
