/**
 * The service's LocalAPI: HTTP over a Unix socket (a named pipe on Windows), routes under
 * `/localapi/v1/`. The CLI and the native bridge are its only clients, through one typed client.
 *
 * Permission model (checked once, before dispatch, from the peer credentials of the socket):
 * - `read`  — status, version, ping, watch: any local user who can open the socket. The privileged
 *             service's socket is world-connectable; the user-mode socket lives in the user's private
 *             runtime dir, so only that user reaches it.
 * - `write` — anything that changes state: root, the uid the service runs as, or an operator uid
 *             named with `--operator`. Switching protection off additionally needs the policy's
 *             password, checked by the route itself.
 *
 * Two ways in, one route table and one permission check:
 * - plain HTTP: `GET /localapi/v1/status` etc. (what `curl --unix-socket` and the watch stream use);
 * - the RPC channel: `GET /localapi/v1/rpc` upgraded to `waygate-rpc/1`, after which both sides
 *   exchange length-prefixed JSON frames (protocol/frame-codec.ts) carrying `{v, id, route, body}`
 *   and `{v, id, result | error}`. One long-lived connection saves the HTTP round of every call,
 *   which the native bridge pays for every message from the browser.
 */
import { z } from 'zod';
import { WireError } from './errors.js';
import { InternetAction, NetworkType } from './policy.js';

export const LOCALAPI_VERSION = 1;
export const LOCALAPI_PREFIX = '/localapi/v1';

/**
 * `read`: look only. `user`: any local user who can open the socket — signing in, syncing, turning
 * protection off and on, signing out: what the person at the device may do; a route that the
 * profile guards with a password checks it itself. `write`: service administration (root, the
 * service's uid, `--operator` uids).
 */
export const Permission = z.enum(['read', 'user', 'write']);
export type Permission = z.infer<typeof Permission>;

/** `system`: the privileged service (systemd/launchd/Windows service); `user`: unprivileged, no TUN. */
export const ServiceMode = z.enum(['system', 'user']);
export type ServiceMode = z.infer<typeof ServiceMode>;

/** What the service process is doing, as one word; what protection is doing is `protection`. */
export const ServiceState = z.enum(['starting', 'running', 'stopping']);
export type ServiceState = z.infer<typeof ServiceState>;

export const VersionInfo = z.object({
  v: z.literal(LOCALAPI_VERSION),
  version: z.string(),
  localapi: z.literal(LOCALAPI_VERSION),
  platform: z.string(),
  arch: z.string(),
  node: z.string(),
});
export type VersionInfo = z.infer<typeof VersionInfo>;

/* ───────────────────────────── What the service knows ───────────────────────────── */

/** Who this device is signed in as; set by enrollment, cleared by logout. */
export const Account = z.object({
  portalUrl: z.string(),
  deviceId: z.string(),
  deviceName: z.string(),
  user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
  org: z.object({ id: z.string(), name: z.string() }),
  /** ISO 8601. */
  enrolledAt: z.string(),
});
export type Account = z.infer<typeof Account>;

/** A device-flow sign-in in progress (RFC 8628): what the user must open and the code to check. */
export const LoginProgress = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('waiting'),
    userCode: z.string(),
    verificationUri: z.string(),
    verificationUriComplete: z.string(),
    /** ISO 8601: the code stops working then. */
    expiresAt: z.string(),
  }),
  /** The last attempt ended without signing in; `error.details.reason` says why. */
  z.object({ state: z.literal('failed'), error: WireError }),
]);
export type LoginProgress = z.infer<typeof LoginProgress>;

/** The config in force: where it came from and how the last sync went. */
export const ConfigState = z.object({
  policyVersion: z.number().int().nullable(),
  /** `portal`: fetched in this run; `disk`: the cached last good config (the portal has not answered yet). */
  source: z.enum(['portal', 'disk']).nullable(),
  /** ISO 8601 of the last successful fetch or 304, null before one. */
  syncedAt: z.string().nullable(),
  /** Why the last sync failed, null when it worked; the last good config stays in force either way. */
  lastError: WireError.nullable(),
  nextSyncAt: z.string().nullable(),
});
export type ConfigState = z.infer<typeof ConfigState>;

/**
 * One word for what protection is doing, always with a reason the user can read:
 * - `protected`   traffic goes through the organisation's edge as the profile says;
 * - `off`         the profile forwards nothing on this network (e.g. trusted);
 * - `disabled`    the user turned it off; it turns itself back on at `disabledUntil`;
 * - `paused`      a captive portal was found: forwarding pauses so the user can sign in to it,
 *                 and resumes at `captivePortal.resumesAt` or as soon as the internet answers;
 * - `fail-open`   no edge answers and the profile fails open: traffic goes direct until one does;
 * - `fail-closed` no edge answers and the profile fails closed: traffic is blocked until one does;
 * - `waiting`     signed in, protection not in force yet: no config (first sync pending or failing),
 *                 or the tunnel is connecting;
 * - `signed-out`  not enrolled: nothing is forwarded.
 */
export const ProtectionState = z.enum(['protected', 'off', 'disabled', 'paused', 'fail-open', 'fail-closed', 'waiting', 'signed-out']);
export type ProtectionState = z.infer<typeof ProtectionState>;

export const Protection = z.object({
  state: ProtectionState,
  reason: z.string(),
  /** ISO 8601, set while disabled. */
  disabledUntil: z.string().nullable(),
  /** Which actions the profile guards with a password (so the UI can ask for it up front). */
  passwords: z.object({ logout: z.boolean(), disable: z.boolean() }),
});
export type Protection = z.infer<typeof Protection>;

/** One trusted-network criterion as last evaluated: whether it held, and what was seen. */
export const CriterionCheck = z.object({
  criterion: z.enum(['dnsServers', 'dnsSearchDomains', 'hostnameResolves', 'defaultGateways', 'networkRanges', 'beacon']),
  met: z.boolean(),
  /** What was observed, in words: "DNS servers 10.0.0.53, 1.1.1.1 include 10.0.0.53". */
  detail: z.string(),
});
export type CriterionCheck = z.infer<typeof CriterionCheck>;

/**
 * Where the device is: its network type, the evidence in words, each criterion's check (empty when
 * the profile defines no trusted network), and when the network last changed (ISO 8601).
 */
export const NetworkView = z.object({
  type: NetworkType,
  evidence: z.array(z.string()),
  checks: z.array(CriterionCheck).default([]),
  changedAt: z.string().nullable().default(null),
});
export type NetworkView = z.infer<typeof NetworkView>;

export const EdgeView = z.object({
  id: z.string(),
  region: z.string(),
  proxyUrl: z.string(),
  /** Time to first byte of the edge's /probe, null until measured or when it did not answer. */
  latencyMs: z.number().nullable(),
  secondaryId: z.string().nullable(),
  /** `ok`, `degraded` (answering, but slower than the profile tolerates), or `unreachable`. */
  health: z.enum(['ok', 'degraded', 'unreachable']).default('ok'),
  /** Why this edge is the one in use ("fastest of 2", "failed over from eu-1: no answer for 3 s"). */
  reason: z.string().default(''),
});

/** A captive portal (hotel, café Wi-Fi) between the device and the internet. */
export const CaptivePortalView = z.object({
  state: z.enum(['none', 'detected']),
  /** Where the user signs in to it (the RFC 8908 user-portal-url, or where the probe was redirected). */
  loginUrl: z.string().nullable(),
  /** ISO 8601: protection resumes then at the latest; earlier as soon as the internet answers. */
  resumesAt: z.string().nullable(),
  detail: z.string(),
});
export type CaptivePortalView = z.infer<typeof CaptivePortalView>;
export type EdgeView = z.infer<typeof EdgeView>;

/**
 * What the browser should do with its proxy setting. The PAC itself is fetched with
 * `browser-settings` when `digest` changes, so status stays small.
 */
export const BrowserProxyView = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('pac'), digest: z.string() }),
  /** Give the setting back to the user (their own proxy settings apply). */
  z.object({ mode: z.literal('release') }),
]);
export type BrowserProxyView = z.infer<typeof BrowserProxyView>;

export const SystemProxyView = z.object({
  state: z.enum(['applied', 'restored', 'unavailable', 'failed', 'untouched']),
  detail: z.string(),
});
export type SystemProxyView = z.infer<typeof SystemProxyView>;

/**
 * The full-device tunnel, present while the plan's action is `tunnel`:
 * - `connecting`   opening the TUN and the WebSocket to the edge (first time, or after a policy change);
 * - `up`           packets flow through the edge;
 * - `reconnecting` the edge went away; retrying with backoff (a short gap: traffic waits, then `fail-*`);
 * - `fail-open`    the edge stayed away and the profile fails open: routes withdrawn, traffic goes direct;
 * - `fail-closed`  the edge stayed away and the profile fails closed: routes kept, packets dropped (counted);
 * - `unavailable`  this device cannot run a tunnel (not privileged, no TUN); the reason says which.
 * IPv6 is blocked (unreachable routes) while the tunnel carries IPv4 only, so it never leaks around it.
 */
export const TunnelState = z.enum(['connecting', 'up', 'reconnecting', 'fail-open', 'fail-closed', 'unavailable']);
export type TunnelState = z.infer<typeof TunnelState>;

export const TunnelView = z.object({
  state: TunnelState,
  reason: z.string(),
  /** The TUN interface, e.g. `waygate0`; null before it is open. */
  interface: z.string().nullable(),
  /** The device's tunnel address with its prefix (`100.64.0.2/16`); null until the edge assigned one. */
  address: z.string().nullable(),
  /** The edge the tunnel runs to (id), null while none is chosen. */
  edgeId: z.string().nullable(),
  /** DNS servers used through the tunnel (empty: the device keeps its own). */
  dns: z.array(z.string()),
  ipv6: z.enum(['blocked', 'tunnelled']),
  /** Whether packets travel as GSO super-packets (virtio-net-v1) or one by one. */
  offload: z.boolean(),
  /** Payload bytes since the service started, over every connection to any edge. */
  bytesUp: z.number().nonnegative(),
  bytesDown: z.number().nonnegative(),
  /** Packets dropped while fail-closed or while the edge could not take them. */
  packetsDropped: z.number().nonnegative(),
  /** ISO 8601: when the state last changed. */
  since: z.string(),
});
export type TunnelView = z.infer<typeof TunnelView>;

export const Status = z.object({
  v: z.literal(LOCALAPI_VERSION),
  state: ServiceState,
  mode: ServiceMode,
  version: z.string(),
  pid: z.number().int(),
  /** ISO 8601 time the service started. */
  startedAt: z.string(),
  /** Increases by one with every change, so watchers can tell order and gaps. */
  revision: z.number().int().nonnegative(),
  account: Account.nullable(),
  login: LoginProgress.nullable(),
  config: ConfigState,
  protection: Protection,
  network: NetworkView,
  edge: EdgeView.nullable(),
  /** The full-device tunnel; null unless the plan's action is `tunnel`. */
  tunnel: TunnelView.nullable().default(null),
  captivePortal: CaptivePortalView.default({ state: 'none', loginUrl: null, resumesAt: null, detail: '' }),
  browserProxy: BrowserProxyView,
  systemProxy: SystemProxyView,
  /** When the current edge token expires (ISO 8601); the token itself only via `browser-settings`. */
  edgeTokenExpiresAt: z.string().nullable(),
  /** Every decision behind the current plan, in words. */
  reasons: z.array(z.string()),
});
export type Status = z.infer<typeof Status>;

export const PingRequest = z.object({ data: z.string().optional() });
export type PingRequest = z.infer<typeof PingRequest>;

export const Pong = z.object({
  v: z.literal(LOCALAPI_VERSION),
  pong: z.literal(true),
  /** `data` from the request, echoed back unchanged. */
  data: z.string().optional(),
});
export type Pong = z.infer<typeof Pong>;

/** One line of the watch stream (newline-delimited JSON): a snapshot first, then every change. */
export const WatchEvent = z.discriminatedUnion('kind', [
  z.object({ v: z.literal(LOCALAPI_VERSION), kind: z.literal('snapshot'), status: Status }),
  z.object({ v: z.literal(LOCALAPI_VERSION), kind: z.literal('status'), status: Status }),
]);
export type WatchEvent = z.infer<typeof WatchEvent>;

/* ───────────────────────────── Requests ───────────────────────────── */

/** Start signing in. With `enrollmentToken` (managed browsers) it completes without a browser step. */
export const LoginRequest = z.object({
  portalUrl: z.url().optional(),
  enrollmentToken: z.string().min(1).max(512).optional(),
  userEmail: z.email().optional(),
  deviceName: z.string().min(1).max(128).optional(),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

/** What unlocks a password-guarded action: the profile's password or a one-time code from the portal. */
export const Unlock = z.object({
  password: z.string().max(1024).optional(),
  code: z.string().max(64).optional(),
});
export type Unlock = z.infer<typeof Unlock>;

export const DisableRequest = Unlock.extend({
  /** Shorter than the profile's limit if the user wants; never longer. */
  minutes: z.number().int().min(1).max(1_440).optional(),
});
export type DisableRequest = z.infer<typeof DisableRequest>;

export const Empty = z.object({}).strict();
export type Empty = z.infer<typeof Empty>;

export const Done = z.object({ ok: z.literal(true) });
export type Done = z.infer<typeof Done>;

/** The browser's proxy settings with the secrets the browser needs to use them. */
export const BrowserSettings = z.object({
  proxy: z.discriminatedUnion('mode', [
    z.object({
      mode: z.literal('pac'),
      pacScript: z.string(),
      digest: z.string(),
      /** `host:port` of every edge the PAC may name: proxy auth is answered only for these. */
      authHosts: z.array(z.string()),
    }),
    z.object({ mode: z.literal('release') }),
  ]),
  /** The edge token, answered to the edge's 407 as the Basic password; null when there is none yet. */
  credentials: z.object({ username: z.string(), token: z.string(), expiresAt: z.string() }).nullable(),
});
export type BrowserSettings = z.infer<typeof BrowserSettings>;

export const ExplainRequest = z.object({ url: z.string().min(1).max(8192) });
export type ExplainRequest = z.infer<typeof ExplainRequest>;

/** Where a URL's traffic goes right now, and why (`waygate explain URL`, the popup's "Explain this page"). */
export const Explanation = z.object({
  url: z.string(),
  host: z.string(),
  networkType: NetworkType,
  action: InternetAction.nullable(),
  /** The PAC's answer for the URL, as it returned it; null when no PAC is in force. */
  pacResult: z.string().nullable(),
  /** Where the request goes: an edge (id), direct, or nowhere (protection blocks it). */
  route: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('edge'), edgeId: z.string(), proxy: z.string() }),
    z.object({ kind: z.literal('direct') }),
    z.object({ kind: z.literal('blocked') }),
  ]),
  reasons: z.array(z.string()),
});
export type Explanation = z.infer<typeof Explanation>;

/* ───────────────────────────── Routes ───────────────────────────── */

export const RouteName = z.enum([
  'status',
  'version',
  'ping',
  'watch',
  'login',
  'logout',
  'disable',
  'enable',
  'sync',
  'browser-settings',
  'explain',
]);
export type RouteName = z.infer<typeof RouteName>;

export interface RouteSpec {
  method: 'GET' | 'POST';
  path: string;
  permission: Permission;
}

const route = (method: RouteSpec['method'], name: RouteName, permission: Permission): RouteSpec => ({
  method,
  path: `${LOCALAPI_PREFIX}/${name}`,
  permission,
});

/** The route table: every route, its method and the permission it needs. */
export const ROUTES: Record<RouteName, RouteSpec> = {
  status: route('GET', 'status', 'read'),
  version: route('GET', 'version', 'read'),
  ping: route('POST', 'ping', 'read'),
  watch: route('GET', 'watch', 'read'),
  login: route('POST', 'login', 'user'),
  logout: route('POST', 'logout', 'user'),
  disable: route('POST', 'disable', 'user'),
  enable: route('POST', 'enable', 'user'),
  sync: route('POST', 'sync', 'user'),
  // The edge token is handed to whoever browses on this device: the device's traffic is theirs.
  'browser-settings': route('GET', 'browser-settings', 'user'),
  explain: route('POST', 'explain', 'read'),
};

/** Routes with one request and one reply, callable over HTTP and over the RPC channel. */
export const UnaryRouteName = z.enum(['status', 'version', 'ping', 'login', 'logout', 'disable', 'enable', 'sync', 'browser-settings', 'explain']);
export type UnaryRouteName = z.infer<typeof UnaryRouteName>;

/** What each unary route takes (an absent body is `{}`)… */
export interface UnaryRequests {
  status: Empty | undefined;
  version: Empty | undefined;
  ping: PingRequest | undefined;
  login: LoginRequest;
  logout: Unlock;
  disable: DisableRequest;
  enable: Empty | undefined;
  sync: Empty | undefined;
  'browser-settings': Empty | undefined;
  explain: ExplainRequest;
}
/** …and what it answers. */
export interface UnaryReplies {
  status: Status;
  version: VersionInfo;
  ping: Pong;
  login: Status;
  logout: Status;
  disable: Status;
  enable: Status;
  sync: Status;
  'browser-settings': BrowserSettings;
  explain: Explanation;
}
export type UnaryRequest<R extends UnaryRouteName> = UnaryRequests[R];
export type UnaryReply<R extends UnaryRouteName> = UnaryReplies[R];

/** Each unary route's request and reply schemas, so the server and the client validate the same way. */
export const UNARY_SCHEMAS: { [R in UnaryRouteName]: { request: z.ZodType<UnaryRequests[R]>; reply: z.ZodType<UnaryReplies[R]> } } = {
  status: { request: Empty.optional(), reply: Status },
  version: { request: Empty.optional(), reply: VersionInfo },
  ping: { request: PingRequest.optional(), reply: Pong },
  login: { request: LoginRequest, reply: Status },
  logout: { request: Unlock, reply: Status },
  disable: { request: DisableRequest, reply: Status },
  enable: { request: Empty.optional(), reply: Status },
  sync: { request: Empty.optional(), reply: Status },
  'browser-settings': { request: Empty.optional(), reply: BrowserSettings },
  explain: { request: ExplainRequest, reply: Explanation },
};

export const RPC_PATH = `${LOCALAPI_PREFIX}/rpc`;
export const RPC_UPGRADE = 'waygate-rpc/1';
/**
 * Largest frame either side of the RPC channel sends or accepts. Above the browser's 1 MiB on
 * purpose: the native bridge, not the service, knows the browser's limit and answers an over-large
 * reply with REPLY_TOO_LARGE.
 */
export const RPC_MAX_FRAME_BYTES = 4 * 1024 * 1024;

export const RpcRequest = z.object({
  v: z.literal(LOCALAPI_VERSION),
  id: z.number().int().nonnegative(),
  route: UnaryRouteName,
  body: z.unknown().optional(),
});
export type RpcRequest = z.infer<typeof RpcRequest>;

export const RpcReply = z.union([
  z.object({ v: z.literal(LOCALAPI_VERSION), id: z.number().int(), result: z.unknown() }),
  z.object({ v: z.literal(LOCALAPI_VERSION), id: z.number().int(), error: WireError }),
]);
export type RpcReply = z.infer<typeof RpcReply>;
