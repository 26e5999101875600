import { describe, expect, it } from 'vitest';
import { livenessStep, type LivenessState } from '../../../../../cloud/edge/tunnel/liveness.js';
import { TUNNEL_CLOSE } from '../../../../../protocol/tunnel.js';

const times = { keepaliveMs: 25_000, idleTimeoutMs: 300_000 };
const fresh: LivenessState = { lastFrameAt: 0, lastHeardAt: 0, pingSentAt: null, tokenExpiresAt: 3_600_000 };

describe('session liveness', () => {
  it('does nothing while the device is heard from', () => {
    expect(livenessStep(fresh, 24_999, times)).toEqual({ kind: 'ok' });
  });

  it('pings after a keepalive interval of silence', () => {
    expect(livenessStep(fresh, 25_000, times)).toEqual({ kind: 'ping' });
  });

  it('waits a keepalive interval for the pong, then closes KEEPALIVE_TIMEOUT', () => {
    const waiting = { ...fresh, pingSentAt: 25_000 };
    expect(livenessStep(waiting, 49_999, times)).toEqual({ kind: 'ok' });
    expect(livenessStep(waiting, 50_000, times)).toEqual({ kind: 'close', code: TUNNEL_CLOSE.KEEPALIVE_TIMEOUT });
  });

  it('closes IDLE_TIMEOUT when the device only answers pings', () => {
    const answering = { ...fresh, lastHeardAt: 299_000 };
    expect(livenessStep(answering, 299_999, times)).toEqual({ kind: 'ok' });
    expect(livenessStep(answering, 300_000, times)).toEqual({ kind: 'close', code: TUNNEL_CLOSE.IDLE_TIMEOUT });
  });

  it('closes TOKEN_EXPIRED when the token runs out, whatever the traffic', () => {
    const busy = { ...fresh, lastFrameAt: 3_599_999, lastHeardAt: 3_599_999 };
    expect(livenessStep(busy, 3_599_999, times)).toEqual({ kind: 'ok' });
    expect(livenessStep(busy, 3_600_000, times)).toEqual({ kind: 'close', code: TUNNEL_CLOSE.TOKEN_EXPIRED });
  });
});
