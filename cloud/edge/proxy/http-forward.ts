/**
 * Absolute-form HTTP/1.1 through the edge: authenticate, admit the connection for the device, read
 * the target, check the destination, then send the request over a keep-alive connection to a
 * checked address and stream the body both ways with `pipe` (backpressure in both directions).
 * Hop-by-hop headers and the proxy credentials never reach the origin. The client connection stays
 * keep-alive unless the proxy refuses the request.
 */
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { admit } from './admit.js';
import { sendBlockPage, wantsHtml } from './block-page.js';
import type { ProxyContext } from './context.js';
import { checkDestination, destinationRefusal } from './dial.js';
import { stripHopByHop } from '../../../protocol/hop-by-hop.js';
import { newFacts, recordOutcome } from './outcome.js';
import { sendRefusal, type Refusal } from './refusal.js';
import { parseAbsoluteTarget } from '../../../protocol/proxy-target.js';
import { checkedHost } from './upstream-agent.js';

class UpstreamTimeout extends Error {}

export async function forwardHttp(req: IncomingMessage, res: ServerResponse, ctx: ProxyContext): Promise<void> {
  const started = ctx.now();
  const method = req.method ?? 'GET';
  const facts = newFacts();
  let up = 0;
  let down = 0;
  let code: string | undefined;
  res.once('close', () => recordOutcome(ctx, 'http', started, facts, { method, status: res.statusCode, bytesUp: up, bytesDown: down, code }));
  const refuse = (refusal: Refusal) => {
    code = refusal.code;
    // The unread request body is discarded; the connection closes after the answer.
    req.resume();
    sendRefusal(res, refusal);
  };

  const admitted = await admit(req.headers['proxy-authorization'], req.socket, ctx, facts);
  if (!admitted.ok) return refuse(admitted.refusal);
  const claims = admitted.claims;

  const parsed = parseAbsoluteTarget(req.url ?? '');
  if (!parsed.ok) return refuse({ status: 400, code: 'BAD_REQUEST', message: parsed.reason });
  const target = parsed.target;
  facts.where = { host: target.host, port: target.port };

  const checked = await checkDestination(target.host, target.port, { userEmail: claims.user, groups: claims.groups }, ctx);
  facts.ruleId = checked.ruleId;
  if (!checked.ok) {
    if (checked.code === 'ACCESS_BLOCKED' && wantsHtml(req.headers.accept)) {
      code = checked.code;
      req.resume();
      const description = ctx.rules()?.access.rules.find((rule) => rule.id === checked.ruleId)?.description;
      return sendBlockPage(res, { host: target.host, port: target.port, ruleId: checked.ruleId, ruleDescription: description, user: claims.user });
    }
    return refuse(destinationRefusal(checked));
  }
  if (res.destroyed) return;

  // The edge answers `Expect: 100-continue` itself, and only now that the request may go through,
  // so an unauthenticated or refused client is never invited to send its body.
  if (req.headers.expect?.toLowerCase() === '100-continue') res.writeContinue();
  const headers = stripHopByHop(req.rawHeaders).filter(([name]) => !['host', 'expect'].includes(name.toLowerCase()));
  const upstream = request({
    agent: ctx.agent,
    host: checkedHost(checked.addresses),
    port: target.port,
    method,
    path: target.path,
    setHost: false,
    headers: ['Host', target.authority, ...headers.flat()],
    timeout: ctx.upstreamIdleTimeoutMs,
  });
  upstream.once('timeout', () => upstream.destroy(new UpstreamTimeout()));
  // A client that leaves before its answer is complete takes the upstream request with it.
  res.once('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  // pipe() rather than pipeline(): pipeline builds and aborts an AbortController per stream pair,
  // which costs more than the rest of a small proxied request (bench/RESULTS.md, edge-proxy).
  upstream.once('response', (upRes: IncomingMessage) => {
    res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, stripHopByHop(upRes.rawHeaders).flat());
    upRes.on('data', (chunk: Buffer) => (down += chunk.length));
    upRes.once('error', () => res.destroy());
    upRes.once('aborted', () => res.destroy());
    upRes.pipe(res);
  });
  const failed = (err: Error) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    ctx.logger.warn({ host: target.host, port: target.port, err: err.message }, 'upstream request failed');
    refuse(err instanceof UpstreamTimeout ? upstreamTimeout(target.authority, ctx.upstreamIdleTimeoutMs) : unreachable(target.authority, err));
  };
  upstream.once('error', failed);
  req.on('data', (chunk: Buffer) => (up += chunk.length));
  req.once('error', () => upstream.destroy());
  req.pipe(upstream);
}

function unreachable(authority: string, err: unknown): Refusal {
  const why = err instanceof Error ? err.message : String(err);
  return { status: 502, code: 'UPSTREAM_UNREACHABLE', message: `The edge could not reach ${authority} (${why}). The site may be down; try again later.` };
}

function upstreamTimeout(authority: string, ms: number): Refusal {
  return { status: 504, code: 'UPSTREAM_TIMEOUT', message: `${authority} did not answer within ${Math.round(ms / 1000)} s. The site may be overloaded; try again later.` };
}
