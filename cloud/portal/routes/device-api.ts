/**
 * The device API (`/api/v1/device/…`, protocol/portal.ts): enrollment by RFC 8628 (authorize,
 * token) for anyone, rate limited per address; everything else behind the device credential.
 *
 * The config route is the hot path — every enrolled device polls it — so it is built to answer a
 * revalidation (If-None-Match → 304) with two store reads (the device, the current policy) and
 * in-memory lookups: see device/signed-configs.ts.
 */
import type { FastifyInstance } from 'fastify';
import {
  DEVICE_CODE_GRANT,
  Heartbeat,
  PORTAL_API_PREFIX,
  SupportRequest,
  VerifyCodeRequest,
  type DeviceAuthorizeResponse,
  type DeviceTokenResponse,
  type EdgeTokenResponse,
  type HeartbeatResponse,
} from '../../../protocol/portal.js';
import type { PortalContext } from '../context.js';
import { randomToken } from '../crypto/secrets.js';
import { deviceAuth, type DeviceAuth } from '../device/device-auth.js';
import { ifNoneMatchHas } from '../device/etag.js';
import { Identities } from '../device/identities.js';
import { useOneTimeCode } from '../device/one-time-codes.js';
import { parseInput } from '../parse-input.js';
import { SignedConfigs } from '../device/signed-configs.js';
import { assertBundleSize, decodeSupportBundle } from '../device/support-bundle.js';
import { startDeviceAuthorization } from '../enrollment/authorize.js';
import type { DecisionWaits } from '../enrollment/decision-waits.js';
import { deviceCodeGrant } from '../enrollment/device-code-grant.js';
import { enrollmentTokenGrant } from '../enrollment/enrollment-token-grant.js';
import { pollHold } from '../enrollment/held-poll.js';
import { parseAuthorizeForm, parseTokenForm } from '../enrollment/oauth-forms.js';
import { OAuthError, noStore, sendOAuthError } from '../enrollment/oauth-error.js';
import { AUTHORIZE_LIMIT, TOKEN_LIMIT, VERIFY_CODE_LIMIT } from '../enrollment/rate-limits.js';

const DEVICE = `${PORTAL_API_PREFIX}/device`;

export async function registerDeviceApi(app: FastifyInstance, ctx: PortalContext, decisions: DecisionWaits): Promise<void> {
  await app.register((scope, _opts, done) => {
    registerEnrollment(scope, ctx, decisions);
    done();
  });
  await app.register((scope, _opts, done) => {
    // One hook for the whole scope: no device route can be added without authentication.
    const auth = deviceAuth(ctx, new Identities(ctx));
    scope.addHook('preHandler', auth.preHandler);
    registerDeviceRoutes(scope, ctx, auth);
    done();
  });
}

/** RFC 8628: anyone may start an enrollment and poll for its outcome (held until decided: held-poll.ts). */
function registerEnrollment(app: FastifyInstance, ctx: PortalContext, decisions: DecisionWaits): void {
  app.post(`${DEVICE}/authorize`, { config: { rateLimit: AUTHORIZE_LIMIT } }, async (request, reply) => {
    try {
      const response: DeviceAuthorizeResponse = await startDeviceAuthorization(ctx, parseAuthorizeForm(request));
      return noStore(reply).send(response);
    } catch (err) {
      if (err instanceof OAuthError) return sendOAuthError(reply, err);
      throw err;
    }
  });

  app.post(`${DEVICE}/token`, { config: { rateLimit: TOKEN_LIMIT } }, async (request, reply) => {
    try {
      const form = parseTokenForm(request);
      const response: DeviceTokenResponse =
        form.grant_type === DEVICE_CODE_GRANT
          ? await deviceCodeGrant(ctx, form.device_code, pollHold(decisions, reply))
          : await enrollmentTokenGrant(ctx, form);
      return noStore(reply).send(response);
    } catch (err) {
      if (err instanceof OAuthError) return sendOAuthError(reply, err);
      throw err;
    }
  });
}

/** Routes of an enrolled device; `auth.deviceOf(request)` is the device that called. */
function registerDeviceRoutes(app: FastifyInstance, ctx: PortalContext, auth: DeviceAuth): void {
  const configs = new SignedConfigs(ctx);

  app.get(`${DEVICE}/config`, async (request, reply) => {
    const signed = await configs.forDevice(auth.deviceOf(request));
    // Device-specific, and always revalidated: the ETag makes that nearly free.
    reply.header('cache-control', 'private, no-cache').header('etag', signed.etag);
    if (ifNoneMatchHas(request.headers['if-none-match'], signed.etag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(signed.body);
  });

  app.post(`${DEVICE}/heartbeat`, async (request): Promise<HeartbeatResponse> => {
    const { device } = auth.deviceOf(request);
    const beat = parseInput(Heartbeat, request.body);
    // Merged, so a device that omits a field (its OS, say) keeps what it reported before.
    const fingerprint = { ...device.fingerprint, ...beat.fingerprint };
    await ctx.store.updateDevice(device.id, { fingerprint, policyVersion: beat.policyVersion, lastSeenAt: ctx.now() });
    const current = await ctx.store.currentPolicy(ctx.org.id);
    return { policyVersion: current?.version ?? null };
  });

  app.post(`${DEVICE}/edge-token`, async (request): Promise<EdgeTokenResponse> => {
    const { device, user, groups } = auth.deviceOf(request);
    const now = ctx.now();
    const ttl = Math.min(ctx.config.edgeTokenTtlSeconds, 3600);
    const signer = await ctx.signer();
    const token = await signer.edgeToken({ iss: ctx.config.publicUrl, sub: device.id, org: ctx.org.id, user: user.email, groups }, now, ttl);
    return { token, expires_at: Math.floor(now / 1000) + ttl };
  });

  app.post(`${DEVICE}/support`, async (request, reply) => {
    const { device } = auth.deviceOf(request);
    const raw = request.body;
    if (typeof raw === 'object' && raw !== null && 'bundle' in raw && typeof raw.bundle === 'string') assertBundleSize(raw.bundle);
    const body = parseInput(SupportRequest, raw);
    const bundle = body.bundle === undefined ? null : decodeSupportBundle(body.bundle);
    const id = randomToken(12);
    await ctx.store.createTicket({
      id,
      orgId: ctx.org.id,
      deviceId: device.id,
      userId: device.userId,
      subject: body.subject,
      message: body.message,
      bundle,
      status: 'open',
      createdAt: ctx.now(),
    });
    await ctx.audit(device.userId, 'support.ticket.create', id, { deviceId: device.id, bundleBytes: bundle?.byteLength ?? 0 });
    return reply.code(201).send({ ticketId: id });
  });

  app.post(`${DEVICE}/verify-code`, { config: { rateLimit: VERIFY_CODE_LIMIT } }, async (request) => {
    const { device } = auth.deviceOf(request);
    const body = parseInput(VerifyCodeRequest, request.body);
    return { valid: await useOneTimeCode(ctx, device.id, body.kind, body.code) };
  });
}
