/**
 * The local proxy's side of its upstream connections: keep-alive agents (one per proxy the PAC
 * names, one for DIRECT), raw dialling for CONNECT, and which proxies are down.
 *
 * A proxy that could not be connected to is skipped for `deadForMs`, as browsers do: requests go
 * straight to the next answer instead of waiting on it again. When every proxy an answer names is
 * down, they are tried anyway, in order — a proxy that came back is found at once.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, TLSSocket, type SecureContextOptions } from 'node:tls';
import { formatRoute, type PacRoute, type ProxyRoute } from './pac-answer.js';
import { bareHost } from '../../protocol/proxy-target.js';

export interface UpstreamOptions {
  /** Trust anchors for TLS proxies (`HTTPS host:port`); the system's when absent. */
  ca?: SecureContextOptions['ca'];
  connectTimeoutMs: number;
  deadForMs: number;
  /** Monotonic milliseconds. */
  now: () => number;
}

const AGENT_OPTIONS = { keepAlive: true, keepAliveMsecs: 1_000, maxFreeSockets: 256, scheduling: 'lifo', noDelay: true } as const;

export class Upstreams {
  readonly direct = new HttpAgent(AGENT_OPTIONS);
  private readonly agents = new Map<string, HttpAgent>();
  private readonly deadUntil = new Map<string, number>();
  /** Sockets that have finished connecting (and their TLS handshake): reused ones need no wait. */
  private readonly ready = new WeakSet<Socket>();

  constructor(private readonly options: UpstreamOptions) {}

  agentFor(route: ProxyRoute): HttpAgent {
    const key = formatRoute(route);
    let agent = this.agents.get(key);
    if (agent === undefined) {
      const servername = isIP(bareHost(route.host)) === 0 ? route.host : undefined;
      agent = route.tls ? new HttpsAgent({ ...AGENT_OPTIONS, ca: this.options.ca, servername }) : new HttpAgent(AGENT_OPTIONS);
      this.agents.set(key, agent);
    }
    return agent;
  }

  /**
   * Calls `ready` once `socket` is connected (TLS: handshake done) — at once for a reused one — or
   * destroys it with an error after the connect timeout.
   */
  whenConnected(socket: Socket, ready: () => void): void {
    if (this.ready.has(socket) || (!(socket instanceof TLSSocket) && !socket.connecting)) {
      this.ready.add(socket);
      ready();
      return;
    }
    const timer = setTimeout(() => socket.destroy(new Error(`no connection within ${this.options.connectTimeoutMs} ms`)), this.options.connectTimeoutMs);
    socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      this.ready.add(socket);
      ready();
    });
    socket.once('close', () => clearTimeout(timer));
  }

  /** A fresh connection for a CONNECT tunnel: to the proxy (over TLS for `HTTPS`), or direct. */
  dial(route: PacRoute, target: { host: string; port: number }): Promise<Socket> {
    const host = bareHost(route.kind === 'direct' ? target.host : route.host);
    const port = route.kind === 'direct' ? target.port : route.port;
    const tls = route.kind === 'proxy' && route.tls;
    return new Promise((resolve, reject) => {
      const socket: Socket = tls ? tlsConnect({ host, port, ca: this.options.ca, ...(isIP(host) === 0 ? { servername: host } : {}) }) : netConnect({ host, port });
      const timer = setTimeout(() => socket.destroy(new Error(`no connection within ${this.options.connectTimeoutMs} ms`)), this.options.connectTimeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.setNoDelay(true);
        resolve(socket);
      });
    });
  }

  markDead(route: ProxyRoute): void {
    this.deadUntil.set(formatRoute(route), this.options.now() + this.options.deadForMs);
  }

  isDead(route: PacRoute): boolean {
    if (route.kind === 'direct') return false;
    const until = this.deadUntil.get(formatRoute(route));
    if (until === undefined) return false;
    if (until > this.options.now()) return true;
    this.deadUntil.delete(formatRoute(route));
    return false;
  }

  /** The routes to try, in order: live ones first, then (as a last resort) those marked down. */
  order(routes: readonly PacRoute[]): PacRoute[] {
    if (this.deadUntil.size === 0) return [...routes];
    const live = routes.filter((route) => !this.isDead(route));
    return live.length === routes.length ? live : [...live, ...routes.filter((route) => this.isDead(route))];
  }

  destroy(): void {
    this.direct.destroy();
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}
