/**
 * Keeps the device's config current: at start, on a jittered interval from the profile, on demand
 * (`waygate sync`, the popup), when a heartbeat says a newer version exists and when the network
 * changes. Fetches with the ETag; a config is used only when its signature verifies against the
 * portal keys pinned at enrollment and it names this device. The last good one is cached on disk
 * (atomically) and used at start, so protection survives restarts while the portal is down. A
 * failed sync changes nothing but `lastError`: the last good config stays in force.
 */
import { WaygateError, toWireError } from '../../protocol/errors.js';
import type { ConfigState } from '../../protocol/localapi.js';
import type { EffectiveConfig } from '../../protocol/policy.js';
import type { PublicJwk, SignedConfig } from '../../protocol/portal.js';
import { verifyConfigSignature } from '../../protocol/config-signature.js';
import type { PortalClient } from '../../core/portal-client.js';
import type { Logger } from '../log.js';
import { jitter, type Clock } from './clock.js';
import type { JsonStore } from './json-store.js';
import type { CachedConfig } from './state-files.js';

/** Until the first config says otherwise. */
const DEFAULT_POLL_MS = 15 * 60_000;
const RETRY_MIN_MS = 5_000;

export interface ConfigSyncDeps {
  client: Pick<PortalClient, 'config'>;
  credential: string;
  deviceId: string;
  pinnedKeys: readonly PublicJwk[];
  cache: JsonStore<CachedConfig>;
  clock: Clock;
  random: () => number;
  logger: Logger;
  onConfig(config: EffectiveConfig, source: 'portal' | 'disk'): void;
  onState(state: ConfigState): void;
  /** The portal no longer knows this device (401): stop using its credential. */
  onRejected(error: WaygateError): void;
}

export class ConfigSync {
  private cached: CachedConfig | null = null;
  private state: ConfigState = { policyVersion: null, source: null, syncedAt: null, lastError: null, nextSyncAt: null };
  private inFlight: Promise<ConfigState> | null = null;
  private cancelTimer: (() => void) | null = null;
  private failures = 0;
  private stopped = false;

  constructor(private readonly deps: ConfigSyncDeps) {}

  get policyVersion(): number | null {
    return this.cached?.signed.config.policyVersion ?? null;
  }

  /** Loads the cached config (verified again: the disk is not trusted more than the network). */
  async loadCache(): Promise<void> {
    let cached: CachedConfig | undefined;
    try {
      cached = await this.deps.cache.load();
    } catch (err) {
      this.deps.logger.warn({ err, path: this.deps.cache.path }, 'config: cached config unreadable; waiting for the portal');
      return;
    }
    if (!cached) return;
    const problem = await this.check(cached.signed);
    if (problem) {
      this.deps.logger.warn({ problem, path: this.deps.cache.path }, 'config: cached config rejected');
      return;
    }
    this.cached = cached;
    this.setState({ policyVersion: cached.signed.config.policyVersion, source: 'disk' });
    this.deps.onConfig(cached.signed.config, 'disk');
  }

  /** Syncs now unless a sync is already running, in which case its result is shared. */
  syncNow(reason: string): Promise<ConfigState> {
    this.inFlight ??= this.sync(reason).finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
  }

  private async sync(reason: string): Promise<ConfigState> {
    this.cancelTimer?.();
    const { clock, logger } = this.deps;
    try {
      const outcome = await this.deps.client.config(this.deps.credential, this.cached?.etag ?? null);
      if (outcome.kind === 'config') {
        const problem = await this.check(outcome.signed);
        if (problem) throw new WaygateError('CONFIG_REJECTED', `The portal's config was not applied: ${problem}. The last good config stays in force.`);
        const fresh: CachedConfig = { signed: outcome.signed, etag: outcome.etag, fetchedAt: clock.now() };
        const changed = fresh.signed.config.policyVersion !== this.policyVersion || this.state.source !== 'portal';
        // Saved first: the version reported to the portal is always the one being applied.
        await this.deps.cache.save(fresh);
        this.cached = fresh;
        if (changed) logger.info({ policyVersion: fresh.signed.config.policyVersion, reason }, 'config: new config applied');
        this.deps.onConfig(fresh.signed.config, 'portal');
      } else if (this.cached && this.state.source !== 'portal') {
        this.deps.onConfig(this.cached.signed.config, 'portal');
      }
      this.failures = 0;
      this.setState({ policyVersion: this.policyVersion, source: this.cached ? 'portal' : null, syncedAt: new Date(clock.now()).toISOString(), lastError: null });
    } catch (err) {
      this.failures += 1;
      const wire = toWireError(err);
      logger.warn({ code: wire.code, message: wire.message, reason }, 'config: sync failed; keeping the last good config');
      this.setState({ lastError: wire });
      if (err instanceof WaygateError && err.code === 'UNAUTHENTICATED') {
        this.deps.onRejected(err);
        return this.state;
      }
    }
    this.scheduleNext();
    return this.state;
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    const pollMs = (this.cached?.signed.config.appProfile.configPollSeconds ?? DEFAULT_POLL_MS / 1000) * 1000;
    const delay = this.failures > 0 ? Math.min(pollMs, RETRY_MIN_MS * 2 ** Math.min(this.failures - 1, 10)) : jitter(pollMs, this.deps.random);
    this.cancelTimer = this.deps.clock.schedule(delay, () => void this.syncNow('interval'));
    this.setState({ nextSyncAt: new Date(this.deps.clock.now() + delay).toISOString() });
  }

  /** Why a signed config must not be used, or null when it may. */
  private async check(signed: SignedConfig): Promise<string | null> {
    if (!(await verifyConfigSignature(signed, this.deps.pinnedKeys))) return 'its signature does not verify against the portal key pinned at enrollment';
    if (signed.config.deviceId !== this.deps.deviceId) return `it is for device ${signed.config.deviceId}, not this one`;
    return null;
  }

  private setState(change: Partial<ConfigState>): void {
    this.state = { ...this.state, ...change };
    this.deps.onState(this.state);
  }
}
