/**
 * Device ⇄ edge packet tunnel, a WebSocket at `/tunnel/v1` on the edge.
 *
 * - text frames: JSON control messages, discriminated by `type`, each carrying `v`.
 *   The device sends `hello` first; the edge answers `assign` (or `error` and a close). Either side
 *   may send `ping`; the other answers `pong` with the same nonce. The device may send `token` with
 *   a fresh edge token at any time after `hello`.
 * - binary frames: a batch of IP packets, each preceded by its length as a 4-byte **big-endian**
 *   unsigned integer (network byte order, like the IP headers it frames). No batch-level header.
 *   When `assign.offload` is `virtio-net-v1`, every packet starts with the 10-byte virtio_net_hdr
 *   the Linux TUN reads and writes with IFF_VNET_HDR, and the length covers header + IP packet.
 * - closes: the codes in TUNNEL_CLOSE, in the private 4000–4999 range.
 *
 * Pure and Node-free (Uint8Array/DataView only): the edge, the service and tests share it.
 */
import { z } from 'zod';
import { ErrorCode } from './errors.js';
import { cidrContains, parseCidr, parseIp, type Cidr, type IpAddress } from './ip.js';

export const TUNNEL_PROTOCOL_VERSION = 1;
export const TUNNEL_PATH = '/tunnel/v1';

// ── control messages ────────────────────────────────────────────────────────────────────────────

/** RFC 6598 shared address space: every tunnel range of a policy lies inside it. */
const TUNNEL_POOL = parseCidr('100.64.0.0/10');

function checkedString(check: (text: string) => string | null) {
  return z.string().superRefine((text, ctx) => {
    const problem = check(text);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });
}

function ipProblem(text: string): string | null {
  return parseIp(text) === null || text.startsWith('[') ? `"${text}" is not an IPv4 or IPv6 address.` : null;
}

function cidrProblem(text: string): string | null {
  const parsed = parseCidr(text);
  return parsed.ok ? null : parsed.message;
}

/** An interface address with its prefix, `100.64.3.7/16`: unlike a route, host bits are the point. */
export function parseInterfaceAddress(text: string): { address: IpAddress; network: Cidr } | null {
  const parts = text.split('/');
  if (parts.length !== 2) return null;
  const [addressText = '', prefixText = ''] = parts;
  const address = parseIp(addressText);
  if (address === null || address.version !== 'ipv4' || addressText.startsWith('[')) return null;
  if (!/^(0|[1-9][0-9]?)$/.test(prefixText) || Number(prefixText) > 32) return null;
  const prefix = Number(prefixText);
  const hostBits = 32n - BigInt(prefix);
  const network = (address.value >> hostBits) << hostBits;
  return { address, network: { version: 'ipv4', network, prefix } };
}

function interfaceAddressProblem(text: string): string | null {
  const parsed = parseInterfaceAddress(text);
  if (parsed === null) return `"${text}" is not an IPv4 address with a prefix, like 100.64.3.7/16.`;
  const { address, network } = parsed;
  if (!TUNNEL_POOL.ok || !cidrContains(TUNNEL_POOL.cidr, address) || network.prefix < TUNNEL_POOL.cidr.prefix) {
    return 'The tunnel address must lie inside 100.64.0.0/10 with a prefix of /10 or longer.';
  }
  if (network.prefix <= 30) {
    const broadcast = network.network | ((1n << (32n - BigInt(network.prefix))) - 1n);
    if (address.value === network.network || address.value === broadcast) return 'The tunnel address is the network or broadcast address of its prefix.';
  }
  return null;
}

/** What the device offers; the edge picks at most one. `virtio-net-v1`: see the module comment. */
export const OffloadMode = z.enum(['virtio-net-v1']);
export type OffloadMode = z.infer<typeof OffloadMode>;

const Version = z.literal(TUNNEL_PROTOCOL_VERSION);
const IpText = checkedString(ipProblem);
const CidrText = checkedString(cidrProblem);

/** 64 KiB of packet plus headers is the least a batch must hold: one GSO super-packet. */
export const MIN_BATCH_BYTES = 65_545 + 4;
/** Beyond this a single WebSocket message would hold the event loop too long. */
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;

/** The /16s a device may ask its address from: each /16 of 100.64.0.0/10. */
function tunnelRangeProblem(text: string): string | null {
  const parsed = parseCidr(text);
  if (!parsed.ok) return parsed.message;
  if (!TUNNEL_POOL.ok || parsed.cidr.prefix !== 16 || !cidrContains(TUNNEL_POOL.cidr, { version: parsed.cidr.version, value: parsed.cidr.network })) {
    return `"${text}" is not a /16 inside 100.64.0.0/10.`;
  }
  return null;
}

export const TunnelHello = z.strictObject({
  v: Version,
  type: z.literal('hello'),
  client: z.strictObject({
    version: z.string().min(1).max(64),
    os: z.enum(['linux', 'darwin', 'win32']),
  }),
  capabilities: z.strictObject({
    /** In order of preference; empty for plain packets. */
    offload: z.array(OffloadMode).max(8).refine((modes) => new Set(modes).size === modes.length, 'Offload modes must not repeat.'),
    /** The largest binary frame the device accepts. */
    maxBatchBytes: z.number().int().min(MIN_BATCH_BYTES).max(MAX_BATCH_BYTES),
    ipv6: z.boolean(),
    /**
     * The /16 the device wants its address from, when 100.64.0.0/16 clashes with a network it
     * already has (the device picks the next free /16); the edge's default /16 when absent.
     */
    range: checkedString(tunnelRangeProblem).optional(),
  }),
});
export type TunnelHello = z.infer<typeof TunnelHello>;

export const TunnelAssign = z
  .strictObject({
    v: Version,
    type: z.literal('assign'),
    /** The device's tunnel interface address and prefix, inside the policy's tunnel range. */
    address: checkedString(interfaceAddressProblem),
    /** The edge's end of the tunnel: inside `address`'s prefix, not the device's own address. */
    gateway: IpText,
    dns: z.array(IpText).max(8),
    mtu: z.number().int().min(576).max(65_535),
    routes: z.strictObject({ include: z.array(CidrText).max(4096), exclude: z.array(CidrText).max(4096) }),
    /** One of the modes the hello offered, or null for plain packets. */
    offload: OffloadMode.nullable(),
    /** The largest binary frame the edge accepts. */
    maxBatchBytes: z.number().int().min(MIN_BATCH_BYTES).max(MAX_BATCH_BYTES),
    /** The device pings at this interval while the tunnel is otherwise quiet. */
    keepaliveSeconds: z.number().int().min(5).max(300),
    /** Either side closes with `idle-timeout` after this long without a frame from the peer (pongs do not count: they answer the keepalive, so they would keep an unused tunnel open forever). */
    idleTimeoutSeconds: z.number().int().min(10).max(86_400),
  })
  .superRefine((assign, ctx) => {
    const iface = parseInterfaceAddress(assign.address);
    const gateway = parseIp(assign.gateway);
    if (iface !== null && gateway !== null && (!cidrContains(iface.network, gateway) || gateway.value === iface.address.value)) {
      ctx.addIssue({ code: 'custom', path: ['gateway'], message: 'The gateway must lie inside the tunnel address prefix and differ from the address.' });
    }
    if (assign.idleTimeoutSeconds < 2 * assign.keepaliveSeconds) {
      ctx.addIssue({ code: 'custom', path: ['idleTimeoutSeconds'], message: 'The idle timeout must be at least twice the keepalive, or one lost ping drops the tunnel.' });
    }
  });
export type TunnelAssign = z.infer<typeof TunnelAssign>;

const Nonce = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'A nonce is 1–64 letters, digits, _ or -.');

export const TunnelPing = z.strictObject({ v: Version, type: z.literal('ping'), nonce: Nonce });
export type TunnelPing = z.infer<typeof TunnelPing>;
export const TunnelPong = z.strictObject({ v: Version, type: z.literal('pong'), nonce: Nonce });
export type TunnelPong = z.infer<typeof TunnelPong>;

/**
 * A fresh edge token for the session, sent before the current one expires: the edge verifies it
 * and keeps the tunnel, instead of closing with `TOKEN_EXPIRED` and making the device reconnect.
 * It must name the same device; the 8 KiB bound is far above any token the portal signs.
 */
export const TunnelToken = z.strictObject({ v: Version, type: z.literal('token'), token: z.string().min(1).max(8192) });
export type TunnelToken = z.infer<typeof TunnelToken>;

/** Sent before a close that has a story to tell; `code` is from the one list in errors.ts. */
export const TunnelErrorMessage = z.strictObject({ v: Version, type: z.literal('error'), code: ErrorCode, message: z.string().max(1024) });
export type TunnelErrorMessage = z.infer<typeof TunnelErrorMessage>;

/** Text frames the device may send. */
export const DeviceControl = z.discriminatedUnion('type', [TunnelHello, TunnelPing, TunnelPong, TunnelToken]);
export type DeviceControl = z.infer<typeof DeviceControl>;
/** Text frames the edge may send. */
export const EdgeControl = z.discriminatedUnion('type', [TunnelAssign, TunnelPing, TunnelPong, TunnelErrorMessage]);
export type EdgeControl = z.infer<typeof EdgeControl>;

/** The edge's pick: the device's most preferred mode that the edge supports, else plain packets. */
export function negotiateOffload(offered: readonly OffloadMode[], supported: readonly OffloadMode[]): OffloadMode | null {
  return offered.find((mode) => supported.includes(mode)) ?? null;
}

/** Checks an assign against the hello it answers: the device must not accept what it never offered. */
export function assignProblem(hello: TunnelHello, assign: TunnelAssign): string | null {
  if (assign.offload !== null && !hello.capabilities.offload.includes(assign.offload)) return `The edge chose offload ${assign.offload}, which the device did not offer.`;
  if (!hello.capabilities.ipv6) {
    const v6 = [...assign.dns, ...assign.routes.include, ...assign.routes.exclude].find((text) => text.includes(':'));
    if (v6 !== undefined) return `The edge sent the IPv6 address ${v6} to a device without IPv6.`;
  }
  return null;
}

// ── close codes ─────────────────────────────────────────────────────────────────────────────────

/**
 * What the device does after a close: `reconnect` (with backoff, maybe to another edge),
 * `refresh-token` (get a new edge token from the portal, then reconnect), or `stop` (retrying cannot
 * help until policy or software changes; show the reason).
 */
export type CloseAction = 'reconnect' | 'refresh-token' | 'stop';

/**
 * Close codes, 4000–4999 (RFC 6455 §7.4.2 private use). Grouped by hundreds so an unknown code
 * still says something: 41xx credentials, 42xx policy, 43xx protocol, 44xx session lifecycle.
 */
export const TUNNEL_CLOSE = {
  UNAUTHENTICATED: 4100,
  TOKEN_EXPIRED: 4101,
  POLICY_DENIED: 4200,
  DEVICE_REVOKED: 4201,
  PROTOCOL_ERROR: 4300,
  UNSUPPORTED_VERSION: 4301,
  BATCH_TOO_LARGE: 4302,
  BAD_PACKET: 4303,
  IDLE_TIMEOUT: 4400,
  KEEPALIVE_TIMEOUT: 4401,
  SERVER_SHUTTING_DOWN: 4402,
  REPLACED: 4403,
  ADDRESS_POOL_EXHAUSTED: 4404,
} as const;
export type TunnelCloseName = keyof typeof TUNNEL_CLOSE;
export type TunnelCloseCode = (typeof TUNNEL_CLOSE)[TunnelCloseName];

export interface CloseInfo {
  readonly name: TunnelCloseName | 'UNKNOWN';
  readonly action: CloseAction;
  /** Short enough for a WebSocket close frame (at most 123 bytes of UTF-8). */
  readonly reason: string;
}

const CLOSE_INFO: Record<TunnelCloseName, Omit<CloseInfo, 'name'>> = {
  UNAUTHENTICATED: { action: 'refresh-token', reason: 'No valid edge token came with the connection.' },
  TOKEN_EXPIRED: { action: 'refresh-token', reason: 'The edge token expired; get a new one from the portal.' },
  POLICY_DENIED: { action: 'stop', reason: 'Policy does not allow this device a packet tunnel.' },
  DEVICE_REVOKED: { action: 'stop', reason: 'An admin removed or blocked this device.' },
  PROTOCOL_ERROR: { action: 'reconnect', reason: 'A frame broke the tunnel protocol.' },
  UNSUPPORTED_VERSION: { action: 'stop', reason: 'The edge does not speak this tunnel protocol version; update Waygate.' },
  BATCH_TOO_LARGE: { action: 'reconnect', reason: 'A packet batch exceeded the size the peer accepts.' },
  BAD_PACKET: { action: 'reconnect', reason: 'A packet or its offload header was malformed.' },
  IDLE_TIMEOUT: { action: 'reconnect', reason: 'No traffic for longer than the idle timeout.' },
  KEEPALIVE_TIMEOUT: { action: 'reconnect', reason: 'The peer stopped answering pings.' },
  SERVER_SHUTTING_DOWN: { action: 'reconnect', reason: 'The edge is shutting down; connect to another one.' },
  REPLACED: { action: 'stop', reason: 'A newer session of this device took over the tunnel.' },
  ADDRESS_POOL_EXHAUSTED: { action: 'reconnect', reason: 'The edge has no free tunnel address; try another edge.' },
};

const NAME_BY_CODE = new Map<number, TunnelCloseName>(Object.entries(TUNNEL_CLOSE).flatMap(([name, code]) => (isCloseName(name) ? [[code, name]] : [])));

function isCloseName(name: string): name is TunnelCloseName {
  return Object.hasOwn(TUNNEL_CLOSE, name);
}

const GROUP_ACTION: Record<number, CloseAction> = { 41: 'refresh-token', 42: 'stop', 43: 'reconnect', 44: 'reconnect' };

/** The meaning of any close code this side may receive; codes from a newer edge fall back to their group. */
export function closeInfo(code: number): CloseInfo {
  const name = NAME_BY_CODE.get(code);
  if (name !== undefined) return { name, ...CLOSE_INFO[name] };
  const action = Number.isInteger(code) && code >= 4000 && code <= 4999 ? GROUP_ACTION[Math.floor(code / 100)] : undefined;
  return { name: 'UNKNOWN', action: action ?? 'reconnect', reason: `The tunnel closed with code ${code}.` };
}

// ── binary frames: batches ──────────────────────────────────────────────────────────────────────

const LENGTH_BYTES = 4;

export type BatchErrorCode =
  | 'empty-batch'
  | 'batch-too-large'
  | 'truncated-length'
  | 'truncated-packet'
  | 'empty-packet'
  | 'packet-too-large'
  | 'too-many-packets'
  | 'bad-offload-header';

export interface BatchLimits {
  /** Per packet as carried, virtio header included when offload is on. */
  readonly maxPacketBytes: number;
  readonly maxPackets: number;
  /** The whole frame; normally also enforced by the WebSocket's maxPayload. */
  readonly maxBatchBytes?: number;
  /** When set, every packet must start with a valid virtio_net_hdr. */
  readonly offload?: OffloadMode | null;
}

export type BatchDecode =
  | { readonly packets: Uint8Array[] }
  | { readonly error: BatchErrorCode; readonly closeCode: TunnelCloseCode; readonly reason: string };

/** Concatenates length-prefixed packets. Throws RangeError on an empty packet or one over 4 GiB: a caller bug. */
export function encodeBatch(packets: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const packet of packets) {
    if (packet.length === 0 || packet.length > 0xffff_ffff) throw new RangeError(`cannot frame a packet of ${packet.length} bytes`);
    total += LENGTH_BYTES + packet.length;
  }
  const frame = new Uint8Array(total);
  const view = new DataView(frame.buffer);
  let at = 0;
  for (const packet of packets) {
    view.setUint32(at, packet.length, false);
    frame.set(packet, at + LENGTH_BYTES);
    at += LENGTH_BYTES + packet.length;
  }
  return frame;
}

/**
 * Packets as frames of at most `maxBatchBytes` each (the peer's limit), in order; one packet always
 * fits, since every side accepts at least MIN_BATCH_BYTES.
 */
export function encodeBatches(packets: readonly Uint8Array[], maxBatchBytes: number): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let start = 0;
  let frameBytes = 0;
  for (let i = 0; i < packets.length; i += 1) {
    const length = LENGTH_BYTES + (packets[i]?.length ?? 0);
    if (frameBytes + length > maxBatchBytes && i > start) {
      frames.push(encodeBatch(packets.slice(start, i)));
      start = i;
      frameBytes = 0;
    }
    frameBytes += length;
  }
  if (start < packets.length) frames.push(encodeBatch(start === 0 ? packets : packets.slice(start)));
  return frames;
}

/**
 * Splits one binary frame into its packets, all or nothing: a frame with any fault yields no packets,
 * because its sender is broken or hostile and the connection is closed with `closeCode`.
 * Never throws. The packets are views into `frame`: copy them before the frame's buffer is reused.
 */
export function decodeBatch(frame: Uint8Array, limits: BatchLimits): BatchDecode {
  const fail = (error: BatchErrorCode, reason: string): BatchDecode => ({
    error,
    closeCode: error === 'batch-too-large' ? TUNNEL_CLOSE.BATCH_TOO_LARGE : error === 'bad-offload-header' ? TUNNEL_CLOSE.BAD_PACKET : TUNNEL_CLOSE.PROTOCOL_ERROR,
    reason,
  });
  if (frame.length === 0) return fail('empty-batch', 'The batch holds no packets.');
  if (limits.maxBatchBytes !== undefined && frame.length > limits.maxBatchBytes) {
    return fail('batch-too-large', `The batch has ${frame.length} bytes; the limit is ${limits.maxBatchBytes}.`);
  }
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const packets: Uint8Array[] = [];
  let at = 0;
  while (at < frame.length) {
    if (frame.length - at < LENGTH_BYTES) return fail('truncated-length', `${frame.length - at} bytes trail the last packet at offset ${at}.`);
    const length = view.getUint32(at, false);
    at += LENGTH_BYTES;
    if (length === 0) return fail('empty-packet', `Packet ${packets.length} has length 0.`);
    if (length > limits.maxPacketBytes) return fail('packet-too-large', `Packet ${packets.length} has ${length} bytes; the limit is ${limits.maxPacketBytes}.`);
    if (length > frame.length - at) return fail('truncated-packet', `Packet ${packets.length} declares ${length} bytes but only ${frame.length - at} remain.`);
    if (packets.length === limits.maxPackets) return fail('too-many-packets', `The batch holds more than ${limits.maxPackets} packets.`);
    const packet = frame.subarray(at, at + length);
    if (limits.offload === 'virtio-net-v1') {
      const problem = virtioProblem(packet);
      if (problem !== null) return fail('bad-offload-header', `Packet ${packets.length}: ${problem}`);
    }
    packets.push(packet);
    at += length;
  }
  return { packets };
}

// ── virtio_net_hdr ──────────────────────────────────────────────────────────────────────────────

/**
 * struct virtio_net_hdr (include/uapi/linux/virtio_net.h), 10 bytes:
 * u8 flags, u8 gso_type, then u16 hdr_len, gso_size, csum_start, csum_offset. The u16s are
 * little-endian: what the Linux TUN uses on little-endian hosts (TUNSETVNETLE elsewhere) and what
 * virtio 1.0 mandates. Offsets count from the start of the IP packet (IFF_TUN carries no Ethernet).
 */
export const VIRTIO_NET_HDR_BYTES = 10;
export const VIRTIO_NET_HDR_F_NEEDS_CSUM = 0x01;
export const VIRTIO_NET_HDR_F_DATA_VALID = 0x02;
export const VIRTIO_NET_HDR_GSO_NONE = 0;
export const VIRTIO_NET_HDR_GSO_TCPV4 = 1;
export const VIRTIO_NET_HDR_GSO_UDP = 3;
export const VIRTIO_NET_HDR_GSO_TCPV6 = 4;
export const VIRTIO_NET_HDR_GSO_UDP_L4 = 5;
export const VIRTIO_NET_HDR_GSO_ECN = 0x80;
/** The kernel reserves gso_size 0xffff (GSO_BY_FRAGS) and refuses it from virtio. */
const GSO_BY_FRAGS = 0xffff;
/** offsetof(struct tcphdr, check): the only csum_offset the kernel accepts for TCP GSO. */
const TCP_CHECK_OFFSET = 16;

export type GsoKind = 'none' | 'tcpv4' | 'udp' | 'tcpv6' | 'udp-l4';
const GSO_KINDS: Record<number, GsoKind> = { 0: 'none', 1: 'tcpv4', 3: 'udp', 4: 'tcpv6', 5: 'udp-l4' };

export interface VirtioNetHeader {
  readonly flags: number;
  /** The raw byte, ECN bit included. */
  readonly gsoType: number;
  readonly gso: GsoKind;
  readonly ecn: boolean;
  readonly hdrLen: number;
  readonly gsoSize: number;
  readonly csumStart: number;
  readonly csumOffset: number;
}

/** Reads the header at the start of `bytes`; an error for fewer than 10 bytes or an unknown GSO type. */
export function parseVirtioNetHeader(bytes: Uint8Array): VirtioNetHeader | { error: string } {
  if (bytes.length < VIRTIO_NET_HDR_BYTES) return { error: `a virtio_net_hdr needs ${VIRTIO_NET_HDR_BYTES} bytes, got ${bytes.length}` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, VIRTIO_NET_HDR_BYTES);
  const gsoType = view.getUint8(1);
  const gso = GSO_KINDS[gsoType & ~VIRTIO_NET_HDR_GSO_ECN];
  if (gso === undefined) return { error: `unknown GSO type 0x${gsoType.toString(16)}` };
  return {
    flags: view.getUint8(0),
    gsoType,
    gso,
    ecn: (gsoType & VIRTIO_NET_HDR_GSO_ECN) !== 0,
    hdrLen: view.getUint16(2, true),
    gsoSize: view.getUint16(4, true),
    csumStart: view.getUint16(6, true),
    csumOffset: view.getUint16(8, true),
  };
}

/**
 * Whether the header is one the edge may hand to its TUN for an IP packet of `packetLength` bytes
 * (the bytes after the header). Stricter than the kernel on purpose, since these headers come from
 * the network: only what `virtio-net-v1` negotiates (TUNSETOFFLOAD CSUM|TSO4|TSO6|TSO_ECN) passes, so
 * UDP GSO is refused, and TCP GSO must ask for the TCP checksum (what Linux itself emits).
 * Returns null when valid, else the problem.
 */
export function validateVirtioNetHeader(hdr: VirtioNetHeader, packetLength: number): string | null {
  if ((hdr.flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID)) !== 0) return `unknown flags 0x${hdr.flags.toString(16)}`;
  if (packetLength <= 0) return 'no IP packet follows the header';
  if (hdr.hdrLen > packetLength) return `hdr_len ${hdr.hdrLen} exceeds the ${packetLength}-byte packet`;
  const needsCsum = (hdr.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) !== 0;
  if (needsCsum && hdr.csumStart + hdr.csumOffset + 2 > packetLength) {
    return `csum_start ${hdr.csumStart} + csum_offset ${hdr.csumOffset} + 2 exceeds the ${packetLength}-byte packet`;
  }
  switch (hdr.gso) {
    case 'none':
      if (hdr.ecn) return 'the ECN bit needs a TCP GSO type';
      if (hdr.gsoSize !== 0) return `gso_size ${hdr.gsoSize} on a packet without GSO`;
      return null;
    case 'tcpv4':
    case 'tcpv6':
      if (hdr.gsoSize === 0 || hdr.gsoSize === GSO_BY_FRAGS) return `gso_size ${hdr.gsoSize} is not a segment size`;
      if (!needsCsum) return 'TCP GSO without NEEDS_CSUM';
      if (hdr.csumOffset !== TCP_CHECK_OFFSET) return `csum_offset ${hdr.csumOffset} is not the TCP checksum field (${TCP_CHECK_OFFSET})`;
      if (hdr.hdrLen !== 0 && hdr.hdrLen < hdr.csumStart + 20) return `hdr_len ${hdr.hdrLen} ends inside the TCP header at ${hdr.csumStart}`;
      return null;
    case 'udp':
    case 'udp-l4':
      return `GSO type ${hdr.gso} is not negotiated by virtio-net-v1`;
  }
}

/** A packet as carried with offload: its header parses and validates against the rest. */
function virtioProblem(packet: Uint8Array): string | null {
  const hdr = parseVirtioNetHeader(packet);
  if ('error' in hdr) return hdr.error;
  return validateVirtioNetHeader(hdr, packet.length - VIRTIO_NET_HDR_BYTES);
}
