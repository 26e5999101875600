import type { Clock } from '../../host/service/clock.js';

interface Timer {
  seq: number;
  at: number;
  ms: number;
  fn: () => void;
}

/**
 * A Clock that moves only when the test says so. `advance(ms)` runs every timer that falls due on the
 * way, in due order (ties in scheduling order), with `now()` at each timer's due time while it runs;
 * timers those callbacks schedule run too if they fall due before the end.
 */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  schedule(ms: number, fn: () => void): () => void {
    const timer: Timer = { seq: this.seq++, at: this.current + Math.max(0, ms), ms, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = due.at;
      due.fn();
    }
    this.current = end;
  }

  /** The timers still waiting, soonest first: when each falls due and the delay it was scheduled with. */
  pending(): { at: number; ms: number }[] {
    return [...this.timers].sort((a, b) => a.at - b.at || a.seq - b.seq).map(({ at, ms }) => ({ at, ms }));
  }
}
