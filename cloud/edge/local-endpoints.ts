/**
 * What the edge answers about itself, without authentication:
 * - on the proxy listener: `GET /probe` (clients time it to pick the nearest edge: tiny, never
 *   logged per call) and `GET /healthz`;
 * - on the operators' listener: `GET /metrics` (Prometheus) and `GET /healthz`.
 * Health is "ready" once the edge has a policy and the portal's keys; until then it answers 503
 * with what is missing, so a load balancer keeps traffic away from an edge that would refuse it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

export interface EdgeHealth {
  readonly ready: boolean;
  /** What is missing, when not ready. */
  readonly problems: readonly string[];
  readonly policyVersion: number | null;
  readonly policyFetchedAt: string | null;
  readonly keysFetchedAt: string | null;
  readonly tunnelSessions: number | null;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, cache = 'no-store'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), 'cache-control': cache });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`);
}

const PROBE_BODY = Buffer.from('ok\n');

function notFound(res: ServerResponse, what: string): void {
  sendJson(res, 404, { code: 'NOT_FOUND', message: `${what}. This is a Waygate edge: send proxy requests with an absolute URL, or use CONNECT.` });
}

function isRead(req: IncomingMessage): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}

function path(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0] ?? '/';
}

/** Origin-form requests that reach the proxy listener. */
export function proxyLocalHandler(health: () => EdgeHealth): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    req.resume();
    if (!isRead(req)) return notFound(res, `${req.method ?? 'This method'} ${path(req)} is not something the edge serves`);
    switch (path(req)) {
      case '/probe':
        return send(res, 200, 'text/plain; charset=utf-8', PROBE_BODY);
      case '/healthz': {
        const state = health();
        return sendJson(res, state.ready ? 200 : 503, state);
      }
      default:
        return notFound(res, `${path(req)} is not a page of this edge`);
    }
  };
}

/** The operators' listener. */
export function metricsHandler(registry: Registry, health: () => EdgeHealth): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    req.resume();
    if (isRead(req) && path(req) === '/metrics') {
      registry.metrics().then(
        (text) => send(res, 200, registry.contentType, text),
        (err: unknown) => sendJson(res, 500, { code: 'INTERNAL', message: `Could not collect metrics: ${err instanceof Error ? err.message : String(err)}` }),
      );
      return;
    }
    if (isRead(req) && path(req) === '/healthz') {
      const state = health();
      return sendJson(res, state.ready ? 200 : 503, state);
    }
    return notFound(res, `${path(req)} is not served here (try /metrics or /healthz)`);
  };
}
