/**
 * Rate limits on the guessable steps (password, TOTP code), in two directions:
 * - per client address, by @fastify/rate-limit before the body is even parsed (cheap to refuse);
 * - per account, here, once the body names the account: many addresses guessing at one account.
 * Lockout (lockout.ts) is the hard stop for failures; these limits also cap successful attempts,
 * which cost an scrypt each.
 *
 * Counters live in this process's memory: each replica behind a load balancer counts on its own,
 * which multiplies the allowance by the number of replicas but keeps it bounded.
 */
import { WaygateError } from '../../../protocol/errors.js';
import { LruCache } from '../device/lru.js';

export const WINDOW_MS = 60_000;
/** Per client address, per minute. Generous enough for an office behind one NAT address. */
export const PER_IP_MAX = 60;
/** Per account, per minute, for sign-in and for TOTP separately. */
export const PER_ACCOUNT_MAX = 20;

/** The `config.rateLimit` of a route limited per client address. */
export function perIpRateLimit(): { max: number; timeWindow: number } {
  return { max: PER_IP_MAX, timeWindow: WINDOW_MS };
}

interface Window {
  startedAt: number;
  count: number;
}

/** Fixed-window counters per key, on the portal's clock so tests can move past a window. */
export class AccountRateLimiter {
  private readonly windows: LruCache<string, Window>;

  constructor(
    private readonly now: () => number,
    private readonly max = PER_ACCOUNT_MAX,
    private readonly windowMs = WINDOW_MS,
  ) {
    this.windows = new LruCache({ maxEntries: 10_000 });
  }

  /** Counts one attempt on `key`; throws RATE_LIMITED when it goes over the limit. */
  hit(key: string): void {
    const now = this.now();
    const current = this.windows.get(key);
    const window = current && now - current.startedAt < this.windowMs ? current : { startedAt: now, count: 0 };
    window.count += 1;
    this.windows.set(key, window);
    if (window.count > this.max) {
      const retryS = Math.max(1, Math.ceil((window.startedAt + this.windowMs - now) / 1000));
      throw new WaygateError('RATE_LIMITED', `Too many sign-in attempts for this account; retry in ${retryS} s.`, { retryAfterSeconds: retryS });
    }
  }
}
