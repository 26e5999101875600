/**
 * CONNECT through the local proxy: try the PAC's routes in order — a TCP connection to the
 * destination (DIRECT), or a connection to a proxy (TLS for `HTTPS`) that is sent its own CONNECT
 * with the device's edge token — and once one stands, answer `200 Connection Established` and copy
 * bytes both ways untouched. Until the client has been answered, any failure moves on to the next
 * route; a proxy that could not be connected to is marked down (upstreams.ts). A proxy's refusal
 * (403 for a blocked site, 502…) is passed to the client as it came, except a 407 (local-refusal.ts).
 */
import type { Socket } from 'node:net';
import type { ForwardContext } from './forward-context.js';
import { formatRoute, type PacRoute } from './pac-answer.js';
import { notSignedIn, readSmall, refusalCode, tokenRefused, unreachable, writeRawRefusal } from './local-refusal.js';
import type { ProxyTarget } from '../../protocol/proxy-target.js';

const MAX_HEAD_BYTES = 16 * 1024;

export function forwardConnect(client: Socket, head: Buffer, target: ProxyTarget, routes: readonly PacRoute[], ctx: ForwardContext): void {
  const authority = `${target.host}:${target.port}`;
  const failures: string[] = [];
  // Until the tunnel is up, a client that goes away just ends the attempt.
  client.on('error', () => client.destroy());

  const attempt = async (index: number): Promise<void> => {
    const route = routes[index];
    if (client.destroyed) return;
    if (route === undefined) return writeRawRefusal(client, unreachable(authority, failures));
    let token: string | null = null;
    if (route.kind === 'proxy') {
      token = ctx.token();
      if (token === null) return writeRawRefusal(client, notSignedIn(formatRoute(route)));
    }
    let upstream: Socket;
    try {
      upstream = await ctx.upstreams.dial(route, target);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      failures.push(`${formatRoute(route)}: ${why}`);
      if (route.kind === 'proxy') {
        ctx.upstreams.markDead(route);
        ctx.logger.warn({ proxy: formatRoute(route), err: why }, 'local proxy: upstream proxy unreachable, trying the next PAC answer');
      }
      return attempt(index + 1);
    }
    if (client.destroyed) return void upstream.destroy();
    if (route.kind === 'direct') return splice(client, upstream, head, Buffer.alloc(0));

    upstream.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\nProxy-Authorization: Bearer ${token ?? ''}\r\n\r\n`);
    let answer: { status: number; head: Buffer; rest: Buffer };
    try {
      answer = await readHead(upstream, ctx.headTimeoutMs);
    } catch (err) {
      upstream.destroy();
      failures.push(`${formatRoute(route)}: ${err instanceof Error ? err.message : String(err)}`);
      return attempt(index + 1);
    }
    if (answer.status === 200) return splice(client, upstream, head, answer.rest);
    if (answer.status === 407) {
      upstream.unshift(answer.rest);
      const code = refusalCode(await readSmall(upstream));
      upstream.destroy();
      ctx.logger.warn({ proxy: formatRoute(route) }, 'local proxy: the edge refused the device token (407)');
      return writeRawRefusal(client, tokenRefused(formatRoute(route), code));
    }
    // The proxy's own refusal, as it came; it closes the connection after it.
    client.write(answer.head);
    client.write(answer.rest);
    upstream.pipe(client);
    upstream.once('error', () => client.destroy());
    client.once('close', () => upstream.destroy());
  };
  attempt(0).catch((err: unknown) => {
    ctx.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'local proxy: CONNECT failed');
    client.destroy();
  });
}

/**
 * Answers the client and copies bytes both ways. An end is passed on as a half-close (pipe), so
 * bytes still queued for the client when the far side finishes are delivered before its FIN; an
 * error on either side, or the client going away, tears down both.
 */
function splice(client: Socket, upstream: Socket, clientHead: Buffer, upstreamRest: Buffer): void {
  // The tunnel is long-lived and quiet at times: no idle timeout applies any more.
  client.setTimeout(0);
  client.setNoDelay(true);
  client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  if (upstreamRest.length > 0) client.write(upstreamRest);
  if (clientHead.length > 0) upstream.write(clientHead);
  const teardown = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', teardown);
  upstream.on('error', teardown);
  client.once('close', () => upstream.destroy());
  upstream.once('close', () => client.end());
  client.pipe(upstream);
  upstream.pipe(client);
}

/** Reads a proxy's answer head to our CONNECT; what follows it is returned as `rest`. */
function readHead(socket: Socket, timeoutMs: number): Promise<{ status: number; head: Buffer; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new Error(`no answer to CONNECT within ${timeoutMs} ms`)), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('data', onData).off('error', fail).off('close', onClose);
    };
    const fail = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onClose = () => fail(new Error('the proxy closed the connection before answering CONNECT'));
    const onData = (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > MAX_HEAD_BYTES) fail(new Error('the proxy answered CONNECT with an oversized head'));
        return;
      }
      cleanup();
      socket.pause();
      const head = buffered.subarray(0, end + 4);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head.toString('latin1'))?.[1]);
      if (!Number.isInteger(status)) return reject(new Error('the proxy answered CONNECT with something other than HTTP/1.1'));
      resolve({ status, head, rest: buffered.subarray(end + 4) });
    };
    socket.on('data', onData).once('error', fail).once('close', onClose);
  });
}
