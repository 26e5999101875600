/**
 * Keeps a valid edge token: fetched once enrolled, refreshed well before it expires
 * (core/token-schedule.ts), retried with backoff when the portal is down — the current token stays
 * usable until its own expiry, so a short portal outage costs nothing.
 */
import { WaygateError } from '../../protocol/errors.js';
import type { PortalClient } from '../../core/portal-client.js';
import { refreshAtMs } from '../../core/token-schedule.js';
import type { Logger } from '../log.js';
import type { Clock } from './clock.js';
import type { JsonStore } from './json-store.js';

export interface EdgeToken {
  token: string;
  expiresAtMs: number;
}

const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 60_000;

export interface EdgeTokenKeeperDeps {
  client: Pick<PortalClient, 'edgeToken'>;
  /** Where the current token is kept (0600) for a restart while the portal is down; none in tests that do not care. */
  store?: JsonStore<EdgeToken>;
  credential: string;
  clock: Clock;
  logger: Logger;
  onToken(token: EdgeToken): void;
  onRejected(error: WaygateError): void;
}

export class EdgeTokenKeeper {
  private current: EdgeToken | null = null;
  private cancelTimer: (() => void) | null = null;
  private failures = 0;
  private stopped = false;
  private inFlight: Promise<EdgeToken | null> | null = null;

  constructor(private readonly deps: EdgeTokenKeeperDeps) {}

  get token(): EdgeToken | null {
    return this.current && this.current.expiresAtMs > this.deps.clock.now() ? this.current : null;
  }

  /** Resumes a stored token that is still valid (so the edge is reachable at once), then refreshes. */
  async start(): Promise<void> {
    const stored = await this.deps.store?.load().catch(() => undefined);
    if (stored && stored.expiresAtMs > this.deps.clock.now() && !this.current) {
      this.current = stored;
      this.deps.onToken(stored);
    }
    void this.refresh();
  }

  /** Gets a new token now (single flight); resolves with it, or null when the portal could not give one. */
  refresh(): Promise<EdgeToken | null> {
    this.inFlight ??= this.fetch().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
  }

  private async fetch(): Promise<EdgeToken | null> {
    this.cancelTimer?.();
    const { clock, logger } = this.deps;
    const issuedAt = clock.now();
    try {
      const answer = await this.deps.client.edgeToken(this.deps.credential);
      if (this.stopped) return null;
      this.current = { token: answer.token, expiresAtMs: answer.expires_at * 1000 };
      this.failures = 0;
      await this.deps.store?.save(this.current).catch((err: unknown) => logger.warn({ err }, 'edge token: could not keep it on disk'));
      this.deps.onToken(this.current);
      this.schedule(refreshAtMs(issuedAt, this.current.expiresAtMs) - clock.now());
      return this.current;
    } catch (err) {
      if (err instanceof WaygateError && err.code === 'UNAUTHENTICATED') {
        this.deps.onRejected(err);
        return null;
      }
      this.failures += 1;
      const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(this.failures - 1, 10));
      logger.warn({ err: err instanceof Error ? err.message : String(err), retryInMs: delay }, 'edge token: refresh failed; retrying');
      this.schedule(delay);
      return null;
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.cancelTimer = this.deps.clock.schedule(Math.max(1_000, ms), () => void this.refresh());
  }
}
