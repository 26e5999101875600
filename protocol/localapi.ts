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

export const LOCALAPI_VERSION = 1;
export const LOCALAPI_PREFIX = '/localapi/v1';

export const Permission = z.enum(['read', 'write']);
export type Permission = z.infer<typeof Permission>;

/** `system`: the privileged service (systemd/launchd/Windows service); `user`: unprivileged, no TUN. */
export const ServiceMode = z.enum(['system', 'user']);
export type ServiceMode = z.infer<typeof ServiceMode>;

/** What the service is doing, as one word. Later issues add `protected`, `paused`, …. */
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

export const RouteName = z.enum(['status', 'version', 'ping', 'watch']);
export type RouteName = z.infer<typeof RouteName>;

export interface RouteSpec {
  method: 'GET' | 'POST';
  path: string;
  permission: Permission;
}

/** The route table: every route, its method and the permission it needs. */
export const ROUTES: Record<RouteName, RouteSpec> = {
  status: { method: 'GET', path: `${LOCALAPI_PREFIX}/status`, permission: 'read' },
  version: { method: 'GET', path: `${LOCALAPI_PREFIX}/version`, permission: 'read' },
  ping: { method: 'POST', path: `${LOCALAPI_PREFIX}/ping`, permission: 'read' },
  watch: { method: 'GET', path: `${LOCALAPI_PREFIX}/watch`, permission: 'read' },
};

/** Routes with one request and one reply, callable over HTTP and over the RPC channel. */
export const UnaryRouteName = z.enum(['status', 'version', 'ping']);
export type UnaryRouteName = z.infer<typeof UnaryRouteName>;

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
