/**
 * The edge's packet-tunnel endpoint (issue #4): WSS `/tunnel/v1` on the edge's HTTP(S) server, one
 * session per device, all sessions sharing one TUN.
 *
 * Invariants:
 * - no WebSocket exists before its edge token verified: authentication runs on the upgrade
 *   request, and a failure is a 401 on the raw socket;
 * - a device's packets reach the TUN only from its own assigned address and only to destinations
 *   `decideDestination` allows for its user and groups under the current rules;
 * - a packet from the TUN goes only to the session that owns its destination address.
 *
 * Lifecycle: `attachTunnelEndpoint` starts reading the TUN and takes the server's `upgrade` event
 * (every upgrade path: others get a 404); `shutdown()` closes every session with
 * SERVER_SHUTTING_DOWN, pauses the TUN and lets go of the server. The TUN, the server and the
 * kernel's routes and NAT for the pool belong to the caller: open them before, close them after.
 */
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { ErrorCode } from '../../../protocol/errors.js';
import { parseCidr } from '../../../protocol/ip.js';
import type { EdgeTokenClaims } from '../../../protocol/portal.js';
import {
  closeInfo,
  decodeBatch,
  TUNNEL_CLOSE,
  VIRTIO_NET_HDR_BYTES,
  type BatchLimits,
  type OffloadMode,
  type TunnelCloseCode,
  type TunnelHello,
} from '../../../protocol/tunnel.js';
import { AddressPool, ipv4ToText, subnetOf } from './address-pool.js';
import { buildAssign, checkAssignSettings, type AssignSettings } from './assign.js';
import { readDeviceControl } from './control.js';
import { routeDownlink } from './downlink.js';
import { livenessStep } from './liveness.js';
import { resolveOptions, SWEEP_MS, type TunnelEndpointOptions } from './options.js';
import { TunnelSession } from './session.js';
import { upgradeHandler } from './upgrade.js';
import { forwardUplink } from './uplink.js';

export type { TunnelEndpointOptions, TunnelLogger, TunnelClock } from './options.js';

export interface TunnelSessionInfo {
  readonly device: string;
  readonly user: string;
  /** The device's tunnel address, `100.64.0.2`. */
  readonly address: string;
  readonly offload: OffloadMode | null;
  /** Epoch milliseconds. */
  readonly connectedAt: number;
  /** When the session's edge token runs out (epoch ms) unless the device sends a fresh one. */
  readonly tokenExpiresAt: number;
  readonly packetsUp: number;
  readonly bytesUp: number;
  readonly packetsDown: number;
  readonly bytesDown: number;
}

export interface TunnelEndpoint {
  /** The open sessions (address assigned), one per device. */
  sessions(): TunnelSessionInfo[];
  /** Ends the device's session, DEVICE_REVOKED unless told otherwise; false when it had none. */
  closeDevice(deviceId: string, code?: TunnelCloseCode): boolean;
  /** The rules getter now returns new rules: every remembered verdict is dropped. */
  updateRules(): void;
  /** Closes every session with SERVER_SHUTTING_DOWN and stops reading the TUN; resolves when all are closed. */
  shutdown(): Promise<void>;
}

/** A frame from the device may not hold more packets than this, whatever their size. */
const MAX_PACKETS_PER_BATCH = 8192;
const MAX_IP_PACKET_BYTES = 65_535;

interface CloseDetail {
  readonly error: ErrorCode;
  readonly message: string;
}

export function attachTunnelEndpoint(server: HttpServer | HttpsServer, endpointOptions: TunnelEndpointOptions): TunnelEndpoint {
  const options = resolveOptions(endpointOptions);
  const { clock, logger, metrics, tun } = options;
  const pool = new AddressPool(options.pool);
  const settings: AssignSettings = {
    dns: options.dns,
    mtu: options.mtu,
    routes: options.routes,
    offloadModes: tun.offload ? ['virtio-net-v1'] : [],
    maxBatchBytes: options.maxBatchBytes,
    keepaliveSeconds: options.keepaliveSeconds,
    idleTimeoutSeconds: options.idleTimeoutSeconds,
  };
  checkAssignSettings(settings, pool.defaultSubnet + 2);
  const times = { keepaliveMs: options.keepaliveSeconds * 1000, idleTimeoutMs: options.idleTimeoutSeconds * 1000 };
  const helloTimeoutMs = options.helloTimeoutSeconds * 1000;

  /** Every authenticated connection whose WebSocket has not closed yet, whatever its phase. */
  const connections = new Set<TunnelSession>();
  const byDevice = new Map<string, TunnelSession>();
  const byAddress = new Map<number, TunnelSession>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxBatchBytes, perMessageDeflate: false, clientTracking: false });
  let closing = false;

  // ── one connection ────────────────────────────────────────────────────────────────────────────

  const accept = (ws: WebSocket, claims: EdgeTokenClaims) => {
    const session = new TunnelSession(ws, claims, clock.now(), options.flowCacheSize, options.rules, metrics);
    connections.add(session);
    ws.on('message', (data, isBinary) => onFrame(session, data, isBinary));
    ws.on('error', (err) => logger.warn({ device: session.deviceId, err: err.message }, 'tunnel connection error'));
    ws.on('close', (code) => {
      connections.delete(session);
      end(session, code);
    });
  };

  const onFrame = (session: TunnelSession, data: RawData, isBinary: boolean) => {
    if (session.phase === 'ended') return;
    const now = clock.now();
    session.lastHeardAt = now;
    const frame = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (isBinary) return onBatch(session, frame, now);
    const read = readDeviceControl(frame);
    if (!read.ok) return end(session, read.closeCode, { error: read.closeCode === TUNNEL_CLOSE.UNSUPPORTED_VERSION ? 'UNSUPPORTED_VERSION' : 'BAD_FRAME', message: read.problem });
    const message = read.message;
    if (session.phase === 'awaiting-hello') {
      if (message.type !== 'hello') return end(session, TUNNEL_CLOSE.PROTOCOL_ERROR, { error: 'BAD_FRAME', message: `The first frame must be a hello, not a ${message.type}.` });
      return open(session, message);
    }
    switch (message.type) {
      case 'hello':
        return end(session, TUNNEL_CLOSE.PROTOCOL_ERROR, { error: 'BAD_FRAME', message: 'A second hello on an open tunnel.' });
      case 'ping':
        session.lastFrameAt = now;
        return session.sendControl({ v: 1, type: 'pong', nonce: message.nonce });
      case 'pong':
        return session.pong(message.nonce);
      case 'token':
        session.lastFrameAt = now;
        return refreshToken(session, message.token);
    }
  };

  const onBatch = (session: TunnelSession, frame: Buffer, now: number) => {
    if (session.phase !== 'open') return end(session, TUNNEL_CLOSE.PROTOCOL_ERROR, { error: 'BAD_FRAME', message: 'Packets came before the hello.' });
    session.lastFrameAt = now;
    const limits: BatchLimits = {
      maxPacketBytes: MAX_IP_PACKET_BYTES + (session.offload ? VIRTIO_NET_HDR_BYTES : 0),
      maxPackets: MAX_PACKETS_PER_BATCH,
      maxBatchBytes: options.maxBatchBytes,
      offload: session.offloadMode,
    };
    const decoded = decodeBatch(frame, limits);
    if ('error' in decoded) return end(session, decoded.closeCode, { error: decoded.error === 'batch-too-large' ? 'FRAME_TOO_LARGE' : 'BAD_FRAME', message: decoded.reason });
    const { packets, bytes } = forwardUplink(decoded.packets, session, tun, metrics);
    session.received(packets, bytes);
  };

  const open = (session: TunnelSession, hello: TunnelHello) => {
    const requested = hello.capabilities.range === undefined ? null : parseCidr(hello.capabilities.range);
    const subnet = requested?.ok === true ? Number(requested.cidr.network) : pool.defaultSubnet;
    const previous = byDevice.get(session.deviceId);
    if (previous === undefined && byDevice.size >= options.maxSessions) return end(session, TUNNEL_CLOSE.ADDRESS_POOL_EXHAUSTED);
    let address: number | null;
    if (previous !== undefined && subnetOf(previous.address) === subnet) {
      // A reconnecting device keeps its address when it asks for the same /16, so flows through the NAT survive.
      end(previous, TUNNEL_CLOSE.REPLACED, undefined, false);
      address = previous.address;
    } else {
      if (previous !== undefined) end(previous, TUNNEL_CLOSE.REPLACED);
      address = pool.allocate(subnet);
    }
    if (address === null) return end(session, TUNNEL_CLOSE.ADDRESS_POOL_EXHAUSTED);
    const assign = buildAssign(hello, address, settings);
    session.address = address;
    session.offloadMode = assign.offload;
    session.maxBatchBytes = hello.capabilities.maxBatchBytes;
    session.phase = 'open';
    byDevice.set(session.deviceId, session);
    byAddress.set(address, session);
    metrics.tunnelOpened('packet');
    session.sendControl(assign);
    logger.info(
      { device: session.deviceId, user: session.claims.user, address: ipv4ToText(address), offload: assign.offload, client: hello.client },
      'tunnel session opened',
    );
  };

  const refreshToken = (session: TunnelSession, token: string) => {
    options.verify(token).then(
      (result) => {
        if (session.phase === 'ended') return;
        if (!result.ok) {
          metrics.authFailure(result.code);
          const code = result.code === 'TOKEN_EXPIRED' ? TUNNEL_CLOSE.TOKEN_EXPIRED : TUNNEL_CLOSE.UNAUTHENTICATED;
          return end(session, code, { error: result.code, message: result.reason });
        }
        if (result.claims.sub !== session.deviceId) {
          metrics.authFailure('TOKEN_OTHER_DEVICE');
          return end(session, TUNNEL_CLOSE.UNAUTHENTICATED, { error: 'UNAUTHENTICATED', message: 'The refreshed token belongs to another device.' });
        }
        session.refreshClaims(result.claims);
      },
      (err: unknown) => {
        logger.warn({ device: session.deviceId, err: err instanceof Error ? err.message : String(err) }, 'tunnel token refresh failed');
        end(session, TUNNEL_CLOSE.UNAUTHENTICATED);
      },
    );
  };

  /**
   * Takes the session out of every map at once, so no packet is routed to it after this line; then
   * closes its WebSocket unless the device already did. `releaseAddress` is false when a replacing
   * session of the same device takes the address over.
   */
  const end = (session: TunnelSession, code: number, detail?: CloseDetail, releaseAddress = true) => {
    if (session.phase === 'ended') return;
    const wasOpen = session.phase === 'open';
    session.phase = 'ended';
    if (wasOpen) {
      if (byDevice.get(session.deviceId) === session) byDevice.delete(session.deviceId);
      if (byAddress.get(session.address) === session) byAddress.delete(session.address);
      if (releaseAddress) pool.release(session.address);
      metrics.tunnelClosed('packet');
    }
    const { counters } = session;
    logger.info(
      {
        device: session.deviceId,
        user: session.claims.user,
        address: wasOpen ? ipv4ToText(session.address) : null,
        durationMs: clock.now() - session.connectedAt,
        ...counters,
        close: code,
        closeName: closeInfo(code).name,
      },
      'tunnel session closed',
    );
    if (session.ws.readyState !== session.ws.OPEN) return;
    if (detail !== undefined) session.sendControl({ v: 1, type: 'error', code: detail.error, message: detail.message.slice(0, 1024) });
    session.ws.close(code, closeInfo(code).reason);
  };

  // ── deadlines: one sweep for all connections ──────────────────────────────────────────────────

  const sweep = () => {
    const now = clock.now();
    for (const session of connections) {
      if (session.phase === 'awaiting-hello') {
        if (now - session.connectedAt >= helloTimeoutMs) {
          end(session, TUNNEL_CLOSE.PROTOCOL_ERROR, { error: 'TIMEOUT', message: `No hello within ${options.helloTimeoutSeconds} seconds of connecting.` });
        }
        continue;
      }
      if (session.phase !== 'open') continue;
      const step = livenessStep(session, now, times);
      if (step.kind === 'ping') session.ping(now);
      else if (step.kind === 'close') end(session, step.code, step.code === TUNNEL_CLOSE.TOKEN_EXPIRED ? { error: 'TOKEN_EXPIRED', message: 'The edge token expired and no fresh one came.' } : undefined);
    }
  };

  // ── wiring ────────────────────────────────────────────────────────────────────────────────────

  const onUpgrade = upgradeHandler({ wss, verify: options.verify, metrics, logger, closing: () => closing, accept });
  server.on('upgrade', onUpgrade);
  const stopSweep = clock.every(SWEEP_MS, sweep);
  tun.start((packets) => routeDownlink(packets, tun.offload, (address) => byAddress.get(address), metrics));

  const closed = (session: TunnelSession) =>
    new Promise<void>((resolve) => {
      if (session.ws.readyState === session.ws.CLOSED) resolve();
      else session.ws.once('close', () => resolve());
    });

  return {
    sessions: () =>
      [...byDevice.values()].map((session) => ({
        device: session.deviceId,
        user: session.claims.user,
        address: ipv4ToText(session.address),
        offload: session.offloadMode,
        connectedAt: session.connectedAt,
        tokenExpiresAt: session.tokenExpiresAt,
        ...session.counters,
      })),
    closeDevice(deviceId, code = TUNNEL_CLOSE.DEVICE_REVOKED) {
      const session = byDevice.get(deviceId);
      const pending = [...connections].filter((candidate) => candidate.deviceId === deviceId && candidate.phase === 'awaiting-hello');
      for (const candidate of pending) end(candidate, code);
      if (session !== undefined) end(session, code);
      return session !== undefined || pending.length > 0;
    },
    updateRules() {
      for (const session of connections) session.forgetVerdicts();
    },
    async shutdown() {
      if (closing) return;
      closing = true;
      stopSweep();
      tun.pause();
      const open = [...connections];
      for (const session of open) end(session, TUNNEL_CLOSE.SERVER_SHUTTING_DOWN);
      const cut = setTimeout(() => {
        for (const session of open) session.ws.terminate();
      }, options.shutdownGraceMs);
      await Promise.all(open.map(closed));
      clearTimeout(cut);
      server.off('upgrade', onUpgrade);
    },
  };
}
