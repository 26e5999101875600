/**
 * The service side of the LocalAPI RPC channel: one upgraded socket, length-prefixed JSON frames
 * both ways. Every call passes the same permission check as an HTTP request before dispatch. A frame
 * that cannot be attributed to a request id (bad JSON, too large) closes the channel.
 */
import type { Socket } from 'node:net';
import { toWireError, type WireError } from '../../protocol/errors.js';
import { FrameDecoder, encodeFrame } from '../../protocol/frame-codec.js';
import { LOCALAPI_VERSION, ROUTES, RPC_MAX_FRAME_BYTES, RpcRequest, type RpcReply } from '../../protocol/localapi.js';
import type { PeerCredentials } from '../../platform/peercred.js';
import type { Logger } from '../log.js';
import { checkAccess, type AccessPolicy } from './permissions.js';
import type { UnaryHandler } from './unary-handlers.js';
import type { UnaryRouteName } from '../../protocol/localapi.js';

export interface RpcChannelDeps {
  handlers: Record<UnaryRouteName, UnaryHandler>;
  access: AccessPolicy;
  logger: Logger;
}

export function serveRpcChannel(socket: Socket, caller: PeerCredentials | null, deps: RpcChannelDeps): void {
  const decoder = new FrameDecoder(RPC_MAX_FRAME_BYTES);
  const send = (reply: RpcReply) => {
    if (socket.writable) socket.write(encodeFrame(reply, RPC_MAX_FRAME_BYTES));
  };
  const sendError = (id: number, error: WireError) => send({ v: LOCALAPI_VERSION, id, error });
  const fail = (reason: string) => {
    deps.logger.warn({ reason }, 'localapi: closing RPC channel');
    socket.destroy();
  };

  socket.on('data', (chunk: Buffer) => {
    for (const event of decoder.push(chunk)) {
      if (event.kind === 'too-large') return fail(`frame of ${event.declared} bytes over the ${event.limit}-byte limit`);
      if (event.kind === 'invalid') return fail(event.reason);
      const request = RpcRequest.safeParse(event.value);
      if (!request.success) return fail('frame is not an RPC request');
      const { id, route, body } = request.data;
      const decision = checkAccess(caller, ROUTES[route].permission, deps.access);
      if (!decision.allowed) {
        sendError(id, { code: 'PERMISSION_DENIED', message: `Not allowed: ${decision.reason}.` });
        continue;
      }
      deps.handlers[route](body).then(
        (result) => {
          try {
            send({ v: LOCALAPI_VERSION, id, result });
          } catch (err) {
            sendError(id, toWireError(err));
          }
        },
        (err: unknown) => sendError(id, toWireError(err)),
      );
    }
  });
  socket.on('error', (err) => deps.logger.debug({ err }, 'localapi: RPC channel error'));
}
