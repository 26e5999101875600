/**
 * Everything the service does with the portal on behalf of one enrollment: config sync, the edge
 * token and heartbeats. Built when the device signs in (or at start, from the stored enrollment)
 * and stopped at logout or when the portal says the device is gone.
 */
import type { WaygateError } from '../../protocol/errors.js';
import type { ConfigState } from '../../protocol/localapi.js';
import type { EffectiveConfig } from '../../protocol/policy.js';
import type { DeviceFingerprint } from '../../protocol/portal.js';
import { PortalClient } from '../../core/portal-client.js';
import type { Logger } from '../log.js';
import type { Clock } from './clock.js';
import { ConfigSync } from './config-sync.js';
import { EdgeTokenKeeper, type EdgeToken } from './edge-token-keeper.js';
import { Heartbeat } from './heartbeat.js';
import type { JsonStore } from './json-store.js';
import type { CachedConfig, Enrollment } from './state-files.js';

export interface DeviceSessionEvents {
  onConfig: (config: EffectiveConfig, source: 'portal' | 'disk') => void;
  onConfigState: (state: ConfigState) => void;
  onToken: (token: EdgeToken) => void;
  /** The portal no longer accepts the device (revoked or removed). */
  onRejected: (error: WaygateError) => void;
  fingerprint: () => DeviceFingerprint;
}

export interface DeviceSessionDeps extends DeviceSessionEvents {
  enrollment: Enrollment;
  cache: JsonStore<CachedConfig>;
  tokenStore: JsonStore<EdgeToken>;
  clock: Clock;
  random: () => number;
  logger: Logger;
  client?: PortalClient;
}

export class DeviceSession {
  readonly client: PortalClient;
  readonly sync: ConfigSync;
  readonly tokens: EdgeTokenKeeper;
  private readonly heartbeat: Heartbeat;

  constructor(deps: DeviceSessionDeps) {
    const { enrollment, clock, random, logger } = deps;
    this.client = deps.client ?? new PortalClient(enrollment.account.portalUrl);
    const credential = enrollment.credential;
    this.sync = new ConfigSync({
      client: this.client,
      credential,
      deviceId: enrollment.account.deviceId,
      pinnedKeys: enrollment.portalKeys,
      cache: deps.cache,
      clock,
      random,
      logger,
      onConfig: deps.onConfig,
      onState: deps.onConfigState,
      onRejected: deps.onRejected,
    });
    this.tokens = new EdgeTokenKeeper({
      client: this.client,
      credential,
      store: deps.tokenStore,
      clock,
      logger,
      onToken: deps.onToken,
      onRejected: deps.onRejected,
    });
    this.heartbeat = new Heartbeat({
      client: this.client,
      credential,
      clock,
      random,
      logger,
      fingerprint: deps.fingerprint,
      policyVersion: () => this.sync.policyVersion,
      onNewPolicy: () => void this.sync.syncNow('heartbeat'),
    });
  }

  /** Cached config first (protection before the network answers), then the portal. */
  async start(): Promise<void> {
    await Promise.all([this.sync.loadCache(), this.tokens.start()]);
    void this.sync.syncNow('start').then(() => this.heartbeat.beat());
  }

  stop(): void {
    this.sync.stop();
    this.tokens.stop();
    this.heartbeat.stop();
  }
}
