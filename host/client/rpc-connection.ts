/**
 * The client side of the LocalAPI RPC channel (see protocol/localapi.ts): an HTTP upgrade on the
 * service socket, then length-prefixed JSON frames. Calls carry ids and timeouts; when the channel
 * closes, every pending call is rejected with SERVICE_UNAVAILABLE.
 */
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { WaygateError } from '../../protocol/errors.js';
import { FrameDecoder, encodeFrame } from '../../protocol/frame-codec.js';
import { LOCALAPI_VERSION, RPC_MAX_FRAME_BYTES, RPC_PATH, RPC_UPGRADE, RpcReply, type UnaryRouteName } from '../../protocol/localapi.js';

interface Pending {
  resolve(result: unknown): void;
  reject(error: WaygateError): void;
  timer: NodeJS.Timeout;
}

export class RpcConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly decoder = new FrameDecoder(RPC_MAX_FRAME_BYTES);
  private closedWith: WaygateError | null = null;

  /** Opens a channel; rejects with the reason the service cannot be reached. */
  static open(socketPath: string, unavailable: (cause: unknown) => WaygateError): Promise<RpcConnection> {
    return new Promise((resolve, reject) => {
      const req = request({ socketPath, path: RPC_PATH, headers: { connection: 'Upgrade', upgrade: RPC_UPGRADE } });
      req.once('upgrade', (_res, socket: Socket, head: Buffer) => resolve(new RpcConnection(socket, head, unavailable)));
      req.once('response', (res) => {
        res.resume();
        reject(unavailable(new Error(`the service refused the RPC channel (HTTP ${res.statusCode})`)));
      });
      req.once('error', (err) => reject(unavailable(err)));
      req.end();
    });
  }

  private constructor(
    private readonly socket: Socket,
    head: Buffer,
    unavailable: (cause: unknown) => WaygateError,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.once('close', () => this.close(unavailable(new Error('the service closed the connection'))));
    socket.on('error', () => undefined); // 'close' follows and reports it
    if (head.length > 0) this.receive(head);
  }

  get closed(): boolean {
    return this.closedWith !== null;
  }

  call(route: UnaryRouteName, body: unknown, timeoutMs: number): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new WaygateError('TIMEOUT', `The Waygate service did not answer ${route} within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.write(encodeFrame({ v: LOCALAPI_VERSION, id, route, ...(body === undefined ? {} : { body }) }, RPC_MAX_FRAME_BYTES));
    });
  }

  close(reason = new WaygateError('DISCONNECTED', 'The RPC channel was closed.')): void {
    if (this.closedWith) return;
    this.closedWith = reason;
    this.socket.destroy();
    for (const call of this.pending.values()) {
      clearTimeout(call.timer);
      call.reject(reason);
    }
    this.pending.clear();
  }

  private receive(chunk: Buffer): void {
    for (const event of this.decoder.push(chunk)) {
      const reply = event.kind === 'message' ? RpcReply.safeParse(event.value) : null;
      if (!reply?.success) {
        this.close(new WaygateError('BAD_FRAME', 'The service sent a frame that is not an RPC reply.'));
        return;
      }
      const call = this.pending.get(reply.data.id);
      if (!call) continue; // timed out already
      this.pending.delete(reply.data.id);
      clearTimeout(call.timer);
      if ('error' in reply.data) call.reject(WaygateError.fromWire(reply.data.error));
      else call.resolve(reply.data.result);
    }
  }
}
