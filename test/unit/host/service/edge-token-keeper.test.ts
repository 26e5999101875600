import { describe, expect, it, vi } from 'vitest';
import { refreshAtMs } from '../../../../core/token-schedule.js';
import { EdgeTokenKeeper, type EdgeToken } from '../../../../host/service/edge-token-keeper.js';
import { WaygateError } from '../../../../protocol/errors.js';
import type { EdgeTokenResponse } from '../../../../protocol/portal.js';
import { silentLogger } from '../../../fakes/logger.js';
import { ManualClock } from '../../../fakes/manual-clock.js';

const HOUR = 3_600_000;

/** An edge-token endpoint that answers from `answers` in turn; a number is a token lifetime in ms from now. */
function harness(answers: (number | WaygateError)[]) {
  const clock = new ManualClock();
  let calls = 0;
  const edgeToken = vi.fn((): Promise<EdgeTokenResponse> => {
    const answer = answers[calls++];
    if (answer === undefined) return Promise.reject(new Error('unexpected edge-token request'));
    if (answer instanceof WaygateError) return Promise.reject(answer);
    return Promise.resolve({ token: `token-${calls}`, expires_at: Math.floor((clock.now() + answer) / 1000) });
  });
  const tokens: EdgeToken[] = [];
  const onRejected = vi.fn();
  const keeper = new EdgeTokenKeeper({
    client: { edgeToken },
    credential: 'wgd.dev-1.secret',
    clock,
    logger: silentLogger,
    onToken: (token) => tokens.push(token),
    onRejected,
  });
  return { clock, keeper, edgeToken, tokens, onRejected };
}

const down = () => new WaygateError('PORTAL_UNREACHABLE', 'The portal could not be reached.');

describe('EdgeTokenKeeper', () => {
  it('fetches a token at start and schedules its refresh at refreshAtMs', async () => {
    const h = harness([HOUR]);
    const issuedAt = h.clock.now();
    await h.keeper.start();
    await h.keeper.refresh();
    expect(h.edgeToken).toHaveBeenCalledTimes(1);
    expect(h.edgeToken).toHaveBeenCalledWith('wgd.dev-1.secret');
    const token = { token: 'token-1', expiresAtMs: issuedAt + HOUR };
    expect(h.tokens).toEqual([token]);
    expect(h.keeper.token).toEqual(token);
    expect(h.clock.pending().map((t) => t.at)).toEqual([refreshAtMs(issuedAt, issuedAt + HOUR)]);
    expect(refreshAtMs(issuedAt, issuedAt + HOUR)).toBe(issuedAt + 48 * 60_000);
  });

  it('refreshes when the schedule says, replacing the token', async () => {
    const h = harness([HOUR, HOUR]);
    await h.keeper.refresh();
    h.clock.advance(48 * 60_000 - 1);
    expect(h.edgeToken).toHaveBeenCalledTimes(1);
    h.clock.advance(1);
    expect(h.edgeToken).toHaveBeenCalledTimes(2);
    await h.keeper.refresh();
    expect(h.edgeToken).toHaveBeenCalledTimes(2);
    expect(h.keeper.token?.token).toBe('token-2');
    expect(h.keeper.token?.expiresAtMs).toBe(h.clock.now() + HOUR);
  });

  it('retries with growing backoff while the portal is down, keeping the old token until it expires', async () => {
    const h = harness([HOUR, down(), down(), down(), HOUR]);
    await h.keeper.refresh();
    const first = h.keeper.token;
    h.clock.advance(48 * 60_000);
    await h.keeper.refresh();
    const retries: number[] = [];
    for (let i = 0; i < 2; i++) {
      const [next] = h.clock.pending();
      if (!next) throw new Error('no retry scheduled');
      retries.push(next.ms);
      expect(h.keeper.token).toEqual(first);
      h.clock.advance(next.ms);
      await h.keeper.refresh();
    }
    retries.push(h.clock.pending()[0]?.ms ?? -1);
    expect(retries).toEqual([2_000, 4_000, 8_000]);
    expect(h.keeper.token).toEqual(first);
    h.clock.advance(8_000);
    await h.keeper.refresh();
    expect(h.keeper.token?.token).toBe('token-5');
    expect(h.onRejected).not.toHaveBeenCalled();
  });

  it('caps the backoff at a minute', async () => {
    const h = harness([down(), down(), down(), down(), down(), down(), down(), down()]);
    const delays: number[] = [];
    await h.keeper.refresh();
    for (let i = 0; i < 7; i++) {
      const [next] = h.clock.pending();
      if (!next) throw new Error('no retry scheduled');
      delays.push(next.ms);
      h.clock.advance(next.ms);
      await h.keeper.refresh();
    }
    expect(delays).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
  });

  it('gives no token once the current one has expired', async () => {
    const h = harness([10 * 60_000, down(), down(), down(), down(), down(), down(), down(), down(), down(), down(), down(), down()]);
    await h.keeper.refresh();
    const expiresAtMs = h.keeper.token?.expiresAtMs ?? 0;
    h.clock.advance(expiresAtMs - h.clock.now() - 1);
    expect(h.keeper.token).not.toBeNull();
    h.clock.advance(1);
    expect(h.keeper.token).toBeNull();
  });

  it('stops and reports the rejection when the portal no longer knows the device', async () => {
    const revoked = new WaygateError('UNAUTHENTICATED', 'The portal no longer accepts this device; sign in again.');
    const h = harness([revoked]);
    await expect(h.keeper.refresh()).resolves.toBeNull();
    expect(h.onRejected).toHaveBeenCalledWith(revoked);
    expect(h.clock.pending()).toEqual([]);
    expect(h.keeper.token).toBeNull();
  });

  it('shares one request between concurrent refreshes', async () => {
    const h = harness([HOUR, HOUR]);
    const [a, b] = await Promise.all([h.keeper.refresh(), h.keeper.refresh()]);
    expect(h.edgeToken).toHaveBeenCalledTimes(1);
    expect(a).toBe(b);
  });

  it('schedules nothing after stop', async () => {
    const h = harness([HOUR]);
    await h.keeper.refresh();
    h.keeper.stop();
    expect(h.clock.pending()).toEqual([]);
    h.clock.advance(2 * HOUR);
    expect(h.edgeToken).toHaveBeenCalledTimes(1);
  });
});
