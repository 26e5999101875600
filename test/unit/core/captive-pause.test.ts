import { describe, expect, expectTypeOf, it } from 'vitest';
import { INITIAL_PAUSE, nextPause, resetOnNetworkChange, type CaptiveCheckLike, type PauseState } from '../../../core/captive-pause.js';
import type { CaptiveCheck } from '../../../host/netmon/captive-portal.js';

const T0 = Date.UTC(2026, 0, 1, 9, 0);
const MINUTE = 60_000;
const ON = { enabled: true, pauseMinutes: 10 };
const OFF = { enabled: false, pauseMinutes: 10 };

const OPEN: CaptiveCheckLike = { state: 'open' };
const OFFLINE: CaptiveCheckLike = { state: 'offline', detail: 'connect ECONNREFUSED' };
const captive = (loginUrl: string | null = 'https://cafe.example/login'): CaptiveCheckLike => ({
  state: 'captive',
  loginUrl,
  detail: 'the probe was redirected',
});

function pausedAt(now: number): PauseState {
  return nextPause(INITIAL_PAUSE, captive(), now, ON);
}

describe('nextPause', () => {
  it("accepts the host's CaptiveCheck as it is", () => {
    expectTypeOf<CaptiveCheck>().toExtend<CaptiveCheckLike>();
  });

  it('starts idle: not paused, no window', () => {
    expect(INITIAL_PAUSE).toMatchObject({ paused: false, loginUrl: null, since: null, resumesAt: null, windowSpent: false });
  });

  it('pauses on a captive portal from now for pauseMinutes, with the sign-in page', () => {
    const state = pausedAt(T0);
    expect(state).toMatchObject({ paused: true, loginUrl: 'https://cafe.example/login', since: T0, resumesAt: T0 + 10 * MINUTE, windowSpent: false });
    expect(state.detail).toContain('2026-01-01T09:10:00.000Z');
  });

  it('does not extend the window on repeated captive checks', () => {
    let state = pausedAt(T0);
    for (const minutes of [1, 4, 9]) {
      state = nextPause(state, captive(), T0 + minutes * MINUTE, ON);
      expect(state).toMatchObject({ paused: true, since: T0, resumesAt: T0 + 10 * MINUTE });
    }
  });

  it('keeps the newest sign-in page while paused, but not a missing one', () => {
    let state = nextPause(pausedAt(T0), captive('https://cafe.example/other'), T0 + MINUTE, ON);
    expect(state.loginUrl).toBe('https://cafe.example/other');
    state = nextPause(state, captive(null), T0 + 2 * MINUTE, ON);
    expect(state.loginUrl).toBe('https://cafe.example/other');
  });

  it('resumes at once when the internet answers while paused', () => {
    const state = nextPause(pausedAt(T0), OPEN, T0 + 3 * MINUTE, ON);
    expect(state).toEqual({ ...INITIAL_PAUSE, detail: 'the internet answers: protection resumed' });
  });

  it('stays idle on open checks', () => {
    const state = nextPause(INITIAL_PAUSE, OPEN, T0, ON);
    expect(state).toMatchObject({ paused: false, since: null, resumesAt: null, windowSpent: false });
  });

  it('keeps the state as it is while offline, paused or not', () => {
    const paused = pausedAt(T0);
    expect(nextPause(paused, OFFLINE, T0 + 5 * MINUTE, ON)).toBe(paused);
    expect(nextPause(INITIAL_PAUSE, OFFLINE, T0, ON)).toBe(INITIAL_PAUSE);
  });

  it('resumes when the window ends although the portal is still there', () => {
    const state = nextPause(pausedAt(T0), captive(), T0 + 10 * MINUTE, ON);
    expect(state).toMatchObject({ paused: false, since: null, resumesAt: null, windowSpent: true, loginUrl: 'https://cafe.example/login' });
    expect(state.detail).toContain('protection resumed');
  });

  it('resumes when the window ends while the network is offline', () => {
    const state = nextPause(pausedAt(T0), OFFLINE, T0 + 11 * MINUTE, ON);
    expect(state).toMatchObject({ paused: false, windowSpent: true });
  });

  it('does not pause again on the same captive network once the window is spent', () => {
    let state = nextPause(pausedAt(T0), captive(), T0 + 10 * MINUTE, ON);
    for (const minutes of [11, 30, 600]) {
      state = nextPause(state, captive(), T0 + minutes * MINUTE, ON);
      expect(state).toMatchObject({ paused: false, windowSpent: true, resumesAt: null });
    }
  });

  it('pauses again after an open check clears a spent window', () => {
    const spent = nextPause(pausedAt(T0), captive(), T0 + 10 * MINUTE, ON);
    const open = nextPause(spent, OPEN, T0 + 20 * MINUTE, ON);
    expect(open.windowSpent).toBe(false);
    const again = nextPause(open, captive(), T0 + 30 * MINUTE, ON);
    expect(again).toMatchObject({ paused: true, since: T0 + 30 * MINUTE, resumesAt: T0 + 40 * MINUTE });
  });

  it('never pauses when the profile does not, and says a portal was seen', () => {
    const state = nextPause(INITIAL_PAUSE, captive(), T0, OFF);
    expect(state).toMatchObject({ paused: false, since: null, resumesAt: null, loginUrl: 'https://cafe.example/login' });
    expect(state.detail).toMatch(/captive portal was seen.*does not pause/);
  });

  it('resumes a pause in force when the profile stops pausing', () => {
    const state = nextPause(pausedAt(T0), captive(), T0 + MINUTE, OFF);
    expect(state).toMatchObject({ paused: false, resumesAt: null });
  });

  it('uses the profile’s pauseMinutes', () => {
    const state = nextPause(INITIAL_PAUSE, captive(), T0, { enabled: true, pauseMinutes: 1 });
    expect(state.resumesAt).toBe(T0 + MINUTE);
  });
});

describe('resetOnNetworkChange', () => {
  it('makes the window available again after it was spent', () => {
    const spent = nextPause(pausedAt(T0), captive(), T0 + 10 * MINUTE, ON);
    const fresh = resetOnNetworkChange(spent);
    expect(fresh).toMatchObject({ paused: false, windowSpent: false, loginUrl: null });
    expect(nextPause(fresh, captive(), T0 + 11 * MINUTE, ON)).toMatchObject({ paused: true, resumesAt: T0 + 21 * MINUTE });
  });

  it('ends a pause in force: a new network is not paused before it is checked', () => {
    const state = resetOnNetworkChange(pausedAt(T0));
    expect(state).toMatchObject({ paused: false, since: null, resumesAt: null });
    expect(state.detail).toContain('network changed');
  });
});
