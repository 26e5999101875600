/**
 * Device ⇄ portal API, version 1 (`/api/v1/device/…`), plus the portal's published keys.
 *
 * Enrollment is the OAuth 2.0 Device Authorization Grant (RFC 8628): the device asks for a code
 * (`authorize`, form-encoded), shows the user the verification URL and user code, and polls `token`
 * until the user approves in the browser. Zero-touch enrollment (managed browsers) uses an extension
 * grant on the same token endpoint with the org's enrollment token (RFC 6749 §4.5).
 *
 * After enrollment the device authenticates with `Authorization: Bearer <device credential>`; the
 * credential is `wgd.<deviceId>.<secret>` so the portal can find the device without a scan. It is
 * stored hashed; a revoked device gets 401 on every call.
 *
 * The effective config is signed with Ed25519 over its canonical JSON (RFC 8785), so a device can
 * check it against the portal key it pinned at enrollment — also when it reads it back from its
 * own disk cache.
 */
import { z } from 'zod';
import { DeviceOs, EffectiveConfig, NetworkType } from './policy.js';

export const PORTAL_API_PREFIX = '/api/v1';
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
export const ENROLLMENT_TOKEN_GRANT = 'urn:waygate:params:oauth:grant-type:enrollment-token';
export const CLIENT_ID = 'waygate';

export { DeviceOs, NetworkType } from './policy.js';

/** POST /api/v1/device/authorize, application/x-www-form-urlencoded. */
export const DeviceAuthorizeForm = z.object({
  client_id: z.literal(CLIENT_ID),
  device_name: z.string().min(1).max(128),
  os: DeviceOs,
  os_version: z.string().max(64).default(''),
});
export type DeviceAuthorizeForm = z.infer<typeof DeviceAuthorizeForm>;

/** RFC 8628 §3.2 device authorization response. */
export const DeviceAuthorizeResponse = z.object({
  device_code: z.string(),
  user_code: z.string(),
  verification_uri: z.string().url(),
  verification_uri_complete: z.string().url(),
  expires_in: z.number().int().positive(),
  interval: z.number().int().positive(),
});
export type DeviceAuthorizeResponse = z.infer<typeof DeviceAuthorizeResponse>;

/** POST /api/v1/device/token, form-encoded: the device-code grant or the enrollment-token grant. */
export const DeviceTokenForm = z.discriminatedUnion('grant_type', [
  z.object({ grant_type: z.literal(DEVICE_CODE_GRANT), device_code: z.string().min(1), client_id: z.literal(CLIENT_ID) }),
  z.object({
    grant_type: z.literal(ENROLLMENT_TOKEN_GRANT),
    client_id: z.literal(CLIENT_ID),
    enrollment_token: z.string().min(1),
    /** The user the managed browser is signed in as; must be a user of the org. */
    user_email: z.string().email(),
    device_name: z.string().min(1).max(128),
    os: DeviceOs,
    os_version: z.string().max(64).default(''),
  }),
]);
export type DeviceTokenForm = z.infer<typeof DeviceTokenForm>;

/** A public signing key as published in the JWKS (Ed25519, OKP). */
export const PublicJwk = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string(),
  kid: z.string(),
  alg: z.literal('EdDSA'),
  use: z.literal('sig'),
});
export type PublicJwk = z.infer<typeof PublicJwk>;

export const Jwks = z.object({ keys: z.array(PublicJwk) });
export type Jwks = z.infer<typeof Jwks>;

/** What a device gets when enrollment succeeds. */
export const DeviceTokenResponse = z.object({
  token_type: z.literal('waygate-device'),
  device_id: z.string(),
  device_credential: z.string(),
  org: z.object({ id: z.string(), name: z.string() }),
  user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
  /** The keys to pin: the config signature and edge tokens verify against them. */
  portal_keys: Jwks,
});
export type DeviceTokenResponse = z.infer<typeof DeviceTokenResponse>;

/** RFC 6749 §5.2 / RFC 8628 §3.5 error codes of the token endpoint. */
export const TokenErrorCode = z.enum([
  'authorization_pending',
  'slow_down',
  'access_denied',
  'expired_token',
  'invalid_grant',
  'invalid_request',
  'invalid_client',
  'unsupported_grant_type',
]);
export const TokenError = z.object({ error: TokenErrorCode, error_description: z.string().optional() });
export type TokenError = z.infer<typeof TokenError>;

/** GET /api/v1/device/config → the signed effective config (ETag; If-None-Match → 304). */
export const SignedConfig = z.object({
  config: EffectiveConfig,
  signature: z.object({ alg: z.literal('EdDSA'), kid: z.string(), value: z.string() }),
});
export type SignedConfig = z.infer<typeof SignedConfig>;

export const DeviceFingerprint = z.object({
  os: DeviceOs.optional(),
  osVersion: z.string().max(64).optional(),
  model: z.string().max(128).optional(),
  hostname: z.string().max(255).optional(),
  serial: z.string().max(128).optional(),
  appVersion: z.string().max(32).optional(),
  networkType: NetworkType.optional(),
  edge: z.string().max(128).optional(),
  state: z.string().max(64).optional(),
});
export type DeviceFingerprint = z.infer<typeof DeviceFingerprint>;

/** POST /api/v1/device/heartbeat. */
export const Heartbeat = z.object({
  fingerprint: DeviceFingerprint,
  /** The policy version of the config the device is applying, or null before its first config. */
  policyVersion: z.number().int().nonnegative().nullable(),
});
export type Heartbeat = z.infer<typeof Heartbeat>;

export const HeartbeatResponse = z.object({
  /** The current policy version: when it differs from the device's, the device syncs now. */
  policyVersion: z.number().int().nonnegative().nullable(),
});
export type HeartbeatResponse = z.infer<typeof HeartbeatResponse>;

/** POST /api/v1/device/edge-token → an EdDSA JWT for the edge (≤ 1 h); `expires_at` is its `exp`, in epoch seconds. */
export const EdgeTokenResponse = z.object({ token: z.string(), expires_at: z.number().int() });
export type EdgeTokenResponse = z.infer<typeof EdgeTokenResponse>;

/** The claims of an edge token, as the edge verifies them. */
export const EdgeTokenClaims = z.object({
  iss: z.string(),
  aud: z.literal('waygate-edge'),
  sub: z.string(),
  org: z.string(),
  user: z.string(),
  groups: z.array(z.string()),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type EdgeTokenClaims = z.infer<typeof EdgeTokenClaims>;

export const SUPPORT_BUNDLE_MAX_BYTES = 5 * 1024 * 1024;

/** POST /api/v1/device/support: a ticket with an optional diagnostics bundle (base64). */
export const SupportRequest = z.object({
  subject: z.string().min(1).max(200),
  message: z.string().max(10_000),
  bundle: z.string().max(Math.ceil((SUPPORT_BUNDLE_MAX_BYTES * 4) / 3) + 4).optional(),
});
export type SupportRequest = z.infer<typeof SupportRequest>;

export const SupportResponse = z.object({ ticketId: z.string() });

/** POST /api/v1/device/verify-code: checks (and uses up) a one-time disable/logout code. */
export const VerifyCodeRequest = z.object({ kind: z.enum(['disable', 'logout']), code: z.string().min(1).max(64) });
export const VerifyCodeResponse = z.object({ valid: z.boolean() });

/** Errors of the device API other than the token endpoint: `{code, message}` as everywhere. */
export { WireError as PortalError } from './errors.js';
