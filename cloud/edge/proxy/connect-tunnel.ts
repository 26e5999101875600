/**
 * CONNECT through the edge: authenticate, admit the connection for the device, read the authority,
 * check the destination, dial a checked address, answer `200 Connection Established`, then copy
 * bytes both ways untouched (the client's TLS runs end to end; the edge never sees inside).
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { admit } from './admit.js';
import type { ProxyContext } from './context.js';
import { checkDestination, destinationRefusal, dialChecked } from './dial.js';
import { newFacts, recordOutcome } from './outcome.js';
import { writeRawRefusal, type Refusal } from './refusal.js';
import { parseConnectTarget } from '../../../protocol/proxy-target.js';

export async function openTunnel(req: IncomingMessage, client: Socket, head: Buffer, ctx: ProxyContext, track: (socket: Socket) => void): Promise<void> {
  const started = ctx.now();
  const facts = newFacts();
  const log = (status: number, bytesUp: number, bytesDown: number, code?: string) =>
    recordOutcome(ctx, 'connect', started, facts, { method: 'CONNECT', status, bytesUp, bytesDown, code });
  const refuse = (refusal: Refusal) => {
    writeRawRefusal(client, refusal);
    log(refusal.status, 0, 0, refusal.code);
  };
  // Until the tunnel is up, a client that goes away just ends the attempt.
  client.on('error', () => client.destroy());

  const admitted = await admit(req.headers['proxy-authorization'], client, ctx, facts);
  if (!admitted.ok) return refuse(admitted.refusal);
  const claims = admitted.claims;

  const parsed = parseConnectTarget(req.url ?? '');
  if (!parsed.ok) return refuse({ status: 400, code: 'BAD_REQUEST', message: parsed.reason });
  const target = parsed.target;
  facts.where = { host: target.host, port: target.port };

  const checked = await checkDestination(target.host, target.port, { userEmail: claims.user, groups: claims.groups }, ctx);
  facts.ruleId = checked.ruleId;
  if (!checked.ok) return refuse(destinationRefusal(checked));

  let upstream: Socket;
  try {
    upstream = await dialChecked(checked.addresses, target.port, ctx.connectTimeoutMs);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return refuse({ status: 502, code: 'UPSTREAM_UNREACHABLE', message: `The edge could not reach ${target.host}:${target.port} (${why}). The site may be down; try again later.` });
  }
  if (client.destroyed) {
    upstream.destroy();
    return;
  }
  track(upstream);
  ctx.metrics.tunnelOpened('connect');
  upstream.once('close', () => ctx.metrics.tunnelClosed('connect'));
  // The tunnel is long-lived and quiet at times: the server's idle timeout no longer applies.
  client.setTimeout(0);
  client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  if (head.length > 0) upstream.write(head);

  // pipe() in each direction (not pipeline, see http-forward.ts): a slow reader on either side
  // pauses the other, an end is passed on as a half-close, an error or a close tears down both.
  let logged = false;
  const finish = () => {
    client.destroy();
    upstream.destroy();
    if (logged) return;
    logged = true;
    log(200, upstream.bytesWritten, upstream.bytesRead);
  };
  client.once('close', finish);
  upstream.once('close', finish);
  upstream.once('error', finish);
  client.pipe(upstream);
  upstream.pipe(client);
}
