import { describe, expect, it, vi } from 'vitest';
import { abortableSleep, pollForApproval, type DeviceFlowDeps } from '../../../core/device-flow.js';
import type { TokenOutcome } from '../../../core/portal-client.js';
import { WaygateError } from '../../../protocol/errors.js';
import { CLIENT_ID, DEVICE_CODE_GRANT, type DeviceAuthorizeResponse, type DeviceTokenResponse, type TokenError } from '../../../protocol/portal.js';
import { ManualClock } from '../../fakes/manual-clock.js';

const CODE: DeviceAuthorizeResponse = {
  device_code: 'device-code-1',
  user_code: 'ABCD-EFGH',
  verification_uri: 'https://portal.example/device',
  verification_uri_complete: 'https://portal.example/device?user_code=ABCD-EFGH',
  expires_in: 600,
  interval: 5,
};

const GRANTED: DeviceTokenResponse = {
  token_type: 'waygate-device',
  device_id: 'dev-1',
  device_credential: 'wgd.dev-1.secret',
  org: { id: 'org-1', name: 'Example' },
  user: { id: 'user-1', email: 'ada@example.com', name: 'Ada' },
  portal_keys: { keys: [] },
};

type Answer = TokenOutcome | WaygateError | ((clock: ManualClock) => TokenOutcome);

const granted: TokenOutcome = { kind: 'granted', response: GRANTED };
const oauth = (error: TokenError['error'], error_description?: string): TokenOutcome => ({
  kind: 'error',
  error: error_description === undefined ? { error } : { error, error_description },
});
const unreachable = () => new WaygateError('PORTAL_UNREACHABLE', 'The portal at https://portal.example could not be reached: ECONNREFUSED.');

/** A token endpoint that gives `answers` in turn (the last one for ever), and a sleep that moves the clock. */
function harness(answers: Answer[], code = CODE) {
  const clock = new ManualClock();
  const controller = new AbortController();
  const sleeps: number[] = [];
  const polls: { outcome: string; nextPollInMs: number }[] = [];
  let index = 0;
  const token = vi.fn(() => {
    const answer = answers[Math.min(index++, answers.length - 1)];
    if (answer === undefined) throw new Error('no answers');
    if (answer instanceof WaygateError) return Promise.reject(answer);
    return Promise.resolve(typeof answer === 'function' ? answer(clock) : answer);
  });
  const deps: DeviceFlowDeps = {
    client: { token },
    now: () => clock.now(),
    sleep: (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
      return Promise.resolve();
    },
    signal: controller.signal,
    onPoll: (outcome, nextPollInMs) => polls.push({ outcome, nextPollInMs }),
  };
  return { run: () => pollForApproval(code, deps), token, sleeps, polls, controller, clock };
}

async function loginFailure(promise: Promise<unknown>): Promise<WaygateError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof WaygateError)) throw new Error(`expected a WaygateError, got ${String(err)}`);
  expect(err.code).toBe('LOGIN_FAILED');
  return err;
}

describe('pollForApproval', () => {
  it('polls at the interval while pending and resolves with the enrollment once granted', async () => {
    const h = harness([oauth('authorization_pending'), oauth('authorization_pending'), granted]);
    await expect(h.run()).resolves.toEqual(GRANTED);
    expect(h.token).toHaveBeenCalledTimes(3);
    expect(h.token).toHaveBeenCalledWith({ grant_type: DEVICE_CODE_GRANT, device_code: 'device-code-1', client_id: CLIENT_ID });
    expect(h.sleeps).toEqual([5_000, 5_000]);
    expect(h.polls).toEqual([
      { outcome: 'pending', nextPollInMs: 5_000 },
      { outcome: 'pending', nextPollInMs: 5_000 },
    ]);
  });

  it('grows the interval by 5 s on every slow_down and keeps the new interval', async () => {
    const h = harness([oauth('slow_down'), oauth('authorization_pending'), oauth('slow_down'), oauth('authorization_pending'), granted]);
    await h.run();
    expect(h.sleeps).toEqual([10_000, 10_000, 15_000, 15_000]);
    expect(h.polls.map((p) => p.outcome)).toEqual(['slow_down', 'pending', 'slow_down', 'pending']);
  });

  it('fails with reason access_denied when the user denies the sign-in', async () => {
    const err = await loginFailure(harness([oauth('authorization_pending'), oauth('access_denied')]).run());
    expect(err.details).toEqual({ reason: 'access_denied' });
    expect(err.message).toMatch(/denied/);
  });

  it('fails with reason expired_token when the portal says the code expired', async () => {
    const err = await loginFailure(harness([oauth('expired_token')]).run());
    expect(err.details).toEqual({ reason: 'expired_token' });
    expect(err.message).toMatch(/expired.*start again/);
  });

  it('fails with the OAuth error as the reason for any other refusal, quoting its description', async () => {
    const err = await loginFailure(harness([oauth('invalid_grant', 'the device code is unknown')]).run());
    expect(err.details).toEqual({ reason: 'invalid_grant' });
    expect(err.message).toContain('the device code is unknown');
  });

  it('retries at the interval while the portal is unreachable', async () => {
    const h = harness([unreachable(), unreachable(), oauth('authorization_pending'), granted]);
    await expect(h.run()).resolves.toEqual(GRANTED);
    expect(h.token).toHaveBeenCalledTimes(4);
    expect(h.sleeps).toEqual([5_000, 5_000, 5_000]);
    expect(h.polls.map((p) => p.outcome)).toEqual(['unreachable', 'unreachable', 'pending']);
  });

  it('does not retry errors other than an unreachable portal', async () => {
    const boom = new WaygateError('INTERNAL', 'bug');
    const h = harness([boom]);
    await expect(h.run()).rejects.toBe(boom);
    expect(h.token).toHaveBeenCalledTimes(1);
  });

  it('stops with reason expired_token once the code’s lifetime has passed, without asking again', async () => {
    const h = harness([oauth('authorization_pending')], { ...CODE, expires_in: 20, interval: 5 });
    const err = await loginFailure(h.run());
    expect(err.details).toEqual({ reason: 'expired_token' });
    expect(h.token).toHaveBeenCalledTimes(4);
    expect(h.sleeps).toEqual([5_000, 5_000, 5_000, 5_000]);
  });

  it('ends polling at expiry while the portal stays unreachable', async () => {
    const h = harness([unreachable()], { ...CODE, expires_in: 12, interval: 5 });
    const err = await loginFailure(h.run());
    expect(err.details).toEqual({ reason: 'expired_token' });
    expect(h.token).toHaveBeenCalledTimes(3);
  });

  it('fails with reason cancelled when aborted, and asks no more', async () => {
    const h = harness([
      oauth('authorization_pending'),
      () => {
        h.controller.abort();
        return oauth('authorization_pending');
      },
      granted,
    ]);
    const err = await loginFailure(h.run());
    expect(err.details).toEqual({ reason: 'cancelled' });
    expect(h.token).toHaveBeenCalledTimes(2);
  });

  it('fails with reason cancelled without asking when aborted before it starts', async () => {
    const h = harness([granted]);
    h.controller.abort();
    const err = await loginFailure(h.run());
    expect(err.details).toEqual({ reason: 'cancelled' });
    expect(h.token).not.toHaveBeenCalled();
  });

  it('shortens the next sleep by the time a long-polled answer was held', async () => {
    const heldFor4s = (clock: ManualClock) => {
      clock.advance(4_000);
      return oauth('authorization_pending');
    };
    const heldFor9s = (clock: ManualClock) => {
      clock.advance(9_000);
      return oauth('authorization_pending');
    };
    const h = harness([heldFor4s, heldFor9s, granted]);
    await h.run();
    expect(h.sleeps).toEqual([1_000, 0]);
    expect(h.polls.map((p) => p.nextPollInMs)).toEqual([1_000, 0]);
  });
});

describe('abortableSleep', () => {
  it('resolves after the time, and rejects with reason cancelled as soon as the signal aborts', async () => {
    vi.useFakeTimers();
    try {
      const done = vi.fn();
      const first = abortableSleep(5_000, new AbortController().signal).then(done);
      await vi.advanceTimersByTimeAsync(4_999);
      expect(done).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      await first;
      expect(done).toHaveBeenCalledTimes(1);

      const controller = new AbortController();
      const second = abortableSleep(60_000, controller.signal);
      controller.abort();
      await expect(second).rejects.toMatchObject({ code: 'LOGIN_FAILED', details: { reason: 'cancelled' } });
      expect(vi.getTimerCount()).toBe(0);

      await expect(abortableSleep(1_000, controller.signal)).rejects.toMatchObject({ details: { reason: 'cancelled' } });
    } finally {
      vi.useRealTimers();
    }
  });
});
