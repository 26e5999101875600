/**
 * One device's tunnel connection, from the authenticated upgrade to the close: who it is, its
 * address once assigned, its timestamps for the liveness sweep, its flow verdicts and counters.
 * It owns no routing: the endpoint keeps the maps from device and address to session.
 *
 * Phases: `awaiting-hello` (authenticated, nothing assigned) → `open` (address assigned, packets
 * flow) → `ended` (removed from every map; the WebSocket may still be finishing its close).
 */
import type { WebSocket } from 'ws';
import type { EdgeTokenClaims } from '../../../protocol/portal.js';
import type { EdgeControl, OffloadMode } from '../../../protocol/tunnel.js';
import { MIN_BATCH_BYTES } from '../../../protocol/tunnel.js';
import { CLOCK_TOLERANCE_SECONDS } from '../auth/verify-token.js';
import type { EdgeMetrics } from '../metrics.js';
import { decideDestination, type DestinationRules } from '../policy/decide-destination.js';
import { ipv4ToText } from './address-pool.js';
import type { DownlinkSession } from './downlink.js';
import { FlowVerdicts } from './flow-verdicts.js';
import type { LivenessState } from './liveness.js';
import type { UplinkSession } from './uplink.js';

export type SessionPhase = 'awaiting-hello' | 'open' | 'ended';

export interface SessionCounters {
  packetsUp: number;
  bytesUp: number;
  packetsDown: number;
  bytesDown: number;
}

export class TunnelSession implements UplinkSession, DownlinkSession, LivenessState {
  phase: SessionPhase = 'awaiting-hello';
  /** Unsigned 32-bit; meaningful once `open`. */
  address = 0;
  offloadMode: OffloadMode | null = null;
  maxBatchBytes = MIN_BATCH_BYTES;
  lastFrameAt: number;
  lastHeardAt: number;
  pingSentAt: number | null = null;
  /** The nonce of the edge's outstanding ping: only its pong counts. */
  pingNonce: string | null = null;
  tokenExpiresAt: number;
  readonly counters: SessionCounters = { packetsUp: 0, bytesUp: 0, packetsDown: 0, bytesDown: 0 };
  private pings = 0;
  private readonly verdicts: FlowVerdicts;

  constructor(
    readonly ws: WebSocket,
    private claimsNow: EdgeTokenClaims,
    readonly connectedAt: number,
    flowCacheSize: number,
    private readonly rules: () => DestinationRules,
    private readonly metrics: EdgeMetrics,
  ) {
    this.lastFrameAt = connectedAt;
    this.lastHeardAt = connectedAt;
    this.tokenExpiresAt = expiryOf(claimsNow);
    this.verdicts = new FlowVerdicts(flowCacheSize);
  }

  get claims(): EdgeTokenClaims {
    return this.claimsNow;
  }

  get deviceId(): string {
    return this.claimsNow.sub;
  }

  get offload(): boolean {
    return this.offloadMode !== null;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /** A refreshed token for the same device: its expiry, and its user and groups for new verdicts. */
  refreshClaims(claims: EdgeTokenClaims): void {
    const sameScope = claims.user === this.claimsNow.user && claims.groups.join('\n') === this.claimsNow.groups.join('\n');
    this.claimsNow = claims;
    this.tokenExpiresAt = expiryOf(claims);
    if (!sameScope) this.verdicts.clear();
  }

  /** Forget every verdict: the rules changed. */
  forgetVerdicts(): void {
    this.verdicts.clear();
  }

  allows(destination: number, port: number): boolean {
    const cached = this.verdicts.get(destination, port);
    if (cached !== undefined) return cached;
    const host = ipv4ToText(destination);
    const who = { userEmail: this.claimsNow.user, groups: this.claimsNow.groups };
    const { allowed } = decideDestination(this.rules(), { who, host, port, addresses: [host] });
    this.verdicts.set(destination, port, allowed);
    return allowed;
  }

  send(frame: Uint8Array): void {
    this.ws.send(frame, { binary: true });
  }

  sent(packets: number, bytes: number): void {
    this.counters.packetsDown += packets;
    this.counters.bytesDown += bytes;
    this.metrics.packets('down', packets);
    this.metrics.bytes('down', bytes);
  }

  received(packets: number, bytes: number): void {
    this.counters.packetsUp += packets;
    this.counters.bytesUp += bytes;
    this.metrics.packets('up', packets);
    this.metrics.bytes('up', bytes);
  }

  sendControl(message: EdgeControl): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Sends the edge's ping and remembers it as outstanding. */
  ping(now: number): void {
    this.pings += 1;
    this.pingNonce = `edge-${this.pings}`;
    this.pingSentAt = now;
    this.sendControl({ v: 1, type: 'ping', nonce: this.pingNonce });
  }

  pong(nonce: string): void {
    if (nonce !== this.pingNonce) return;
    this.pingNonce = null;
    this.pingSentAt = null;
  }
}

/** The verifier accepts a token until `exp` plus the clock tolerance; the session lasts as long. */
function expiryOf(claims: EdgeTokenClaims): number {
  return (claims.exp + CLOCK_TOLERANCE_SECONDS) * 1000;
}
