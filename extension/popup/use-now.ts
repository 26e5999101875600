import { useLayoutEffect, useState } from 'preact/hooks';

/**
 * The current time (epoch ms), refreshed every second while `ticking`; only countdowns need it.
 * A layout effect, so the first frame after ticking starts already shows the fresh time.
 */
export function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useLayoutEffect(() => {
    if (!ticking) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}
