/**
 * The one typed client of the LocalAPI, used by the CLI and the native bridge. Request/reply calls
 * go over one RPC channel, opened on first use and reopened after the service restarts; the watch
 * stream is plain HTTP. Every response is parsed by its protocol schema; failures arrive as
 * WaygateError with a stable code.
 */
import { Pool, errors as undiciErrors } from 'undici';
import type { z } from 'zod';
import { WaygateError, WireError } from '../../protocol/errors.js';
import {
  Pong,
  ROUTES,
  Status,
  UNARY_SCHEMAS,
  VersionInfo,
  WatchEvent,
  type UnaryReply,
  type UnaryRequest,
  type UnaryRouteName,
} from '../../protocol/localapi.js';
import { RpcConnection } from './rpc-connection.js';

const PORTAL_BOUND_ROUTES: ReadonlySet<UnaryRouteName> = new Set(['login', 'logout', 'disable', 'sync', 'browser-settings']);

export interface WatchHandle {
  /** Resolves when the stream ends; rejects with SERVICE_UNAVAILABLE when it breaks. */
  done: Promise<void>;
  close(): void;
}

export class LocalApiClient {
  private readonly pool: Pool;
  private rpc: Promise<RpcConnection> | null = null;

  constructor(
    readonly socketPath: string,
    private readonly requestTimeoutMs = 5000,
  ) {
    this.pool = new Pool('http://localapi', { socketPath, connections: 2, pipelining: 1 });
  }

  status(): Promise<Status> {
    return this.call('status', Status);
  }

  version(): Promise<VersionInfo> {
    return this.call('version', VersionInfo);
  }

  ping(data?: string): Promise<Pong> {
    return this.call('ping', Pong, data === undefined ? {} : { data });
  }

  /** Streams the snapshot and every change to `onEvent` until closed or the service goes away. */
  async watch(onEvent: (event: WatchEvent) => void): Promise<WatchHandle> {
    const controller = new AbortController();
    const response = await this.openWatch(controller.signal);
    const done = (async () => {
      let buffered = '';
      response.body.setEncoding('utf8');
      try {
        for await (const chunk of response.body) {
          buffered += String(chunk);
          let newline: number;
          while ((newline = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, newline);
            buffered = buffered.slice(newline + 1);
            onEvent(parseBody(WatchEvent, line, 'watch'));
          }
        }
      } catch (err) {
        if (controller.signal.aborted) return;
        throw unavailable(this.socketPath, err);
      }
      if (!controller.signal.aborted) throw unavailable(this.socketPath, new Error('the service closed the watch stream'));
    })();
    return { done, close: () => controller.abort() };
  }

  async close(): Promise<void> {
    const rpc = this.rpc;
    this.rpc = null;
    await Promise.all([this.pool.destroy(), rpc?.then((c) => c.close()).catch(() => undefined)]);
  }

  /** Any request/reply route, its body and reply validated by the route's schemas (protocol/localapi.ts). */
  request<R extends UnaryRouteName>(route: R, body?: UnaryRequest<R>): Promise<UnaryReply<R>> {
    return this.call(route, UNARY_SCHEMAS[route].reply, body);
  }

  private async call<T>(route: UnaryRouteName, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    const connection = await this.connection();
    // Routes that wait on the portal get the portal's own timeout and some.
    const timeout = PORTAL_BOUND_ROUTES.has(route) ? Math.max(this.requestTimeoutMs, 20_000) : this.requestTimeoutMs;
    return parseResult(schema, await connection.call(route, body, timeout), route);
  }

  /** The open RPC channel, or a new one when there is none or the last one closed. */
  private async connection(): Promise<RpcConnection> {
    const current = this.rpc ? await this.rpc.catch(() => null) : null;
    if (current && !current.closed) return current;
    const opening = RpcConnection.open(this.socketPath, (cause) => unavailable(this.socketPath, cause));
    this.rpc = opening;
    opening.catch(() => {
      if (this.rpc === opening) this.rpc = null;
    });
    return opening;
  }

  private async openWatch(signal: AbortSignal) {
    let response;
    try {
      response = await this.pool.request({ method: 'GET', path: ROUTES.watch.path, signal, headersTimeout: this.requestTimeoutMs, bodyTimeout: 0 });
    } catch (err) {
      if (err instanceof undiciErrors.HeadersTimeoutError) {
        throw new WaygateError('TIMEOUT', `The Waygate service did not answer watch within ${this.requestTimeoutMs} ms.`);
      }
      throw unavailable(this.socketPath, err);
    }
    if (response.statusCode >= 400) {
      throw WaygateError.fromWire(parseBody(WireError, await response.body.text(), 'watch'));
    }
    return response;
  }
}

function parseBody<T>(schema: z.ZodType<T>, text: string, route: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new WaygateError('BAD_FRAME', `The service's ${route} reply is not JSON.`);
  }
  return parseResult(schema, json, route);
}

function parseResult<T>(schema: z.ZodType<T>, json: unknown, route: string): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new WaygateError('BAD_REQUEST', `The service's ${route} reply does not match the protocol: ${parsed.error.issues[0]?.message ?? ''}`);
  }
  return parsed.data;
}

function unavailable(socketPath: string, cause: unknown): WaygateError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new WaygateError(
    'SERVICE_UNAVAILABLE',
    `The Waygate service is not reachable on ${socketPath} (${why}). Start it with \`waygate service\`.`,
    { socket: socketPath },
  );
}
