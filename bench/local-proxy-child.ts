/**
 * The local proxy the local-proxy benchmark measures, in its own process (as in the service): a PAC
 * sending everything to the edge's plain loopback listener, the edge token given on the command
 * line. Usage: node --import tsx bench/local-proxy-child.ts EDGE_PORT TOKEN. Prints `{"port":N}`.
 */
import { pino } from 'pino';
import { startLocalProxy } from '../host/proxy/local-proxy.js';
import { exitWithParent } from './ts-child.js';

const [edgePort, token] = process.argv.slice(2);
if (edgePort === undefined || token === undefined) throw new Error('usage: local-proxy-child.ts EDGE_PORT TOKEN');
const pac = `function FindProxyForURL(url, host) {
  if (isPlainHostName(host) || dnsDomainIs(host, ".intranet.test")) return "DIRECT";
  return "PROXY 127.0.0.1:${edgePort}";
}`;
const proxy = await startLocalProxy({
  port: 0,
  pac: () => pac,
  failOpen: () => false,
  token: () => token,
  logger: pino({ level: 'warn' }, pino.destination(2)),
  resolve: () => Promise.resolve(null),
});
exitWithParent(() => proxy.close());
console.log(JSON.stringify({ port: proxy.port }));
