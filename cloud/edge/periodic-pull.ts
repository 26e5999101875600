/**
 * What the edge's portal caches (keys, policy) share: one pull at a time — callers that ask while
 * one runs join it — repeated on an interval whose timer never keeps the process alive, and a
 * listener for problems that may not throw its way into an unhandled rejection.
 */
export class PeriodicPull<T> {
  private inflight: Promise<T> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly pull: () => Promise<T>,
    private readonly intervalMs: number,
  ) {}

  /** Pulls now, or joins the pull under way. */
  now(): Promise<T> {
    this.inflight ??= this.pull().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  get running(): boolean {
    return this.inflight !== null;
  }

  /** First pull now, then one every interval. */
  start(): void {
    if (this.timer !== null) return;
    void this.now();
    this.timer = setInterval(() => void this.now(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}

/** Tells `listener` about `error`; a listener that throws is ignored. */
export function reportTo(listener: ((error: Error) => void) | undefined, error: Error): void {
  try {
    listener?.(error);
  } catch {
    // A throwing listener must not turn a failed pull into an unhandled rejection.
  }
}
