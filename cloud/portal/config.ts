/**
 * The portal's settings: flags override environment variables, which override embedded defaults
 * that run the whole system on one machine (loopback, a data dir in the working directory).
 */
import { resolve } from 'node:path';
import { z } from 'zod';

export const PortalConfig = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8400),
  /** The URL people and devices use to reach the portal (verification links, token issuer). */
  publicUrl: z.string().url().optional(),
  dataDir: z.string().default('.waygate/portal'),
  /** postgres://… to share one database between replicas; SQLite in dataDir otherwise. */
  databaseUrl: z.string().optional(),
  /** Per-user device limit. */
  deviceLimit: z.coerce.number().int().positive().default(16),
  /** RFC 8628 device code lifetime and minimum polling interval. */
  deviceCodeTtlSeconds: z.coerce.number().int().positive().default(600),
  pollIntervalSeconds: z.coerce.number().int().positive().default(5),
  /**
   * RFC 8628 long polling: the token endpoint holds a pending poll open for up to
   * min(interval, this) − 1 s and answers the moment the person approves or denies (see
   * enrollment/held-poll.ts). Keep it under the idle timeout of any proxy in front of the portal;
   * 0 answers every poll at once.
   */
  tokenHoldSeconds: z.coerce.number().min(0).max(60).default(20),
  edgeTokenTtlSeconds: z.coerce.number().int().positive().max(3600).default(3600),
  sessionTtlHours: z.coerce.number().positive().default(12),
  /**
   * The secret edges present to pull policy (protocol/portal-edge.ts). Without it the edge API is
   * off: nothing but an edge should read the access rules and the list of revoked devices.
   */
  edgeKey: z.string().min(32, 'The edge key must be at least 32 characters; generate one with `openssl rand -base64 32`.').optional(),
  oidc: z
    .object({
      issuer: z.string().url(),
      clientId: z.string().min(1),
      clientSecret: z.string().min(1),
      /** The ID-token/userinfo claim that lists the user's groups. */
      groupsClaim: z.string().default('groups'),
      /** Label of the sign-in button. */
      displayName: z.string().default('Single sign-on'),
    })
    .optional(),
});
export type PortalConfig = z.infer<typeof PortalConfig> & { publicUrl: string; dataDir: string };

/** Reads WAYGATE_PORTAL_* variables (and DATABASE_URL), then applies `overrides`. */
export function loadPortalConfig(env: NodeJS.ProcessEnv, overrides: Record<string, unknown> = {}): PortalConfig {
  const oidc = env.WAYGATE_OIDC_ISSUER
    ? {
        issuer: env.WAYGATE_OIDC_ISSUER,
        clientId: env.WAYGATE_OIDC_CLIENT_ID,
        clientSecret: env.WAYGATE_OIDC_CLIENT_SECRET,
        groupsClaim: env.WAYGATE_OIDC_GROUPS_CLAIM,
        displayName: env.WAYGATE_OIDC_DISPLAY_NAME,
      }
    : undefined;
  const fromEnv = {
    host: env.WAYGATE_PORTAL_HOST,
    port: env.WAYGATE_PORTAL_PORT,
    publicUrl: env.WAYGATE_PORTAL_URL,
    dataDir: env.WAYGATE_PORTAL_DATA_DIR,
    databaseUrl: env.DATABASE_URL,
    deviceLimit: env.WAYGATE_DEVICE_LIMIT,
    tokenHoldSeconds: env.WAYGATE_TOKEN_HOLD_SECONDS,
    edgeKey: env.WAYGATE_EDGE_KEY,
    oidc,
  };
  const defined = Object.fromEntries(Object.entries({ ...fromEnv, ...overrides }).filter(([, v]) => v !== undefined));
  const parsed = PortalConfig.parse(defined);
  return {
    ...parsed,
    dataDir: resolve(parsed.dataDir),
    publicUrl: (parsed.publicUrl ?? `http://${parsed.host}:${parsed.port}`).replace(/\/$/, ''),
  };
}
