/**
 * Who may use the proxy, checked in the same order for a request and for a CONNECT: a valid edge
 * token (407 otherwise, counted as an auth failure), then the device's connection limit (429). The
 * device and user go into the request's facts for the access log from here on.
 */
import type { Socket } from 'node:net';
import { authenticate, type Authentication } from './authenticate.js';
import type { ProxyContext } from './context.js';
import type { RequestFacts } from './outcome.js';
import { tooManyConnections } from './refusal.js';

export async function admit(header: string | undefined, socket: Socket, ctx: ProxyContext, facts: RequestFacts): Promise<Authentication> {
  const auth = await authenticate(header, ctx.verify);
  if (!auth.ok) {
    ctx.metrics.authFailure(auth.refusal.code);
    return auth;
  }
  facts.who = { device: auth.claims.sub, user: auth.claims.user };
  if (!ctx.connections.admit(auth.claims.sub, socket)) return { ok: false, refusal: tooManyConnections(ctx.connections.limit) };
  return auth;
}
