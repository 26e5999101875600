/**
 * The local proxy (issue #8, `local-proxy` action): an HTTP proxy on 127.0.0.1 that browsers and
 * apps point at. Per request it asks the profile's PAC (pac-decider.ts) where to go, then forwards
 * DIRECT or to the proxy the PAC names — the organisation's edge — adding the device's edge token,
 * so the client never sees an authentication prompt. Multi-answer PACs fall back in order when a
 * proxy cannot be reached; a PAC that cannot answer yields the profile's fail-open (DIRECT) or
 * fail-closed (403) answer.
 *
 *   absolute-form `GET http://host/path`  → forward-http.ts
 *   `CONNECT host:port`                    → forward-connect.ts
 *   origin-form `GET /proxy.pac`           → a PAC sending everything here (core/local-proxy-pac.ts)
 *
 * Ownership and lifecycle: `startLocalProxy` listens (on `port`, or on a free port when that one is
 * taken — `port` says which), then serves until `close`, which stops listening, ends connections,
 * the PAC worker and the upstream keep-alive pools. The caller (the service) owns the inputs: it
 * calls `policyChanged` whenever what `pac()` or `failOpen()` return changes; `token()` is read per
 * request.
 *
 * @example
 *   const proxy = await startLocalProxy({ port: 3128, pac: () => config.pacScript, failOpen: () => profile.failOpen.enabled,
 *     token: () => tokens.current(), logger });
 *   // browser PAC: `PROXY 127.0.0.1:${proxy.port}`; system proxy: proxy.pacUrl or 127.0.0.1:proxy.port
 *   proxy.policyChanged(); // after a new policy is applied
 *   await proxy.close();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { Duplex } from 'node:stream';
import { WaygateError } from '../../protocol/errors.js';
import type { ForwardContext, LocalProxyLogger } from './forward-context.js';
import { forwardConnect } from './forward-connect.js';
import { forwardHttp } from './forward-http.js';
import { blocked, sendRefusal, writeRawRefusal, type Refusal } from './local-refusal.js';
import { formatRoute } from './pac-answer.js';
import { PacDecider, pacUrlFor, type PacClock, type PacDecision, type PacTarget } from './pac-decider.js';
import type { PacEngineLimits } from './pac-engine.js';
import type { PacLookup } from './pac-functions.js';
import { PAC_MIME, PAC_PATH } from './pac-server.js';
import { parseAbsoluteTarget, parseConnectTarget } from '../../protocol/proxy-target.js';
import { planRoutes } from './route-plan.js';
import { localProxyPac } from '../../core/local-proxy-pac.js';
import { Upstreams } from './upstreams.js';

export type { LocalProxyLogger } from './forward-context.js';

export interface LocalProxyOptions {
  /** The port to listen on (127.0.0.1); when taken, another free one. 0: any free port. */
  port: number;
  /** The profile's PAC, variables already filled in (core/pac-template.ts). */
  pac: () => string;
  /** What a PAC that cannot answer means: true → DIRECT, false → blocked (403). */
  failOpen: () => boolean;
  /** The device's edge token, sent as `Proxy-Authorization: Bearer`; null before sign-in. */
  token: () => string | null;
  /** Trust anchors for `HTTPS host:port` proxies; the system's when absent. */
  tls?: { ca?: SecureContextOptions['ca'] };
  logger: LocalProxyLogger;
  /** For the PAC's dnsResolve/isResolvable/isInNet; the system resolver (IPv4) by default. */
  resolve?: PacLookup;
  /** For the PAC's myIpAddress(); the first non-internal IPv4 address by default. */
  myAddress?: () => string;
  /** What the PAC's clock reads (weekdayRange, dateRange, timeRange, new Date()). */
  clock?: PacClock;
  /** A proxy that could not be connected to is skipped this long (30 s). */
  deadProxyMs?: number;
  /** Connecting to a proxy or, DIRECT, to the destination (10 s). */
  connectTimeoutMs?: number;
  /** A proxy's answer to CONNECT (30 s). */
  connectAnswerTimeoutMs?: number;
  /** One PAC evaluation, DNS included (1 s); engine limits (memory, synchronous budget). */
  pacTimeoutMs?: number;
  pacLimits?: Partial<PacEngineLimits>;
}

/** Where a URL would go through the local proxy, and why (for `waygate explain` and the popup). */
export interface LocalProxyExplanation {
  readonly url: string;
  /** The URL the PAC was asked about (the origin, see pac-decider.ts). */
  readonly pacUrl: string;
  readonly decision: PacDecision;
  /** The routes in the order they would be tried now (proxies marked down last). */
  readonly tryOrder: readonly string[];
  readonly skipped: readonly { readonly route: string; readonly why: string }[];
}

export interface LocalProxy {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** The port asked for, when it was taken and another was used; null otherwise. */
  readonly portTaken: number | null;
  /** `http://127.0.0.1:PORT/proxy.pac`. */
  readonly pacUrl: string;
  /** The PAC or fail-open setting changed: decisions are recomputed from now on. */
  policyChanged(): void;
  explain(url: string): Promise<LocalProxyExplanation>;
  close(): Promise<void>;
}

const KEEP_ALIVE_TIMEOUT_MS = 30_000;

export async function startLocalProxy(options: LocalProxyOptions): Promise<LocalProxy> {
  const decider = new PacDecider({
    pac: options.pac,
    failOpen: options.failOpen,
    ...(options.resolve === undefined ? {} : { resolve: options.resolve }),
    ...(options.myAddress === undefined ? {} : { myAddress: options.myAddress }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.pacTimeoutMs === undefined ? {} : { timeoutMs: options.pacTimeoutMs }),
    ...(options.pacLimits === undefined ? {} : { limits: options.pacLimits }),
  });
  const upstreams = new Upstreams({
    ...(options.tls?.ca === undefined ? {} : { ca: options.tls.ca }),
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    deadForMs: options.deadProxyMs ?? 30_000,
    now: () => performance.now(),
  });
  const ctx: ForwardContext = { token: options.token, upstreams, logger: options.logger, headTimeoutMs: options.connectAnswerTimeoutMs ?? 30_000 };
  let port = 0;
  const tunnels = new Set<Socket>();

  const routeFor = async (target: PacTarget): Promise<{ decision: PacDecision; plan: ReturnType<typeof planRoutes> }> => {
    const decision = await decider.decide(target);
    return { decision, plan: planRoutes(decision.routes, port, upstreams) };
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '';
    if (url.startsWith('/')) return serveLocal(req, res, port);
    const parsed = parseAbsoluteTarget(url);
    if (!parsed.ok) return refuse(req, res, { status: 400, code: 'BAD_REQUEST', message: parsed.reason });
    const target = parsed.target;
    routeFor({ scheme: 'http', host: target.host, port: target.port }).then(
      ({ decision, plan }) => {
        if (decision.routes.length === 0) return refuse(req, res, blocked(decision.reason));
        forwardHttp(req, res, target, plan.tryOrder, ctx);
      },
      (err: unknown) => failed(err, () => res.destroy()),
    );
  };

  const onConnect = (req: IncomingMessage, socket: Socket, head: Buffer): void => {
    tunnels.add(socket);
    socket.once('close', () => tunnels.delete(socket));
    const parsed = parseConnectTarget(req.url ?? '');
    if (!parsed.ok) return writeRawRefusal(socket, { status: 400, code: 'BAD_REQUEST', message: parsed.reason });
    const target = parsed.target;
    routeFor({ scheme: 'https', host: target.host, port: target.port }).then(
      ({ decision, plan }) => {
        if (decision.routes.length === 0) return writeRawRefusal(socket, blocked(decision.reason));
        forwardConnect(socket, head, target, plan.tryOrder, ctx);
      },
      (err: unknown) => failed(err, () => socket.destroy()),
    );
  };

  const failed = (err: unknown, end: () => void) => {
    options.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'local proxy: request failed');
    end();
  };

  const server = createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS }, onRequest);
  server.on('connect', onConnect);
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    if (!socket.writable || err.code === 'ECONNRESET' || err.code === 'EPIPE') return socket.destroy();
    writeRawRefusal(socket, { status: 400, code: 'BAD_REQUEST', message: `The request is not valid HTTP/1.1 (${err.code ?? 'parse error'}).` });
  });

  let portTaken: number | null = null;
  try {
    port = await listen(server, options.port);
  } catch (err) {
    if (options.port === 0 || !(err instanceof Error && 'code' in err && err.code === 'EADDRINUSE')) {
      await decider.close();
      throw err;
    }
    portTaken = options.port;
    port = await listen(server, 0);
    options.logger.warn({ wanted: options.port, port }, 'local proxy: the configured port is taken; listening on another');
  }
  options.logger.info({ port }, 'local proxy: listening');

  return {
    port,
    portTaken,
    pacUrl: `http://127.0.0.1:${port}${PAC_PATH}`,
    policyChanged: () => decider.policyChanged(),
    async explain(raw) {
      const target = explainTarget(raw);
      const { decision, plan } = await routeFor(target);
      return { url: raw, pacUrl: pacUrlFor(target), decision, tryOrder: plan.tryOrder.map(formatRoute), skipped: plan.skipped };
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const socket of tunnels) socket.destroy();
      await closed;
      upstreams.destroy();
      await decider.close();
    },
  };
}

function refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
  req.resume();
  sendRefusal(res, refusal);
}

function serveLocal(req: IncomingMessage, res: ServerResponse, port: number): void {
  req.resume();
  if ((req.method === 'GET' || req.method === 'HEAD') && (req.url ?? '').split('?')[0] === PAC_PATH) {
    const script = localProxyPac(port);
    res.writeHead(200, { 'content-type': PAC_MIME, 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(script)) });
    res.end(req.method === 'HEAD' ? undefined : script);
    return;
  }
  sendRefusal(res, { status: 404, code: 'NOT_FOUND', message: `This is a proxy; the only page it serves itself is ${PAC_PATH}.` });
}

function explainTarget(raw: string): PacTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WaygateError('BAD_REQUEST', `"${raw}" is not a URL; give one such as https://example.com/.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WaygateError('BAD_REQUEST', `The local proxy forwards http:// and https:// only, not ${url.protocol}`);
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  return { scheme, host: url.hostname, port: url.port === '' ? (scheme === 'https' ? 443 : 80) : Number(url.port) };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      const address: AddressInfo | string | null = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}
