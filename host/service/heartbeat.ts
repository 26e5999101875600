/**
 * Tells the portal the device is alive, what it is and what it applies (the dashboard's device
 * list), on a jittered minute; the answer names the current policy version, so a new policy reaches
 * the device within a heartbeat rather than a full config poll.
 */
import type { DeviceFingerprint } from '../../protocol/portal.js';
import type { PortalClient } from '../../core/portal-client.js';
import type { Logger } from '../log.js';
import { jitter, type Clock } from './clock.js';

const HEARTBEAT_MS = 60_000;

export interface HeartbeatDeps {
  client: Pick<PortalClient, 'heartbeat'>;
  credential: string;
  clock: Clock;
  random: () => number;
  logger: Logger;
  fingerprint(): DeviceFingerprint;
  policyVersion(): number | null;
  /** The portal has a different policy version than the device applies. */
  onNewPolicy(): void;
}

export class Heartbeat {
  private cancelTimer: (() => void) | null = null;
  private stopped = false;

  constructor(private readonly deps: HeartbeatDeps) {}

  /** Sends one now and keeps sending. */
  async beat(): Promise<void> {
    this.cancelTimer?.();
    const { deps } = this;
    try {
      const answer = await deps.client.heartbeat(deps.credential, { fingerprint: deps.fingerprint(), policyVersion: deps.policyVersion() });
      if (answer.policyVersion !== null && answer.policyVersion !== deps.policyVersion()) deps.onNewPolicy();
    } catch (err) {
      deps.logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'heartbeat: failed');
    }
    if (!this.stopped) this.cancelTimer = deps.clock.schedule(jitter(HEARTBEAT_MS, deps.random), () => void this.beat());
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
  }
}
