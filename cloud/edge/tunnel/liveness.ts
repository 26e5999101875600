/**
 * When a session must ping, or end, as a pure function of its timestamps and the clock, so every
 * deadline is tested without timers. The endpoint sweeps all sessions with it once a second.
 *
 * - `lastFrameAt`: the last frame the device sent of its own accord (packets, its pings, a token).
 *   A pong does not count: it proves the device is alive, not that anyone uses the tunnel, and a
 *   device that only ever answers pings would otherwise hold an address forever. A live device
 *   that is quiet pings at the keepalive interval itself, which counts.
 * - `lastHeardAt`: the last frame of any kind, pongs included: "is the device still there".
 * - the edge pings once the device has been silent for a keepalive interval, and gives up when
 *   that ping goes unanswered for another one.
 */
import { TUNNEL_CLOSE, type TunnelCloseCode } from '../../../protocol/tunnel.js';

export interface LivenessState {
  /** Epoch milliseconds, like every time here. */
  readonly lastFrameAt: number;
  readonly lastHeardAt: number;
  /** When the edge's unanswered ping went out; null when none is outstanding. */
  readonly pingSentAt: number | null;
  /** When the session's current edge token stops being valid (its `exp`, plus the clock tolerance). */
  readonly tokenExpiresAt: number;
}

export interface LivenessTimes {
  readonly keepaliveMs: number;
  readonly idleTimeoutMs: number;
}

export type LivenessStep = { readonly kind: 'ok' } | { readonly kind: 'ping' } | { readonly kind: 'close'; readonly code: TunnelCloseCode };

const OK: LivenessStep = { kind: 'ok' };
const PING: LivenessStep = { kind: 'ping' };

export function livenessStep(state: LivenessState, now: number, times: LivenessTimes): LivenessStep {
  if (now >= state.tokenExpiresAt) return { kind: 'close', code: TUNNEL_CLOSE.TOKEN_EXPIRED };
  if (now - state.lastFrameAt >= times.idleTimeoutMs) return { kind: 'close', code: TUNNEL_CLOSE.IDLE_TIMEOUT };
  if (state.pingSentAt !== null) {
    return now - state.pingSentAt >= times.keepaliveMs ? { kind: 'close', code: TUNNEL_CLOSE.KEEPALIVE_TIMEOUT } : OK;
  }
  return now - state.lastHeardAt >= times.keepaliveMs ? PING : OK;
}
