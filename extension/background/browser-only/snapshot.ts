/** What the popup shows in browser-only mode, as a pure function of the stored state and the plan. */
import type { Plan } from '../../../core/plan.js';
import type { EffectiveConfig } from '../../../protocol/policy.js';
import type { DeviceSnapshot } from '../../lib/device-state.js';
import type { Enrollment, PendingLogin, SyncState } from './state.js';

/** Browser-only mode cannot see DNS servers, gateways or beacons, so it always plans for off-trusted. */
export const BROWSER_ONLY_NETWORK = { type: 'off-trusted', evidence: ['browser-only mode cannot observe the network'] } as const;

/** Without the network in view there is nothing to measure or fail over on: the policy's first edge is used. */
export const BROWSER_ONLY_EDGE_REASON = "the policy's first edge: browser-only mode cannot observe the network, so it does not measure edges or fail over";

export interface SnapshotInput {
  enrollment: Enrollment | null;
  config: EffectiveConfig | null;
  sync: SyncState;
  login: PendingLogin | null;
  disabledUntil: number | null;
  plan: Plan;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function browserOnlySnapshot({ enrollment, config, sync, login, disabledUntil, plan }: SnapshotInput): DeviceSnapshot {
  const primary = config?.edges[0] ?? null;
  return {
    account: enrollment?.account ?? null,
    login:
      login === null
        ? null
        : login.state === 'failed'
          ? login
          : {
              state: 'waiting',
              userCode: login.code.user_code,
              verificationUri: login.code.verification_uri,
              verificationUriComplete: login.code.verification_uri_complete,
              expiresAt: new Date(login.expiresAt).toISOString(),
            },
    config: {
      policyVersion: config?.policyVersion ?? null,
      source: config === null ? null : sync.lastError === null && sync.syncedAt !== null ? 'portal' : 'disk',
      syncedAt: iso(sync.syncedAt),
      lastError: sync.lastError,
      nextSyncAt: enrollment === null ? null : iso(sync.nextSyncAt),
    },
    protection: {
      state: plan.status.state,
      reason: plan.status.reason,
      disabledUntil: plan.status.state === 'disabled' ? iso(disabledUntil) : null,
      passwords: {
        logout: (config?.appProfile.passwords.logout ?? null) !== null,
        disable: (config?.appProfile.passwords.disable ?? null) !== null,
      },
    },
    // No criteria are checked, so there are none to list; the evidence says why.
    network: { type: BROWSER_ONLY_NETWORK.type, evidence: [...BROWSER_ONLY_NETWORK.evidence], checks: [], changedAt: null },
    edge:
      primary === null || plan.internet === null
        ? null
        : {
            id: primary.id,
            region: primary.region,
            proxyUrl: primary.proxyUrl,
            latencyMs: null,
            secondaryId: config?.edges[1]?.id ?? null,
            // Unmeasured, so no health is claimed against it; the reason says so.
            health: 'ok',
            reason: BROWSER_ONLY_EDGE_REASON,
          },
    // The full-device tunnel needs the Waygate app's service; the browser alone cannot open one.
    tunnel: null,
    captivePortal: { state: 'none', loginUrl: null, resumesAt: null, detail: '' },
    reasons: plan.reasons,
  };
}
