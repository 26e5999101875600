/**
 * One connection of the device's packet tunnel to an edge (protocol/tunnel.ts): the WebSocket, the
 * hello → assign handshake, packets both ways, keepalive and token renewal. A relay ends once and
 * says why (`ended`); reconnecting, choosing another edge and what traffic does meanwhile belong to
 * the tunnel manager, which owns the TUN and hands this relay what it reads.
 *
 * Data path (RECIPES.md "TUN from Node"): every TUN wakeup becomes one binary message (more only
 * when it exceeds what the edge accepts); the edge's messages are split and written to the TUN one
 * packet per write(). Backpressure pauses the TUN while more than HIGH_WATER bytes are queued on the
 * socket and resumes it below LOW_WATER, counted through ws's send callbacks (written to the kernel),
 * so a slow uplink slows the device's TCP instead of growing our memory.
 */
import type { LookupFunction } from 'node:net';
import { WebSocket } from 'ws';
import type { TunDevice } from '../../platform/tun.js';
import {
  assignProblem,
  closeInfo,
  decodeBatch,
  EdgeControl,
  encodeBatches,
  MAX_BATCH_BYTES,
  TUNNEL_PROTOCOL_VERSION,
  VIRTIO_NET_HDR_BYTES,
  type CloseAction,
  type TunnelAssign,
  type TunnelHello,
} from '../../protocol/tunnel.js';
import { toPlainPackets, withPlainVirtioHeader } from '../../protocol/virtio-segment.js';

/** What the device accepts in one message: room for many GSO super-packets per wakeup. */
export const DEVICE_MAX_BATCH_BYTES = 4 * 1024 * 1024;
/**
 * What the device puts in one message: a few super-packets. A whole wakeup can be megabytes, and a
 * small packet (a ping, a keystroke) behind it would wait for all of it to be framed and encrypted.
 */
const FRAME_BYTES = 256 * 1024;
/**
 * The relay's own queue. Above HIGH_WATER it stops reading the TUN, so packets wait in (and are
 * dropped by) the kernel's TUN queue, where the inner TCP sees the loss and slows down; a deep queue
 * here would only add latency (TCP inside TCP never loses a packet in transit).
 */
const HIGH_WATER = 256 * 1024;
const LOW_WATER = 64 * 1024;
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** Beyond the keepalive interval, how long the edge may stay silent before the link counts as dead. */
const SILENCE_GRACE_MS = 10_000;

export interface TunnelCounters {
  bytesUp: number;
  bytesDown: number;
  packetsDropped: number;
}

export interface RelayOptions {
  /** The edge's tunnel URL (wss://host[:port]/tunnel/v1; ws:// only on loopback). */
  readonly url: string;
  readonly token: string;
  readonly tun: TunDevice;
  /** The /16 the device asks its address from, when the default one clashes with a local network. */
  readonly range: string | null;
  readonly client: TunnelHello['client'];
  readonly counters: TunnelCounters;
  /** Pins the connection to the addresses the manager routed around the tunnel. */
  readonly lookup?: LookupFunction;
  readonly handshakeTimeoutMs?: number;
}

export interface RelayEnd {
  readonly code: number;
  /** In words, for status and logs. */
  readonly reason: string;
  readonly action: CloseAction;
}

export class RelayError extends Error {
  constructor(
    message: string,
    readonly action: CloseAction,
    /** The edge answered but would not give a tunnel (as opposed to: it could not be reached). */
    readonly refused = true,
  ) {
    super(message);
    this.name = 'RelayError';
  }
}

export interface Relay {
  readonly assign: TunnelAssign;
  /** Whether packets on the wire carry the virtio header (offload negotiated). */
  readonly offload: boolean;
  readonly ended: Promise<RelayEnd>;
  /** Packets as the TUN read them. */
  send(packets: Buffer[]): void;
  renewToken(token: string): void;
  close(): void;
}

/** Connects, says hello and waits for the assign; rejects with a RelayError saying why it could not. */
export async function openRelay(options: RelayOptions): Promise<Relay> {
  const ws = await connect(options);
  try {
    const hello = helloFor(options);
    ws.send(JSON.stringify(hello));
    const assign = await awaitAssign(ws, hello, options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS);
    return new OpenRelay(ws, assign, options);
  } catch (err) {
    ws.terminate();
    throw err;
  }
}

function helloFor(options: RelayOptions): TunnelHello {
  return {
    v: TUNNEL_PROTOCOL_VERSION,
    type: 'hello',
    client: options.client,
    capabilities: {
      offload: options.tun.offload ? ['virtio-net-v1'] : [],
      maxBatchBytes: DEVICE_MAX_BATCH_BYTES,
      ipv6: false,
      ...(options.range === null ? {} : { range: options.range }),
    },
  };
}

function connect(options: RelayOptions): Promise<WebSocket> {
  const ws = new WebSocket(options.url, {
    headers: { authorization: `Bearer ${options.token}` },
    maxPayload: DEVICE_MAX_BATCH_BYTES,
    perMessageDeflate: false,
    handshakeTimeout: options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
    ...(options.lookup ? { lookup: options.lookup } : {}),
    // RFC 6455 masks client frames so a browser script cannot poison a caching proxy on the path.
    // Inside TLS no proxy sees the bytes and this client is not a browser: an all-zero mask makes
    // ws skip the XOR on both ends, which in JavaScript cost more CPU than TLS (bench/RESULTS.md).
    ...(options.url.startsWith('wss:') ? { generateMask: (mask: Buffer) => void mask.fill(0) } : {}),
  });
  ws.binaryType = 'nodebuffer';
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: RelayError) => {
      if (settled) return;
      settled = true;
      reject(error);
      ws.terminate();
    };
    ws.once('open', () => {
      settled = true;
      // From here an error is always followed by 'close', which the handshake and the relay handle.
      ws.removeAllListeners('error');
      ws.on('error', () => undefined);
      resolve(ws);
    });
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.length < 16 && chunks.push(chunk));
      res.on('error', () => undefined);
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const body = Buffer.concat(chunks).toString('utf8').slice(0, 500);
        // 401 means the token: a fresh one may help. 403 is policy; anything else, try again later.
        const action: CloseAction = status === 401 ? 'refresh-token' : status === 403 ? 'stop' : 'reconnect';
        fail(new RelayError(`The edge refused the tunnel with HTTP ${status}${body ? `: ${body}` : ''}`, action));
      });
    });
    ws.on('error', (err) => fail(new RelayError(`Could not reach the edge at ${options.url}: ${err.message}`, 'reconnect', false)));
  });
}

function awaitAssign(ws: WebSocket, hello: TunnelHello, timeoutMs: number): Promise<TunnelAssign> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new RelayError(`The edge did not answer the hello within ${timeoutMs} ms.`, 'reconnect')), timeoutMs);
    const onMessage = (data: Buffer, isBinary: boolean) => {
      if (isBinary) return finish(new RelayError('The edge sent packets before assigning an address.', 'reconnect'));
      const message = parseControl(data);
      if (message === null) return finish(new RelayError('The edge answered the hello with something that is not a tunnel message.', 'reconnect'));
      if (message.type === 'error') return finish(new RelayError(`The edge refused the tunnel: ${message.message} (${message.code})`, 'reconnect'));
      if (message.type === 'ping') return ws.send(JSON.stringify({ v: TUNNEL_PROTOCOL_VERSION, type: 'pong', nonce: message.nonce }));
      if (message.type !== 'assign') return undefined;
      const problem = assignProblem(hello, message);
      return problem === null ? finish(null, message) : finish(new RelayError(`The edge's assign is unusable: ${problem}`, 'reconnect'));
    };
    const onClose = (code: number, reason: Buffer) => {
      const info = closeInfo(code);
      finish(new RelayError(`The edge closed the tunnel before assigning an address: ${reason.toString('utf8') || info.reason} (${code})`, info.action));
    };
    function finish(error: Error | null, assign?: TunnelAssign): void {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
      if (error === null && assign !== undefined) resolve(assign);
      else reject(error ?? new Error('no assign'));
    }
    ws.on('message', onMessage);
    ws.once('close', onClose);
  });
}

function parseControl(data: Buffer): EdgeControl | null {
  try {
    const parsed = EdgeControl.safeParse(JSON.parse(data.toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

class OpenRelay implements Relay {
  readonly offload: boolean;
  readonly ended: Promise<RelayEnd>;
  private readonly tun: TunDevice;
  private readonly counters: TunnelCounters;
  /** The TUN reads with a virtio header but the wire carries plain packets: convert at this end. */
  private readonly convert: boolean;
  private readonly edgeMaxBatch: number;
  private queued = 0;
  private pausedTun = false;
  private lastHeard = Date.now();
  private lastSent = Date.now();
  private nonce = 0;
  private done = false;
  private readonly timer: NodeJS.Timeout;
  private endWith: (end: RelayEnd) => void = () => undefined;

  constructor(
    private readonly ws: WebSocket,
    readonly assign: TunnelAssign,
    options: RelayOptions,
  ) {
    this.tun = options.tun;
    this.counters = options.counters;
    this.offload = assign.offload !== null;
    this.convert = this.tun.offload && !this.offload;
    this.edgeMaxBatch = Math.min(assign.maxBatchBytes, MAX_BATCH_BYTES, FRAME_BYTES);
    this.ended = new Promise((resolve) => (this.endWith = resolve));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.lastHeard = Date.now();
      if (isBinary) this.receive(data);
      else this.control(data);
    });
    ws.on('pong', () => (this.lastHeard = Date.now()));
    ws.once('close', (code, reason) => {
      const info = closeInfo(code);
      this.finish({ code, reason: reason.toString('utf8') || (code >= 4000 ? info.reason : `The connection to the edge closed (${code}).`), action: info.action });
    });
    this.timer = setInterval(() => this.keepalive(), 1000);
    this.timer.unref();
  }

  send(packets: Buffer[]): void {
    if (this.done) return;
    const carried = this.convert ? this.plain(packets) : packets;
    let bytes = 0;
    for (const packet of carried) bytes += packet.length - (this.offload ? VIRTIO_NET_HDR_BYTES : 0);
    for (const frame of encodeBatches(carried, this.edgeMaxBatch)) {
      this.queued += frame.length;
      const size = frame.length;
      this.ws.send(frame, { binary: true }, () => this.written(size));
    }
    this.counters.bytesUp += bytes;
    this.lastSent = Date.now();
    if (this.queued > HIGH_WATER && !this.pausedTun) {
      this.pausedTun = true;
      this.tun.pause();
    }
  }

  renewToken(token: string): void {
    if (!this.done) this.ws.send(JSON.stringify({ v: TUNNEL_PROTOCOL_VERSION, type: 'token', token }));
  }

  close(): void {
    if (this.done) return;
    this.ws.close(1000, 'device closing the tunnel');
    // A dead peer never answers the close: do not wait on it.
    setTimeout(() => this.ws.terminate(), 2000).unref();
    this.finish({ code: 1000, reason: 'The device closed the tunnel.', action: 'stop' });
  }

  private written(size: number): void {
    this.queued -= size;
    if (this.pausedTun && this.queued < LOW_WATER) {
      this.pausedTun = false;
      this.tun.resume();
    }
  }

  private plain(packets: Buffer[]): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const packet of packets) {
      const plain = toPlainPackets(packet);
      if ('error' in plain) this.counters.packetsDropped += 1;
      else out.push(...plain);
    }
    return out;
  }

  private receive(frame: Buffer): void {
    const decoded = decodeBatch(frame, { maxPacketBytes: 65_535 + VIRTIO_NET_HDR_BYTES, maxPackets: 65_536, offload: this.assign.offload });
    if ('error' in decoded) {
      this.ws.close(decoded.closeCode, decoded.reason.slice(0, 120));
      return;
    }
    const wireHeader = this.offload ? VIRTIO_NET_HDR_BYTES : 0;
    for (const packet of decoded.packets) {
      this.counters.bytesDown += packet.length - wireHeader;
      const written = this.tun.write(this.convert ? withPlainVirtioHeader(packet) : packet);
      if (!written) this.counters.packetsDropped += 1;
    }
  }

  private control(data: Buffer): void {
    const message = parseControl(data);
    if (message?.type === 'ping') this.ws.send(JSON.stringify({ v: TUNNEL_PROTOCOL_VERSION, type: 'pong', nonce: message.nonce }));
  }

  /** Pings while our side is quiet; gives up on an edge that has said nothing for too long. */
  private keepalive(): void {
    const now = Date.now();
    const interval = this.assign.keepaliveSeconds * 1000;
    if (now - this.lastHeard > interval + SILENCE_GRACE_MS) {
      this.ws.terminate();
      this.finish({ code: 4401, reason: `The edge has not answered for ${Math.round((now - this.lastHeard) / 1000)} s.`, action: 'reconnect' });
      return;
    }
    if (now - this.lastSent >= interval || now - this.lastHeard >= interval) {
      this.nonce += 1;
      this.ws.send(JSON.stringify({ v: TUNNEL_PROTOCOL_VERSION, type: 'ping', nonce: `k${this.nonce}` }));
      this.lastSent = now;
    }
  }

  private finish(end: RelayEnd): void {
    if (this.done) return;
    this.done = true;
    clearInterval(this.timer);
    if (this.pausedTun) {
      this.pausedTun = false;
      this.tun.resume();
    }
    this.endWith(end);
  }
}
