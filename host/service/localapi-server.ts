/**
 * The LocalAPI: HTTP on a Unix socket, one route table, one permission check before dispatch.
 * Bodies are validated by their protocol schema on arrival; errors leave as `{code, message}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { WaygateError, httpStatusOf, toWireError, type WireError } from '../../protocol/errors.js';
import {
  LOCALAPI_VERSION,
  ROUTES,
  RPC_PATH,
  RPC_UPGRADE,
  RouteName,
  UnaryRouteName,
  type VersionInfo,
  type WatchEvent,
} from '../../protocol/localapi.js';
import type { PeerCredentialsReader } from '../../platform/peercred.js';
import type { Logger } from '../log.js';
import { checkAccess, type AccessPolicy } from './permissions.js';
import { serveRpcChannel } from './rpc-channel.js';
import type { Protection } from './protection.js';
import type { StatusStore } from './status-store.js';
import { createUnaryHandlers } from './unary-handlers.js';

/** Request bodies are small JSON documents; anything larger is a mistake or an attack. */
const BODY_LIMIT_BYTES = 1024 * 1024;

export interface LocalApiDeps {
  store: StatusStore;
  protection: Protection;
  version: VersionInfo;
  access: AccessPolicy;
  peerCredentials: PeerCredentialsReader;
  logger: Logger;
}

export function createLocalApi(deps: LocalApiDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES, forceCloseConnections: true });
  const watchers = new Set<ServerResponse>();

  const unary = createUnaryHandlers(deps.store, deps.version, deps.protection);

  app.addHook('onRequest', (request, reply, done) => {
    const route = routeNameOf(request.routeOptions.url);
    if (route === null) return done();
    const decision = checkAccess(deps.peerCredentials(request.socket), ROUTES[route].permission, deps.access);
    if (decision.allowed) return done();
    deps.logger.warn({ route, reason: decision.reason }, 'localapi: permission denied');
    void sendError(reply, { code: 'PERMISSION_DENIED', message: `Not allowed: ${decision.reason}.` });
  });

  for (const name of UnaryRouteName.options) {
    app.route({ method: ROUTES[name].method, url: ROUTES[name].path, handler: (request: FastifyRequest) => unary[name](request.body) });
  }
  app.route({
    method: ROUTES.watch.method,
    url: ROUTES.watch.path,
    handler: (_request, reply) => {
      streamWatch(reply, deps.store, watchers);
      return reply;
    },
  });

  // The RPC channel: anyone who may connect may open it; each call is checked like an HTTP request.
  const channels = new Set<Socket>();
  app.server.on('upgrade', (request: IncomingMessage, socket: Socket) => {
    if (request.url !== RPC_PATH || request.headers.upgrade?.toLowerCase() !== RPC_UPGRADE) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${RPC_UPGRADE}\r\nConnection: Upgrade\r\n\r\n`);
    channels.add(socket);
    socket.once('close', () => channels.delete(socket));
    serveRpcChannel(socket, deps.peerCredentials(socket), { handlers: unary, access: deps.access, logger: deps.logger });
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(reply, { code: 'UNKNOWN_METHOD', message: `No LocalAPI route ${request.method} ${request.url}.` }),
  );
  app.setErrorHandler((err, request, reply) => {
    if (err instanceof WaygateError) return sendError(reply, err.toWire());
    const status = typeof err === 'object' && err !== null && 'statusCode' in err ? Number(err.statusCode) : 500;
    if (status >= 400 && status < 500) {
      return sendError(reply, { code: 'BAD_REQUEST', message: err instanceof Error ? err.message : 'bad request' });
    }
    deps.logger.error({ err, url: request.url }, 'localapi: handler failed');
    return sendError(reply, toWireError(err));
  });

  app.addHook('preClose', (done) => {
    for (const watcher of watchers) watcher.end();
    for (const channel of channels) channel.destroy();
    done();
  });
  return app;
}

function routeNameOf(url: string | undefined): RouteName | null {
  return RouteName.options.find((name) => ROUTES[name].path === url) ?? null;
}

function sendError(reply: FastifyReply, error: WireError): FastifyReply {
  return reply.code(httpStatusOf(error.code)).type('application/json').send(error);
}

/** Newline-delimited JSON: the snapshot, then every change, until either side closes. */
function streamWatch(reply: FastifyReply, store: StatusStore, watchers: Set<ServerResponse>): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  const send = (event: WatchEvent): void => {
    res.write(`${JSON.stringify(event)}\n`);
  };
  send({ v: LOCALAPI_VERSION, kind: 'snapshot', status: store.get() });
  const unsubscribe = store.subscribe((status) => send({ v: LOCALAPI_VERSION, kind: 'status', status }));
  watchers.add(res);
  res.on('close', () => {
    unsubscribe();
    watchers.delete(res);
  });
}
