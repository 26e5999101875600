/**
 * The edge's settings: flags override WAYGATE_EDGE_* environment variables, which override embedded
 * defaults that run next to a local portal on one machine (loopback listeners, state in the working
 * directory). The edge key is read from the environment or a file, never from a flag, so it does not
 * show in the process list.
 */
import { resolve } from 'node:path';
import { z } from 'zod';

const HostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):([0-9]{1,5})$/, 'Give host:port, such as 127.0.0.1:8443 or [::]:8443.')
  .transform((text) => {
    const colon = text.lastIndexOf(':');
    return { host: text.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(text.slice(colon + 1)) };
  });
export type HostPort = z.output<typeof HostPort>;

const CidrList = z
  .string()
  .transform((text) => text.split(',').map((part) => part.trim()).filter((part) => part !== ''));

export const EdgeConfig = z
  .object({
    /** The plain-HTTP proxy listener; empty to serve TLS only. */
    listen: z.union([HostPort, z.literal('')]).prefault('127.0.0.1:8443'),
    /** The TLS proxy listener (needs tlsCert and tlsKey). */
    tlsListen: HostPort.optional(),
    tlsCert: z.string().optional(),
    tlsKey: z.string().optional(),
    /** Prometheus /metrics and /healthz for operators; keep it off the public interface. */
    metricsListen: z.union([HostPort, z.literal('')]).prefault('127.0.0.1:9464'),
    portalUrl: z.string().url().default('http://127.0.0.1:8400'),
    edgeKey: z.string().min(32, 'The edge key must be at least 32 characters (the portal\'s WAYGATE_EDGE_KEY).'),
    stateDir: z.string().default('.waygate/edge'),
    policyIntervalSeconds: z.coerce.number().positive().default(10),
    /** Seconds of clock skew allowed between portal and edge on token times (exp, iat). */
    clockToleranceSeconds: z.coerce.number().int().min(0).max(300).default(30),
    /** Where access-log lines go: a file path, or `-` for standard output. */
    accessLog: z.string().default('-'),
    /** Networks the edge sits on, refused as destinations like private ranges (in addition to its interfaces' own). */
    ownCidrs: CidrList.prefault(''),
    /** A hosts file (/etc/hosts format) whose names resolve before DNS is asked; see hosts.ts. */
    hostsFile: z.string().min(1).optional(),
    connectionsPerDevice: z.coerce.number().int().positive().default(256),
    /** A request head (line and headers) must arrive within this (slowloris). */
    headTimeoutSeconds: z.coerce.number().positive().default(10),
    /** Run the packet-tunnel endpoint at /tunnel/v1 (Linux, needs CAP_NET_ADMIN). */
    tunnel: z.boolean().default(false),
    tunnelPool: z.string().default('100.64.0.0/10'),
    /** The edge's TUN interface (at most 15 characters). */
    tunnelInterface: z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/, 'An interface name is 1–15 letters, digits, _ . or -.').default('waygate-edge0'),
    tunnelDns: CidrList.prefault(''),
    tunnelMtu: z.coerce.number().int().min(1280).max(65_535).default(1420),
    tunnelOffload: z.boolean().default(true),
    shutdownGraceSeconds: z.coerce.number().nonnegative().default(10),
  })
  .superRefine((config, ctx) => {
    if (config.tlsListen !== undefined && (config.tlsCert === undefined || config.tlsKey === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['tlsListen'], message: 'A TLS listener needs --tls-cert and --tls-key (PEM files).' });
    }
    if (config.listen === '' && config.tlsListen === undefined) {
      ctx.addIssue({ code: 'custom', path: ['listen'], message: 'The edge needs a listener: --listen, --tls-listen or both.' });
    }
  });
export type EdgeConfig = z.output<typeof EdgeConfig>;

/** Reads WAYGATE_EDGE_* variables, then applies `overrides` (flags). Throws a ZodError naming each bad setting. */
export function loadEdgeConfig(env: NodeJS.ProcessEnv, overrides: Record<string, unknown> = {}): EdgeConfig {
  const fromEnv = {
    listen: env.WAYGATE_EDGE_LISTEN,
    tlsListen: env.WAYGATE_EDGE_TLS_LISTEN,
    tlsCert: env.WAYGATE_EDGE_TLS_CERT,
    tlsKey: env.WAYGATE_EDGE_TLS_KEY,
    metricsListen: env.WAYGATE_EDGE_METRICS_LISTEN,
    portalUrl: env.WAYGATE_PORTAL_URL,
    edgeKey: env.WAYGATE_EDGE_KEY,
    stateDir: env.WAYGATE_EDGE_STATE_DIR,
    accessLog: env.WAYGATE_EDGE_ACCESS_LOG,
    ownCidrs: env.WAYGATE_EDGE_OWN_CIDRS,
    hostsFile: env.WAYGATE_EDGE_HOSTS,
  };
  const defined = (values: Record<string, unknown>) => Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
  const parsed = EdgeConfig.parse({ ...defined(fromEnv), ...defined(overrides) });
  return { ...parsed, stateDir: resolve(parsed.stateDir) };
}
