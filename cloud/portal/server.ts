/**
 * Composition root of the portal's HTTP server: plugins, error shape, and each area's routes.
 * Areas: device API and enrollment (routes/device-api.ts, routes/verification.ts), sign-in
 * (auth/), the admin API (routes/admin-api.ts) and its UI (routes/admin-ui.ts), published keys.
 */
import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { WaygateError, httpStatusOf, toWireError } from '../../protocol/errors.js';
import { SUPPORT_BUNDLE_MAX_BYTES, type Jwks } from '../../protocol/portal.js';
import { PublicJwk } from '../../protocol/portal.js';
import type { PortalContext } from './context.js';
import { DecisionWaits } from './enrollment/decision-waits.js';
import { registerAdminApi } from './routes/admin-api.js';
import { registerAdminUi } from './routes/admin-ui.js';
import { registerAuth } from './auth/register-auth.js';
import { registerDeviceApi } from './routes/device-api.js';
import { registerEdgeApi } from './routes/edge-api.js';
import { registerVerification } from './routes/verification.js';

/** Support bundles are the largest bodies: base64 of 5 MiB plus the JSON around it. */
const BODY_LIMIT = Math.ceil((SUPPORT_BUNDLE_MAX_BYTES * 4) / 3) + 64 * 1024;

export async function buildPortal(ctx: PortalContext): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT, trustProxy: false, forceCloseConnections: true });
  await app.register(formbody);
  await app.register(cookie);
  // Limits are opt-in per route (`config.rateLimit`): sign-in, authorize and token.
  await app.register(rateLimit, {
    global: false,
    // Thrown, so it reaches the error handler below as an Error carrying its message and status.
    errorResponseBuilder: (_request, context) =>
      Object.assign(new Error(`Too many requests; retry in ${Math.ceil(context.ttl / 1000)} s.`), { statusCode: 429 }),
  });

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof WaygateError) return reply.code(httpStatusOf(err.code)).send(err.toWire());
    const status = typeof err === 'object' && err !== null && 'statusCode' in err ? Number(err.statusCode) : 500;
    if (status === 429) return reply.code(429).send({ code: 'RATE_LIMITED', message: err instanceof Error ? err.message : 'Too many requests.' });
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ code: 'BAD_REQUEST', message: err instanceof Error ? err.message : 'Bad request.' });
    }
    ctx.logger.error({ err, url: request.url }, 'portal: request failed');
    return reply.code(500).send(toWireError(err));
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ code: 'NOT_FOUND', message: `No route ${request.method} ${request.url}.` }));

  app.get('/healthz', () => ({ ok: true }));
  app.get('/.well-known/jwks.json', async (): Promise<Jwks> => {
    const keys = await ctx.store.listSigningKeys(ctx.org.id);
    return { keys: keys.map((k) => PublicJwk.parse(k.publicJwk)) };
  });

  // Token polls held for a decision (RFC 8628 long polling) answer before the server closes.
  const decisions = new DecisionWaits();
  app.addHook('preClose', () => decisions.close());

  const sessions = await registerAuth(app, ctx);
  await registerDeviceApi(app, ctx, decisions);
  registerEdgeApi(app, ctx);
  await registerVerification(app, ctx, sessions, decisions);
  await registerAdminApi(app, ctx, sessions);
  await registerAdminUi(app, ctx);
  return app;
}
