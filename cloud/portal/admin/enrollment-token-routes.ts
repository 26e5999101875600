/**
 * Admin API: enrollment tokens for zero-touch enrollment of managed browsers. The token is shown
 * once, when created; the store keeps its SHA-256 (it carries 256 bits, see crypto/secrets.ts).
 * The `wge_` prefix lets secret scanners recognise one pasted where it should not be.
 */
import type { FastifyInstance } from 'fastify';
import { WaygateError } from '../../../protocol/errors.js';
import {
  CreateEnrollmentTokenRequest,
  type AdminEnrollmentToken,
  type CreateEnrollmentTokenResponse,
  type EnrollmentTokenList,
} from '../../../protocol/portal-admin.js';
import { parseInput } from '../parse-input.js';
import type { PortalContext } from '../context.js';
import { randomToken, sha256 } from '../crypto/secrets.js';
import type { EnrollmentToken, Millis } from '../store/store.js';
import type { AdminGuard } from './admin-guard.js';
import { IdParams } from './params.js';

const DAY_MS = 86_400_000;

function view(token: EnrollmentToken, now: Millis): AdminEnrollmentToken {
  const status = token.revokedAt !== null ? 'revoked' : token.expiresAt !== null && token.expiresAt <= now ? 'expired' : 'active';
  return { id: token.id, label: token.label, createdAt: token.createdAt, expiresAt: token.expiresAt, revokedAt: token.revokedAt, status };
}

export function registerEnrollmentTokenRoutes(app: FastifyInstance, ctx: PortalContext, guard: AdminGuard): void {
  app.get('/enrollment-tokens', async (): Promise<EnrollmentTokenList> => {
    const tokens = await ctx.store.listEnrollmentTokens(ctx.org.id);
    const now = ctx.now();
    return { tokens: tokens.sort((a, b) => b.createdAt - a.createdAt).map((t) => view(t, now)) };
  });

  app.post('/enrollment-tokens', async (request, reply): Promise<CreateEnrollmentTokenResponse> => {
    const body = parseInput(CreateEnrollmentTokenRequest, request.body);
    const now = ctx.now();
    const plain = `wge_${randomToken(32)}`;
    const token: EnrollmentToken = {
      id: randomToken(12),
      orgId: ctx.org.id,
      label: body.label,
      tokenHash: sha256(plain),
      createdAt: now,
      expiresAt: body.expiresInDays === undefined ? null : now + body.expiresInDays * DAY_MS,
      revokedAt: null,
    };
    await ctx.store.createEnrollmentToken(token);
    await ctx.audit(guard.actor(request).id, 'enrollment-token.create', token.id, { label: token.label, expiresAt: token.expiresAt });
    reply.code(201).header('cache-control', 'no-store');
    return { enrollmentToken: view(token, now), token: plain };
  });

  app.post('/enrollment-tokens/:id/revoke', async (request): Promise<AdminEnrollmentToken> => {
    const { id } = parseInput(IdParams, request.params, 'path');
    const token = (await ctx.store.listEnrollmentTokens(ctx.org.id)).find((t) => t.id === id);
    if (!token) throw new WaygateError('NOT_FOUND', `No enrollment token ${id} in this organisation.`);
    const now = ctx.now();
    if (token.revokedAt !== null) return view(token, now);
    await ctx.store.revokeEnrollmentToken(token.id, now);
    await ctx.audit(guard.actor(request).id, 'enrollment-token.revoke', token.id, { label: token.label });
    return view({ ...token, revokedAt: now }, now);
  });
}
