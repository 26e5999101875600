/**
 * The edge's forward proxy (issue #4): HTTP/1.1 absolute-form requests and CONNECT tunnels, each
 * authenticated by an edge token before anything else, each destination checked by the SSRF guard
 * and dialled only at an address the guard saw. Never an open proxy: there is no path from a request
 * to an upstream socket that skips `authenticate` and `checkDestination`.
 *
 * node:http does the HTTP/1.1 framing (absolute-form targets, keep-alive, the `connect` event).
 * Upgrade requests (WebSocket over plain HTTP) are not proxied: node:http closes them.
 *
 * Lifecycle: `createForwardProxy` → `server.listen` → `shutdownForwardProxy` (stops accepting,
 * lets requests and tunnels in flight finish, then cuts whatever is left after the grace period).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Cidr } from '../../../protocol/ip.js';
import type { AccessLog } from './access-log.js';
import type { VerifyToken } from './authenticate.js';
import { openTunnel } from './connect-tunnel.js';
import type { ProxyContext, ProxyLogger } from './context.js';
import { systemResolve, type Resolve } from './dial.js';
import { forwardHttp } from './http-forward.js';

export interface ForwardProxyOptions {
  verify: VerifyToken;
  /** Defaults to the system resolver (`dns.lookup`, every address). */
  resolve?: Resolve;
  /** Policy exceptions to the SSRF guard. */
  allowCidrs?: readonly Cidr[];
  /** The networks the edge itself sits on; refused like private ranges. */
  edgeOwnCidrs?: readonly Cidr[];
  logger: ProxyLogger;
  accessLog: AccessLog;
  connectTimeoutMs?: number;
  /** Epoch milliseconds. */
  now?: () => number;
}

const tunnels = new WeakMap<Server, Set<Socket>>();

export function createForwardProxy(options: ForwardProxyOptions): Server {
  const ctx: ProxyContext = {
    verify: options.verify,
    policy: { resolve: options.resolve ?? systemResolve, allowCidrs: options.allowCidrs ?? [], edgeOwnCidrs: options.edgeOwnCidrs ?? [] },
    accessLog: options.accessLog,
    logger: options.logger,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    now: options.now ?? Date.now,
  };
  const open = new Set<Socket>();
  const track = (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  };
  const fail = (err: unknown) => ctx.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'proxy handler failed');
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    forwardHttp(req, res, ctx).catch((err: unknown) => {
      fail(err);
      res.destroy();
    });
  };
  const server = createServer(handle);
  // Without this listener node:http would send `100 Continue` before the proxy has checked anything.
  server.on('checkContinue', handle);
  server.on('connect', (req, socket, head) => {
    openTunnel(req, socket, head, ctx, track).catch((err: unknown) => {
      fail(err);
      socket.destroy();
    });
  });
  tunnels.set(server, open);
  return server;
}

/**
 * Graceful shutdown: stop accepting, close idle keep-alive connections, let requests and tunnels in
 * flight finish, and destroy what is still open after `graceMs`.
 */
export async function shutdownForwardProxy(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const open = tunnels.get(server) ?? new Set<Socket>();
  const timer = setTimeout(() => {
    server.closeAllConnections();
    for (const socket of open) socket.destroy();
  }, graceMs);
  await closed;
  await Promise.all([...open].map((socket) => new Promise((resolve) => (socket.destroyed ? resolve(undefined) : socket.once('close', resolve)))));
  clearTimeout(timer);
}
