/**
 * Where held token polls (RFC 8628 long polling, see held-poll.ts) wait for a person's decision:
 * the approve/deny path calls `decided(id)` after writing the decision, and every poll of that
 * device authorization held in this process wakes at once.
 *
 * In-process only. With several portal replicas on one PostgreSQL database, a decision made on one
 * replica does not wake a poll held on another: that poll runs out its hold, answers
 * authorization_pending, and the device's next poll (which it may send at once) reads the decision.
 * So a decision reaches the device within one hold at worst, and at once on one replica.
 *
 * Owned by the portal's composition root (server.ts), which calls `close()` before the server
 * closes: held polls then answer at once instead of keeping shutdown waiting for their hold.
 */

/** Why a wait ended: the person decided, the hold ran out, the portal is closing, or the device hung up. */
export type WaitEnd = 'decided' | 'timeout' | 'closing' | 'hung-up';

type Waiter = (end: WaitEnd) => void;

export class DecisionWaits {
  readonly #waiters = new Map<string, Set<Waiter>>();
  readonly #holding = new Set<Promise<unknown>>();
  #closing = false;

  /** True once `close()` was called: polls are then answered without holding. */
  get closing(): boolean {
    return this.#closing;
  }

  /** Waits, from this call on, for `decided(authId)`, `ms` to pass, `close()` or `signal`. */
  wait(authId: string, ms: number, signal: AbortSignal): Promise<WaitEnd> {
    if (this.#closing) return Promise.resolve('closing');
    if (signal.aborted) return Promise.resolve('hung-up');
    return new Promise((resolve) => {
      let waiters = this.#waiters.get(authId);
      if (waiters === undefined) {
        waiters = new Set();
        this.#waiters.set(authId, waiters);
      }
      const own = waiters;
      const end: Waiter = (why) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        own.delete(end);
        if (own.size === 0 && this.#waiters.get(authId) === own) this.#waiters.delete(authId);
        resolve(why);
      };
      const onAbort = () => end('hung-up');
      const timer = setTimeout(() => end('timeout'), ms);
      signal.addEventListener('abort', onAbort, { once: true });
      own.add(end);
    });
  }

  /** Wakes every poll of `authId` waiting in this process; call it after the decision is stored. */
  decided(authId: string): void {
    for (const end of [...(this.#waiters.get(authId) ?? [])]) end('decided');
  }

  /** Runs a held poll's work so that `close()` can wait until it is done with the store. */
  async holding<T>(work: () => Promise<T>): Promise<T> {
    const running = work();
    this.#holding.add(running);
    try {
      return await running;
    } finally {
      this.#holding.delete(running);
    }
  }

  /** Wakes every waiting poll with 'closing' and resolves once each has finished its work. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const waiters of [...this.#waiters.values()]) for (const end of [...waiters]) end('closing');
    await Promise.allSettled([...this.#holding]);
  }
}
