/**
 * A minimal device side of the packet tunnel for tests: connects with a Bearer token, says hello,
 * and exposes what the edge sends as queues to await (control messages, decoded packet batches,
 * the close). It answers the edge's pings unless told not to. No reconnects, no TUN: the test (or
 * tunnel-device-child.ts) decides what to do with packets.
 */
import { WebSocket } from 'ws';
import { decodeBatch, EdgeControl, encodeBatch, MIN_BATCH_BYTES, type TunnelAssign, type TunnelHello } from '../../protocol/tunnel.js';

/** Values arrive in order; `next()` waits for the next one, or fails once the source ended. */
class Queue<T> {
  private readonly items: T[] = [];
  private readonly waiting: { resolve: (value: T) => void; reject: (err: Error) => void }[] = [];
  private ended: Error | null = null;

  push(item: T): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter.resolve(item);
    else this.items.push(item);
  }

  end(err: Error): void {
    this.ended = err;
    for (const waiter of this.waiting.splice(0)) waiter.reject(err);
  }

  next(): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }
}

export interface Closed {
  readonly code: number;
  readonly reason: string;
}

export type ConnectResult =
  | { readonly kind: 'open'; readonly client: TunnelClient }
  | { readonly kind: 'refused'; readonly status: number; readonly headers: Record<string, string | string[] | undefined>; readonly body: string };

export interface ConnectOptions {
  /** Sent as `Authorization: Bearer <token>` when given. */
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

/** Opens the WebSocket; a refused upgrade (401, 404…) comes back with its status and body. */
export function connectTunnel(url: string, options: ConnectOptions = {}): Promise<ConnectResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const ws = new WebSocket(url, { headers, maxPayload: 64 * 1024 * 1024 });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ kind: 'open', client: new TunnelClient(ws) }));
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ kind: 'refused', status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    ws.once('error', reject);
  });
}

export async function openTunnel(url: string, token: string): Promise<TunnelClient> {
  const result = await connectTunnel(url, { token });
  if (result.kind !== 'open') throw new Error(`tunnel upgrade refused with ${result.status}: ${result.body}`);
  return result.client;
}

export function helloMessage(capabilities: Partial<TunnelHello['capabilities']> = {}): TunnelHello {
  return {
    v: 1,
    type: 'hello',
    client: { version: 'test', os: 'linux' },
    capabilities: { offload: [], maxBatchBytes: MIN_BATCH_BYTES, ipv6: false, ...capabilities },
  };
}

export class TunnelClient {
  readonly controls = new Queue<EdgeControl>();
  readonly batches = new Queue<Uint8Array[]>();
  readonly closed: Promise<Closed>;
  /** Answer the edge's pings with pongs. */
  answerPings = true;
  assign: TunnelAssign | null = null;

  constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        const ended = new Error(`tunnel closed with ${code}`);
        this.controls.end(ended);
        this.batches.end(ended);
        resolve({ code, reason: reason.toString('utf8') });
      });
    });
    // Errors (a 1009 from our own maxPayload, a reset) end in 'close', which is what tests await.
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => {
      const frame = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (isBinary) return this.onBatch(frame);
      const message = EdgeControl.parse(JSON.parse(frame.toString('utf8')));
      if (message.type === 'ping' && this.answerPings) this.sendControl({ v: 1, type: 'pong', nonce: message.nonce });
      this.controls.push(message);
    });
  }

  /** Sends a hello and waits for the assign; throws when the edge answers otherwise. */
  async hello(capabilities: Partial<TunnelHello['capabilities']> = {}): Promise<TunnelAssign> {
    this.sendControl(helloMessage(capabilities));
    const answer = await this.nextControl();
    if (answer.type !== 'assign') throw new Error(`expected an assign, got ${JSON.stringify(answer)}`);
    this.assign = answer;
    return answer;
  }

  sendControl(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  /** All packets in one binary frame. */
  sendPackets(packets: readonly Uint8Array[]): void {
    this.ws.send(encodeBatch(packets), { binary: true });
  }

  sendRaw(frame: Uint8Array | string, binary: boolean): void {
    this.ws.send(frame, { binary });
  }

  /**
   * A WebSocket-level ping and its pong: once back, the edge has handled every frame sent before it
   * (frames are read in order), and it counts as no tunnel frame at all.
   */
  roundTrip(): Promise<void> {
    return new Promise((resolve) => {
      this.ws.once('pong', () => resolve());
      this.ws.ping();
    });
  }

  nextControl(): Promise<EdgeControl> {
    return this.controls.next();
  }

  /** The next control message of `type`, skipping others (pings, when answered automatically). */
  async nextControlOf<T extends EdgeControl['type']>(type: T): Promise<Extract<EdgeControl, { type: T }>> {
    for (;;) {
      const message = await this.controls.next();
      if (message.type === type) return message as Extract<EdgeControl, { type: T }>;
    }
  }

  nextBatch(): Promise<Uint8Array[]> {
    return this.batches.next();
  }

  close(): Promise<Closed> {
    this.ws.close(1000);
    return this.closed;
  }

  private onBatch(frame: Buffer): void {
    const decoded = decodeBatch(frame, { maxPacketBytes: 65_545, maxPackets: 65_536, offload: this.assign?.offload ?? null });
    if ('error' in decoded) throw new Error(`the edge sent a bad batch: ${decoded.reason}`);
    this.batches.push(decoded.packets.map((packet) => Buffer.from(packet)));
  }
}
