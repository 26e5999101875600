/**
 * The edge API (protocol/portal-edge.ts): the access policy and the recently revoked devices, for
 * edges to enforce without asking the portal per request. Behind the shared edge key; answered
 * with an ETag so an edge's poll that finds nothing new costs a 304.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WaygateError } from '../../../protocol/errors.js';
import { EDGE_POLICY_PATH, type EdgePolicy } from '../../../protocol/portal-edge.js';
import { DEFAULT_POLICY, PolicyDocument } from '../../../protocol/policy.js';
import type { PortalContext } from '../context.js';
import { constantTimeEqual } from '../crypto/secrets.js';
import { etagOf, ifNoneMatchHas } from '../device/etag.js';

/**
 * How far back revocations are listed: the longest an edge token lives (an hour), plus the clock
 * skew an edge tolerates, plus a margin. A device revoked earlier has no unexpired token left.
 */
const REVOCATION_WINDOW_MS = 2 * 60 * 60 * 1000;

export function registerEdgeApi(app: FastifyInstance, ctx: PortalContext): void {
  app.get(EDGE_POLICY_PATH, async (request, reply) => {
    checkEdgeKey(request, ctx.config.edgeKey);
    const policy = await edgePolicy(ctx);
    const body = JSON.stringify(policy);
    const etag = etagOf(body);
    reply.header('etag', etag).header('cache-control', 'no-cache');
    if (ifNoneMatchHas(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(body);
  });
}

function checkEdgeKey(request: FastifyRequest, edgeKey: string | undefined): void {
  if (edgeKey === undefined) {
    throw new WaygateError('NOT_FOUND', 'The edge API is off on this portal: start it with WAYGATE_EDGE_KEY set to the key its edges use.');
  }
  const presented = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (presented === undefined || !constantTimeEqual(presented, edgeKey)) {
    throw new WaygateError('UNAUTHENTICATED', 'The edge key is missing or wrong: check the edge was started with the portal\'s WAYGATE_EDGE_KEY.');
  }
}

async function edgePolicy(ctx: PortalContext): Promise<EdgePolicy> {
  const current = await ctx.store.currentPolicy(ctx.org.id);
  // Stored documents were validated when saved; parsing again keeps a corrupt row from reaching edges.
  const document = current === null ? DEFAULT_POLICY : PolicyDocument.parse(current.document);
  const revokedDevices = await ctx.store.revokedDevicesSince(ctx.org.id, ctx.now() - REVOCATION_WINDOW_MS);
  return { policyVersion: current?.version ?? null, access: document.access, revokedDevices };
}
