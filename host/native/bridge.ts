/**
 * The native bridge's logic: decoded frames in, replies and pushes out, with the LocalAPI client
 * doing the work. It holds no state of its own beyond the service link.
 *
 * What a bad frame means (the browser never sends one, so anything odd is a bug or an attack):
 * - the request id is known → an error reply with a code, and the bridge carries on;
 * - the id is not known (bad UTF-8 or JSON, no usable id, frame over 64 MiB) → `onFatal` with the
 *   reason: nobody could match an error reply, and the stream can no longer be trusted.
 */
import { toWireError, type ErrorCode } from '../../protocol/errors.js';
import type { DecodeEvent } from '../../protocol/frame-codec.js';
import {
  NATIVE_METHODS,
  NATIVE_PROTOCOL_VERSION,
  NativeMethodName,
  NativeRequest,
  RequestId,
  type HostMessage,
  type NativeMethod,
} from '../../protocol/native.js';
import type { LocalApiClient } from '../client/localapi-client.js';
import type { Logger } from '../log.js';
import { ServiceLinkWatcher } from './service-link.js';

export interface BridgeOptions {
  client: Pick<LocalApiClient, 'request' | 'watch'>;
  send: (message: HostMessage) => void;
  onFatal: (reason: string) => void;
  logger: Logger;
}

export class NativeBridge {
  private readonly link: ServiceLinkWatcher;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: BridgeOptions) {
    this.link = new ServiceLinkWatcher({
      client: options.client,
      logger: options.logger,
      onLink: (data) => options.send({ v: NATIVE_PROTOCOL_VERSION, event: 'service', data }),
    });
  }

  /** Handles one decoded frame; replies are sent when their call completes (possibly out of order). */
  handle(event: DecodeEvent): void {
    switch (event.kind) {
      case 'too-large':
        return this.options.onFatal(`frame of ${event.declared} bytes exceeds the ${event.limit}-byte limit`);
      case 'invalid':
        return this.options.onFatal(event.reason);
      case 'message':
        return this.handleMessage(event.value);
    }
  }

  stop(): void {
    this.link.stop();
  }

  /** Resolves when every request received so far has been answered. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private handleMessage(value: unknown): void {
    const request = NativeRequest.safeParse(value);
    if (request.success) {
      const call = this.dispatch(request.data.id, request.data.method, request.data.params);
      this.inFlight.add(call);
      void call.finally(() => this.inFlight.delete(call));
      return;
    }
    const id = knownId(value);
    if (id === null) return this.options.onFatal('message has no usable request id');
    const [code, message] = whatIsWrong(value);
    this.replyError(id, code, message);
  }

  private async dispatch(id: string, method: NativeMethod, rawParams: unknown): Promise<void> {
    const params = NATIVE_METHODS[method].request.safeParse(rawParams);
    if (!params.success) {
      return this.replyError(id, 'BAD_REQUEST', `params of ${method}: ${params.error.issues[0]?.message ?? 'invalid'}`);
    }
    try {
      const result = await this.call(method, params.data);
      this.options.send({ v: NATIVE_PROTOCOL_VERSION, id, result });
      // Pushes start only after the reply, so the browser hears "watching" before the first event.
      if (method === 'watch') this.link.start();
    } catch (err) {
      this.options.send({ v: NATIVE_PROTOCOL_VERSION, id, error: toWireError(err) });
    }
  }

  /** Every method but `watch` is a LocalAPI route of the same name, relayed as it is. */
  private call(method: NativeMethod, params: unknown): Promise<unknown> {
    if (method === 'watch') return Promise.resolve({ watching: true });
    return this.options.client.request(method, NATIVE_METHODS[method].request.parse(params));
  }

  private replyError(id: string, code: ErrorCode, message: string): void {
    this.options.logger.warn({ id, code, message }, 'native: bad request');
    this.options.send({ v: NATIVE_PROTOCOL_VERSION, id, error: { code, message } });
  }
}

function knownId(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || !('id' in value)) return null;
  const id = RequestId.safeParse(value.id);
  return id.success ? id.data : null;
}

function whatIsWrong(value: unknown): [ErrorCode, string] {
  if (typeof value !== 'object' || value === null) return ['BAD_REQUEST', 'a request must be a JSON object'];
  if (!('v' in value) || value.v !== NATIVE_PROTOCOL_VERSION) {
    return ['UNSUPPORTED_VERSION', `this host speaks native protocol version ${NATIVE_PROTOCOL_VERSION}`];
  }
  if (!('method' in value) || !NativeMethodName.safeParse(value.method).success) {
    return ['UNKNOWN_METHOD', `unknown method; known: ${NativeMethodName.options.join(', ')}`];
  }
  return ['BAD_REQUEST', 'the request does not match the protocol'];
}
