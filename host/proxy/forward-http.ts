/**
 * An absolute-form request through the local proxy: try the PAC's routes in order — DIRECT to the
 * origin, or to a proxy with the device's edge token in `Proxy-Authorization: Bearer` — over
 * keep-alive connections. A route that cannot be connected to hands the request to the next one;
 * the request body is sent only once a connection stands, so nothing is lost by moving on. A
 * keep-alive connection that the far end closed just as it was reused is retried once for requests
 * without a body. A 407 from a proxy never reaches the client (local-refusal.ts).
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { formatRoute, type PacRoute } from './pac-answer.js';
import { stripHopByHop } from '../../protocol/hop-by-hop.js';
import { notSignedIn, readSmall, refusalCode, sendRefusal, tokenRefused, unreachable, type Refusal } from './local-refusal.js';
import { bareHost, type HttpTarget } from '../../protocol/proxy-target.js';
import type { ForwardContext } from './forward-context.js';

export function forwardHttp(req: IncomingMessage, res: ServerResponse, target: HttpTarget, routes: readonly PacRoute[], ctx: ForwardContext): void {
  // The forwarder sets Host itself, first.
  const headers = stripHopByHop(req.rawHeaders)
    .filter(([name]) => name.toLowerCase() !== 'host')
    .flat();
  const bodiless = req.headers['transfer-encoding'] === undefined && (req.headers['content-length'] === undefined || req.headers['content-length'] === '0');
  const failures: string[] = [];
  let current: ClientRequest | null = null;
  // A client that leaves before its answer is complete takes the upstream request with it.
  res.once('close', () => {
    if (!res.writableFinished) current?.destroy();
  });
  const refuse = (refusal: Refusal) => {
    req.resume();
    sendRefusal(res, refusal);
  };

  const attempt = (index: number, retryingReused: boolean): void => {
    const route = routes[index];
    if (route === undefined) return refuse(unreachable(target.authority, failures));
    let upstream: ClientRequest;
    if (route.kind === 'direct') {
      upstream = httpRequest({ agent: ctx.upstreams.direct, host: bareHost(target.host), port: target.port, method: req.method, path: target.path, setHost: false, headers: ['Host', target.authority, ...headers] });
    } else {
      const token = ctx.token();
      if (token === null) return refuse(notSignedIn(formatRoute(route)));
      upstream = (route.tls ? httpsRequest : httpRequest)({
        agent: ctx.upstreams.agentFor(route),
        host: bareHost(route.host),
        port: route.port,
        method: req.method,
        path: target.href,
        setHost: false,
        headers: ['Host', target.authority, ...headers, 'Proxy-Authorization', `Bearer ${token}`],
      });
    }
    current = upstream;
    let connected = false;
    upstream.once('socket', (socket) =>
      ctx.upstreams.whenConnected(socket, () => {
        connected = true;
        if (bodiless) upstream.end();
        else req.pipe(upstream);
      }),
    );
    upstream.once('error', (err: Error) => {
      if (res.headersSent) return res.destroy();
      if (!connected) {
        failures.push(`${formatRoute(route)}: ${err.message}`);
        if (route.kind === 'proxy') {
          ctx.upstreams.markDead(route);
          ctx.logger.warn({ proxy: formatRoute(route), err: err.message }, 'local proxy: upstream proxy unreachable, trying the next PAC answer');
        }
        return attempt(index + 1, false);
      }
      if (upstream.reusedSocket && bodiless && !retryingReused) return attempt(index, true);
      failures.push(`${formatRoute(route)}: ${err.message}`);
      refuse(unreachable(target.authority, failures));
    });
    upstream.once('response', (upRes: IncomingMessage) => {
      if (route.kind === 'proxy' && upRes.statusCode === 407) {
        void readSmall(upRes).then((text) => {
          ctx.logger.warn({ proxy: formatRoute(route) }, 'local proxy: the edge refused the device token (407)');
          refuse(tokenRefused(formatRoute(route), refusalCode(text)));
        });
        return;
      }
      res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, stripHopByHop(upRes.rawHeaders).flat());
      upRes.once('error', () => res.destroy());
      upRes.once('aborted', () => res.destroy());
      upRes.pipe(res);
    });
  };
  attempt(0, false);
}
