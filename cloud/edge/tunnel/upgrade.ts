/**
 * The server's `upgrade` event for the tunnel endpoint: only `GET /tunnel/v1`, only with an edge
 * token that verifies, and only while the endpoint is not shutting down. Everything refused gets an
 * HTTP answer with a `{code, message}` body on the raw socket; no WebSocket exists until the token
 * verified.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { EdgeTokenClaims } from '../../../protocol/portal.js';
import { TUNNEL_PATH } from '../../../protocol/tunnel.js';
import type { EdgeMetrics } from '../metrics.js';
import type { VerifyToken } from '../proxy/authenticate.js';
import { writeRawRefusal, type Refusal } from '../proxy/refusal.js';
import { authenticateUpgrade, unauthorized } from './authenticate-upgrade.js';
import type { TunnelLogger } from './options.js';

export interface UpgradeContext {
  readonly wss: WebSocketServer;
  readonly verify: VerifyToken;
  readonly metrics: EdgeMetrics;
  readonly logger: TunnelLogger;
  readonly closing: () => boolean;
  readonly accept: (ws: WebSocket, claims: EdgeTokenClaims) => void;
}

const SHUTTING_DOWN: Refusal = { status: 503, code: 'SERVICE_UNAVAILABLE', message: 'This edge is shutting down; connect to another one.' };

export function upgradeHandler(ctx: UpgradeContext): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://edge.invalid').pathname;
    if (path !== TUNNEL_PATH) return refuse(socket, { status: 404, code: 'NOT_FOUND', message: `Nothing to upgrade at ${path}; the packet tunnel is at ${TUNNEL_PATH}.` });
    if (req.method !== 'GET') return refuse(socket, { status: 405, code: 'BAD_REQUEST', message: 'A tunnel upgrade is a GET request.' });
    if (ctx.closing()) return refuse(socket, SHUTTING_DOWN);
    const result = await authenticateUpgrade(req, ctx.verify);
    if (!result.ok) {
      ctx.metrics.authFailure(result.code);
      return refuse(socket, unauthorized(result));
    }
    // The device may have gone, or the endpoint started closing, while the token was checked.
    if (socket.destroyed) return;
    if (ctx.closing()) return refuse(socket, SHUTTING_DOWN);
    ctx.wss.handleUpgrade(req, socket, head, (ws) => ctx.accept(ws, result.claims));
  };

  return (req, socket, head) => {
    // A reset during authentication must not become an uncaught error.
    socket.on('error', () => undefined);
    upgrade(req, socket, head).catch((err: unknown) => {
      ctx.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'tunnel upgrade failed');
      socket.destroy();
    });
  };
}

function refuse(socket: Duplex, refusal: Refusal): void {
  if (!socket.destroyed) writeRawRefusal(socket, refusal);
}
