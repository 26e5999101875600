/**
 * Request/reply over a native-messaging port (Bitwarden's port hygiene): every request has an id and
 * a timeout; a reply is validated before it is trusted; a reply nobody waits for any more is dropped;
 * when the port goes away every pending call is rejected with the reason.
 */
import type { z } from 'zod';
import { WaygateError, type ErrorCode } from '../../protocol/errors.js';
import {
  HostMessage,
  NATIVE_METHODS,
  NATIVE_PROTOCOL_VERSION,
  type NativeMethod,
  type NativeParams,
  type NativePush,
  type NativeResult,
} from '../../protocol/native.js';

/** The subset of a runtime Port the RPC needs (a fake in tests, `browser.runtime.Port` in the worker). */
export interface MessagePort {
  postMessage(message: unknown): void;
}

interface Pending {
  method: NativeMethod;
  resolve(value: unknown): void;
  reject(error: WaygateError): void;
  timer: ReturnType<typeof setTimeout>;
}

/** The reply schema of `method`, typed by the method (indexing the table with a generic key loses that). */
function replySchema<M extends NativeMethod>(method: M): z.ZodType<NativeResult<M>> {
  return NATIVE_METHODS[method].reply;
}

export class NativeRpc {
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private closedWith: WaygateError | null = null;

  constructor(
    private readonly port: MessagePort,
    private readonly onPush: (push: NativePush) => void,
    private readonly timeoutMs = 5000,
  ) {}

  call<M extends NativeMethod>(method: M, params?: NativeParams<M>): Promise<NativeResult<M>> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = `${this.nextId++}`;
    return new Promise<NativeResult<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new WaygateError('TIMEOUT', `The Waygate app did not answer ${method} within ${this.timeoutMs} ms.`));
      }, this.timeoutMs);
      const parseResult = (value: unknown) => {
        const parsed = replySchema(method).safeParse(value);
        if (parsed.success) resolve(parsed.data);
        else reject(new WaygateError('BAD_REQUEST', `The Waygate app's ${method} reply does not match the protocol.`));
      };
      this.pending.set(id, { method, resolve: parseResult, reject, timer });
      this.port.postMessage({ v: NATIVE_PROTOCOL_VERSION, id, method, ...(params === undefined ? {} : { params }) });
    });
  }

  /** Feeds one message from the port. Anything that is not a valid host message is ignored. */
  receive(message: unknown): void {
    const parsed = HostMessage.safeParse(message);
    if (!parsed.success) return;
    const msg = parsed.data;
    if ('event' in msg) return this.onPush(msg);
    const call = this.pending.get(msg.id);
    if (!call) return; // stale: timed out or from before a reconnect
    this.pending.delete(msg.id);
    clearTimeout(call.timer);
    if ('error' in msg) call.reject(WaygateError.fromWire(msg.error));
    else call.resolve(msg.result);
  }

  /** The port is gone: reject everything pending, and every later call, with `reason`. */
  close(code: ErrorCode, reason: string): void {
    this.closedWith = new WaygateError(code, reason);
    for (const call of this.pending.values()) {
      clearTimeout(call.timer);
      call.reject(this.closedWith);
    }
    this.pending.clear();
  }

  get pendingCount(): number {
    return this.pending.size;
  }
}
