/**
 * The one typed client of the LocalAPI, used by the CLI and the native bridge. Every response is
 * parsed by its protocol schema; failures arrive as WaygateError with a stable code.
 */
import { Pool, errors as undiciErrors } from 'undici';
import type { z } from 'zod';
import { WaygateError, WireError } from '../../protocol/errors.js';
import { Pong, ROUTES, Status, VersionInfo, WatchEvent, type RouteName } from '../../protocol/localapi.js';

export interface WatchHandle {
  /** Resolves when the stream ends; rejects with SERVICE_UNAVAILABLE when it breaks. */
  done: Promise<void>;
  close(): void;
}

export class LocalApiClient {
  private readonly pool: Pool;

  constructor(
    readonly socketPath: string,
    private readonly requestTimeoutMs = 5000,
  ) {
    // A few keep-alive connections: requests stay cheap, and a watch stream never blocks a request.
    this.pool = new Pool('http://localapi', { socketPath, connections: 4, pipelining: 1 });
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
    const response = await this.send('watch', undefined, controller.signal, 0);
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
    await this.pool.destroy();
  }

  private async call<T>(route: RouteName, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    const response = await this.send(route, body, undefined, this.requestTimeoutMs);
    return parseBody(schema, await response.body.text(), route);
  }

  private async send(route: RouteName, body: unknown, signal: AbortSignal | undefined, timeoutMs: number) {
    const spec = ROUTES[route];
    let response;
    try {
      response = await this.pool.request({
        method: spec.method,
        path: spec.path,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? null : JSON.stringify(body),
        signal: signal ?? null,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (err) {
      if (err instanceof undiciErrors.HeadersTimeoutError) {
        throw new WaygateError('TIMEOUT', `The Waygate service did not answer ${route} within ${timeoutMs} ms.`);
      }
      throw unavailable(this.socketPath, err);
    }
    if (response.statusCode >= 400) {
      const text = await response.body.text();
      throw WaygateError.fromWire(parseBody(WireError, text, route));
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
