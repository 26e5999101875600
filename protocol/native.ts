/**
 * Extension ⇄ native bridge (`waygate native`), carried by the browser's native messaging: each
 * frame is a 4-byte little-endian length and that many bytes of UTF-8 JSON (see native-codec.ts).
 *
 * - requests  browser → host  `{v, id, method, params?}`
 * - replies   host → browser  `{v, id, result}` or `{v, id, error}` — exactly one per request
 * - pushes    host → browser  `{v, event, data}` — after `watch`, the service link and its status
 */
import { z } from 'zod';
import { WireError } from './errors.js';
import { Empty, Status, UNARY_SCHEMAS, UnaryRouteName, type UnaryReplies, type UnaryRequests } from './localapi.js';

export const NATIVE_PROTOCOL_VERSION = 1;

/** The name the extension passes to `connectNative`, and the native-host manifests' `name`. */
export const NATIVE_HOST_NAME = 'org.waygate.native';

/**
 * The Waygate extension's ID in Chromium-family browsers: fixed by the public `key` in wxt.config.ts,
 * so host manifests (`allowed_origins`) and enterprise policy can name it before it is installed.
 */
export const WAYGATE_EXTENSION_ID = 'kikjmbfpgdcnelfidohningkimchabdc';

/** Chromium refuses host → browser frames larger than this. */
export const HOST_TO_BROWSER_MAX_BYTES = 1024 * 1024;
/** Chromium sends browser → host frames up to this size. */
export const BROWSER_TO_HOST_MAX_BYTES = 64 * 1024 * 1024;

export const RequestId = z.string().min(1).max(128);
export type RequestId = z.infer<typeof RequestId>;

export const WatchResult = z.object({ watching: z.literal(true) });
export type WatchResult = z.infer<typeof WatchResult>;

/**
 * The methods: every unary LocalAPI route under its own name (the bridge relays it), and `watch`,
 * which turns on the service-link pushes.
 */
export type NativeMethod = UnaryRouteName | 'watch';
export type NativeParams<M extends NativeMethod> = M extends UnaryRouteName ? UnaryRequests[M] : Empty | undefined;
export type NativeResult<M extends NativeMethod> = M extends UnaryRouteName ? UnaryReplies[M] : WatchResult;

export const NATIVE_METHODS: { [M in NativeMethod]: { request: z.ZodType<NativeParams<M>>; reply: z.ZodType<NativeResult<M>> } } = {
  ...UNARY_SCHEMAS,
  watch: { request: Empty.optional(), reply: WatchResult },
};

export const NativeMethodName = z.enum([...UnaryRouteName.options, 'watch']);

export const NativeRequest = z.object({
  v: z.literal(NATIVE_PROTOCOL_VERSION),
  id: RequestId,
  method: NativeMethodName,
  params: z.unknown().optional(),
});
export type NativeRequest = z.infer<typeof NativeRequest>;

export const NativeReply = z.union([
  z.object({ v: z.literal(NATIVE_PROTOCOL_VERSION), id: RequestId, result: z.unknown() }),
  z.object({ v: z.literal(NATIVE_PROTOCOL_VERSION), id: RequestId, error: WireError }),
]);
export type NativeReply = z.infer<typeof NativeReply>;

/** The bridge's link to the service: up with its status, or down with the reason and the next retry. */
export const ServiceLink = z.discriminatedUnion('state', [
  z.object({ state: z.literal('up'), status: Status }),
  z.object({ state: z.literal('down'), reason: z.string(), retryInMs: z.number().int().nonnegative() }),
]);
export type ServiceLink = z.infer<typeof ServiceLink>;

export const NativePush = z.object({
  v: z.literal(NATIVE_PROTOCOL_VERSION),
  event: z.literal('service'),
  data: ServiceLink,
});
export type NativePush = z.infer<typeof NativePush>;

/** Anything the host may write to the browser. */
export const HostMessage = z.union([NativeReply, NativePush]);
export type HostMessage = z.infer<typeof HostMessage>;
