/**
 * Absolute-form HTTP/1.1 through the edge: authenticate, read the target, check the destination,
 * dial a checked address, then stream the body both ways with `pipeline` (backpressure in both
 * directions). Hop-by-hop headers and the proxy credentials never reach the origin. The client
 * connection stays keep-alive unless the proxy refuses the request.
 */
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { pipeline } from 'node:stream';
import type { AccessLogEntry } from './access-log.js';
import { authenticate } from './authenticate.js';
import { ByteCounter } from './byte-counter.js';
import type { ProxyContext } from './context.js';
import { checkDestination, dialChecked } from './dial.js';
import { stripHopByHop } from './hop-by-hop.js';
import { sendRefusal, type Refusal } from './refusal.js';
import { parseAbsoluteTarget } from './target.js';

export async function forwardHttp(req: IncomingMessage, res: ServerResponse, ctx: ProxyContext): Promise<void> {
  const started = ctx.now();
  const method = req.method ?? 'GET';
  let who: Pick<AccessLogEntry, 'device' | 'user'> = { device: null, user: null };
  let where: Pick<AccessLogEntry, 'host' | 'port'> = { host: null, port: null };
  const up = new ByteCounter();
  const down = new ByteCounter();
  let code: string | undefined;
  let upstreamSocket: Socket | undefined = undefined;
  res.once('close', () => {
    // A client that leaves before its answer is complete takes the upstream connection with it.
    if (!res.writableFinished) upstreamSocket?.destroy();
    const entry: AccessLogEntry = {
      time: new Date(started).toISOString(),
      ...who,
      method,
      ...where,
      status: res.statusCode,
      bytesUp: up.bytes,
      bytesDown: down.bytes,
      durationMs: ctx.now() - started,
      action: code === undefined || code === 'UPSTREAM_UNREACHABLE' ? 'allow' : 'block',
      ...(code === undefined ? {} : { code }),
    };
    ctx.accessLog(entry);
  });
  const refuse = (refusal: Refusal) => {
    code = refusal.code;
    // The unread request body is discarded; the connection closes after the answer.
    req.resume();
    sendRefusal(res, refusal);
  };

  const auth = await authenticate(req.headers['proxy-authorization'], ctx.verify);
  if (!auth.ok) return refuse(auth.refusal);
  who = { device: auth.claims.sub, user: auth.claims.user };

  const parsed = parseAbsoluteTarget(req.url ?? '');
  if (!parsed.ok) return refuse({ status: 400, code: 'BAD_REQUEST', message: parsed.reason });
  const target = parsed.target;
  where = { host: target.host, port: target.port };

  const checked = await checkDestination(target.host, ctx.policy);
  if (!checked.ok) return refuse({ status: checked.status, code: checked.code, message: checked.reason });

  let socket: Socket;
  try {
    socket = await dialChecked(checked.addresses, target.port, ctx.connectTimeoutMs);
  } catch (err) {
    return refuse(unreachable(target.authority, err));
  }
  upstreamSocket = socket;
  if (res.destroyed) {
    socket.destroy();
    return;
  }

  // The edge answers `Expect: 100-continue` itself, and only now that the request may go through,
  // so an unauthenticated or refused client is never invited to send its body.
  if (req.headers.expect?.toLowerCase() === '100-continue') res.writeContinue();
  const headers = stripHopByHop(req.rawHeaders).filter(([name]) => !['host', 'expect'].includes(name.toLowerCase()));
  const upstream = request({
    method,
    path: target.path,
    setHost: false,
    headers: ['Host', target.authority, ...headers.flat()],
    createConnection: () => socket,
  });
  upstream.once('response', (upRes: IncomingMessage) => {
    res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, stripHopByHop(upRes.rawHeaders).flat());
    pipeline(upRes, down, res, (err) => {
      if (err) socket.destroy();
    });
  });
  pipeline(req, up, upstream, (err) => {
    if (!err) return;
    if (res.headersSent) {
      res.destroy();
    } else {
      ctx.logger.warn({ host: target.host, port: target.port, err: err.message }, 'upstream request failed');
      refuse(unreachable(target.authority, err));
    }
  });
}

function unreachable(authority: string, err: unknown): Refusal {
  const why = err instanceof Error ? err.message : String(err);
  return { status: 502, code: 'UPSTREAM_UNREACHABLE', message: `The edge could not reach ${authority} (${why}). The site may be down; try again later.` };
}
