/** Time and timers, injected so the service's schedules are tested without waiting (STYLE.md 10). */
export interface Clock {
  now: () => number;
  /** Runs `fn` after `ms`; returns the function that cancels it. Never keeps the process alive by itself. */
  schedule: (ms: number, fn: () => void) => () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule: (ms, fn) => {
    const timer = setTimeout(fn, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** `ms` moved at random by up to ±`fraction`, so a fleet of devices does not poll in lockstep. */
export function jitter(ms: number, random: () => number, fraction = 0.1): number {
  return Math.round(ms * (1 - fraction + 2 * fraction * random()));
}
