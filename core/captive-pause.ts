/**
 * The captive portal pause (DESIGN.md, "Captive portal"): when a portal stands between the device
 * and the internet, forwarding stands aside for the profile's `pauseMinutes` so the user can sign in
 * to it, then protection comes back on its own.
 *
 * `nextPause(state, check, now, settings)` is the whole state machine; the caller owns the state,
 * feeds it every check, and calls it again at `resumesAt` (with the latest check) so the window ends
 * on time. The pause is bounded on purpose: a portal that stays captive, or a network that pretends
 * to be one, gets one window per network and no more, so it cannot hold protection off for good.
 *
 *   idle ──captive──▶ paused ──open──▶ idle
 *                       │
 *                       └──now ≥ resumesAt──▶ windowSpent ──open / network change──▶ idle
 */

/** What core needs of a captive portal check (host/netmon/captive-portal.ts `CaptiveCheck` fits it). */
export type CaptiveCheckLike =
  | { state: 'open' }
  | { state: 'captive'; loginUrl: string | null; detail: string }
  | { state: 'offline'; detail: string };

export interface CaptivePauseSettings {
  enabled: boolean;
  pauseMinutes: number;
}

export interface PauseState {
  /** Forwarding stands aside now; `since` and `resumesAt` are set exactly while this is true. */
  paused: boolean;
  /** Where the user signs in to the portal, when it said (or redirected) so. */
  loginUrl: string | null;
  /** Epoch ms the pause began. */
  since: number | null;
  /** Epoch ms the pause ends at the latest; a repeated captive check never moves it. */
  resumesAt: number | null;
  /**
   * This network's window has been used up while its portal still held the device: no new pause
   * until a check finds the internet open or the network changes.
   */
  windowSpent: boolean;
  /** What happened, in words, for the status view. */
  detail: string;
}

export const INITIAL_PAUSE: PauseState = {
  paused: false,
  loginUrl: null,
  since: null,
  resumesAt: null,
  windowSpent: false,
  detail: 'no captive portal seen',
};

const MINUTE_MS = 60_000;

export function nextPause(prev: PauseState, check: CaptiveCheckLike, now: number, settings: CaptivePauseSettings): PauseState {
  switch (check.state) {
    case 'open':
      return { ...INITIAL_PAUSE, detail: prev.paused ? 'the internet answers: protection resumed' : 'no captive portal: the internet answers' };

    case 'offline':
      // No news about the portal: only the clock can change anything.
      return windowOver(prev, now) ? endWindow(prev, `the ${settings.pauseMinutes}-minute pause ended (the network does not answer: ${check.detail})`) : prev;

    case 'captive': {
      const loginUrl = check.loginUrl ?? prev.loginUrl;
      if (!settings.enabled) {
        return {
          ...INITIAL_PAUSE,
          loginUrl: check.loginUrl,
          detail: `a captive portal was seen (${check.detail}), but this profile does not pause protection for captive portals`,
        };
      }
      if (prev.paused) {
        if (windowOver(prev, now)) {
          return { ...endWindow(prev, `the ${settings.pauseMinutes}-minute pause ended while the portal still holds this network`), loginUrl };
        }
        return { ...prev, loginUrl };
      }
      if (prev.windowSpent) return { ...prev, loginUrl };
      const resumesAt = now + settings.pauseMinutes * MINUTE_MS;
      return {
        paused: true,
        loginUrl: check.loginUrl,
        since: now,
        resumesAt,
        windowSpent: false,
        detail: `captive portal found (${check.detail}): forwarding paused until ${new Date(resumesAt).toISOString()} so you can sign in`,
      };
    }
  }
}

/**
 * A new network is a new portal, or none: any pause ends (protection is back before the new
 * network's first check, never paused on a network nobody checked) and the window is available again.
 */
export function resetOnNetworkChange(state: PauseState): PauseState {
  return { ...INITIAL_PAUSE, detail: state.paused ? 'the network changed: protection resumed until the new one is checked' : 'the network changed' };
}

function windowOver(state: PauseState, now: number): boolean {
  return state.paused && state.resumesAt !== null && now >= state.resumesAt;
}

function endWindow(prev: PauseState, why: string): PauseState {
  return {
    paused: false,
    loginUrl: prev.loginUrl,
    since: null,
    resumesAt: null,
    windowSpent: true,
    detail: `${why}: protection resumed, and it will not pause again until the internet answers or the network changes`,
  };
}
