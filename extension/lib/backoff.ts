/** Capped exponential backoff: 1×, 2×, 4×… the first delay, never above the cap, reset on success. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly firstMs: number,
    private readonly capMs: number,
  ) {}

  next(): number {
    const delay = Math.min(this.firstMs * 2 ** this.attempt, this.capMs);
    this.attempt = Math.min(this.attempt + 1, 30);
    return delay;
  }

  reset(): void {
    this.attempt = 0;
  }
}
