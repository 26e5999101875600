/**
 * The edge's forward proxy (issue #4): HTTP/1.1 absolute-form requests and CONNECT tunnels, on a
 * plain or TLS listener, each authenticated by an edge token before anything else, each destination
 * judged by policy and the SSRF guard and dialled only at an address they saw. Never an open proxy:
 * there is no path from a request to an upstream socket that skips `authenticate` and
 * `checkDestination`. Origin-form requests (`GET /probe`) go to the edge's own `local` handler.
 *
 * node:http does the HTTP/1.1 framing: it refuses conflicting Content-Length/Transfer-Encoding and
 * other smuggling shapes (llhttp, strict mode), and enforces the head size and the head timeout
 * configured here; `clientError` turns each such failure into a clear answer and a close.
 *
 * Lifecycle: `createForwardProxy` → `server.listen` → `shutdownForwardProxy` (stops accepting,
 * lets requests and tunnels in flight finish, then cuts whatever is left after the grace period).
 */
import { createServer, type IncomingMessage, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { EdgeMetrics } from '../metrics.js';
import type { DestinationRules } from '../policy/decide-destination.js';
import type { AccessLog } from './access-log.js';
import type { VerifyToken } from './authenticate.js';
import { openTunnel } from './connect-tunnel.js';
import type { ProxyContext, ProxyLogger } from './context.js';
import { DeviceConnections } from './device-connections.js';
import { systemResolve, type Resolve } from './dial.js';
import { forwardHttp } from './http-forward.js';
import { sendRefusal, writeRawRefusal, type Refusal } from './refusal.js';
import { CheckedAddressAgent } from './upstream-agent.js';

export interface ProxyLimits {
  /** Request line plus headers, in bytes. */
  readonly maxHeadBytes: number;
  readonly maxHeaderCount: number;
  /** The request target alone, in bytes. */
  readonly maxUrlBytes: number;
  /** The whole head must arrive within this (slowloris). */
  readonly headTimeoutMs: number;
  /** A keep-alive client connection idle this long is closed. */
  readonly keepAliveTimeoutMs: number;
  readonly connectionsPerDevice: number;
  readonly connectTimeoutMs: number;
  /** An origin silent this long (before or during its answer) fails the request with 504. */
  readonly upstreamIdleTimeoutMs: number;
}

export const DEFAULT_LIMITS: ProxyLimits = {
  maxHeadBytes: 16 * 1024,
  maxHeaderCount: 100,
  maxUrlBytes: 8 * 1024,
  headTimeoutMs: 10_000,
  keepAliveTimeoutMs: 30_000,
  connectionsPerDevice: 256,
  connectTimeoutMs: 10_000,
  upstreamIdleTimeoutMs: 120_000,
};

export interface ForwardProxyOptions {
  verify: VerifyToken;
  rules: () => DestinationRules | null;
  /** Defaults to the system resolver (`dns.lookup`, every address). */
  resolve?: Resolve;
  logger: ProxyLogger;
  accessLog: AccessLog;
  metrics: EdgeMetrics;
  limits?: Partial<ProxyLimits>;
  /** PEM key and certificate: the listener speaks TLS (clients reach the proxy over https://). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Requests for the edge itself (origin-form, `GET /probe`); without it they are refused with 400. */
  local?: (req: IncomingMessage, res: ServerResponse) => void;
  /** Epoch milliseconds. */
  now?: () => number;
}

export type ProxyServer = Server | TlsServer;

interface ProxyState {
  tunnels: Set<Socket>;
  agent: CheckedAddressAgent;
}

const states = new WeakMap<ProxyServer, ProxyState>();

export function createForwardProxy(options: ForwardProxyOptions): ProxyServer {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const agent = new CheckedAddressAgent(limits.connectTimeoutMs);
  const ctx: ProxyContext = {
    verify: options.verify,
    resolve: options.resolve ?? systemResolve,
    rules: options.rules,
    accessLog: options.accessLog,
    logger: options.logger,
    metrics: options.metrics,
    connections: new DeviceConnections(limits.connectionsPerDevice),
    agent,
    connectTimeoutMs: limits.connectTimeoutMs,
    upstreamIdleTimeoutMs: limits.upstreamIdleTimeoutMs,
    now: options.now ?? Date.now,
  };
  const tunnels = new Set<Socket>();
  const track = (socket: Socket) => {
    tunnels.add(socket);
    socket.once('close', () => tunnels.delete(socket));
  };
  const fail = (err: unknown) => ctx.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'proxy handler failed');

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const tooLarge = headProblem(req, limits);
    if (tooLarge !== null) {
      req.resume();
      return sendRefusal(res, tooLarge);
    }
    if (options.local !== undefined && req.url?.startsWith('/') === true) return options.local(req, res);
    forwardHttp(req, res, ctx).catch((err: unknown) => {
      fail(err);
      res.destroy();
    });
  };
  const serverOptions: ServerOptions = {
    maxHeaderSize: limits.maxHeadBytes,
    headersTimeout: limits.headTimeoutMs,
    // Uploads may take long; only the head has a deadline. Silent connections end by keepAliveTimeout.
    requestTimeout: 0,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // How often node checks the head deadline; the default (30 s) would let slowloris sockets linger.
    connectionsCheckingInterval: Math.min(1_000, limits.headTimeoutMs),
  };
  const server: ProxyServer = options.tls === undefined ? createServer(serverOptions, handle) : createTlsServer({ ...serverOptions, ...options.tls }, handle);
  // One more than allowed, so a request over the limit is seen (node drops headers past the count).
  server.maxHeadersCount = limits.maxHeaderCount + 1;
  // Without this listener node:http would send `100 Continue` before the proxy has checked anything.
  server.on('checkContinue', handle);
  server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const tooLarge = headProblem(req, limits);
    if (tooLarge !== null) return writeRawRefusal(socket, tooLarge);
    openTunnel(req, socket, head, ctx, track).catch((err: unknown) => {
      fail(err);
      socket.destroy();
    });
  });
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    // A client that hangs up (ECONNRESET, EPIPE) is not malformed and has nobody left to answer.
    if (!socket.writable || err.code === 'ECONNRESET' || err.code === 'EPIPE') return socket.destroy();
    ctx.logger.warn({ code: err.code, err: err.message }, 'malformed request refused');
    writeRawRefusal(socket, clientErrorRefusal(err.code));
  });
  states.set(server, { tunnels, agent });
  return server;
}

function headProblem(req: IncomingMessage, limits: ProxyLimits): Refusal | null {
  if (req.rawHeaders.length / 2 > limits.maxHeaderCount) {
    return { status: 431, code: 'REQUEST_TOO_LARGE', message: `The request has more than ${limits.maxHeaderCount} headers, more than this edge accepts.` };
  }
  if ((req.url ?? '').length > limits.maxUrlBytes) {
    return { status: 414, code: 'REQUEST_TOO_LARGE', message: `The request target is longer than ${limits.maxUrlBytes} bytes, more than this edge accepts.` };
  }
  return null;
}

/** What a client that broke HTTP/1.1 framing is told before the connection closes. */
function clientErrorRefusal(code: string | undefined): Refusal {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'REQUEST_TOO_LARGE', message: 'The request line and headers are larger than this edge accepts.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'BAD_REQUEST', message: 'The request head did not arrive in time.' };
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return { status: 400, code: 'BAD_REQUEST', message: 'The request has both Content-Length and Transfer-Encoding; the edge refuses such ambiguous framing.' };
    default:
      return { status: 400, code: 'BAD_REQUEST', message: `The request is not valid HTTP/1.1 (${code ?? 'parse error'}).` };
  }
}

/**
 * Graceful shutdown: stop accepting, close idle keep-alive connections, let requests and tunnels in
 * flight finish, and destroy what is still open after `graceMs`.
 */
export async function shutdownForwardProxy(server: ProxyServer, graceMs: number): Promise<void> {
  const state = states.get(server);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const open = state?.tunnels ?? new Set<Socket>();
  const timer = setTimeout(() => {
    server.closeAllConnections();
    for (const socket of open) socket.destroy();
  }, graceMs);
  await closed;
  await Promise.all([...open].map((socket) => new Promise((resolve) => (socket.destroyed ? resolve(undefined) : socket.once('close', resolve)))));
  clearTimeout(timer);
  state?.agent.destroy();
}
