/** What the popup shows in browser-only mode, as a pure function of the stored state and the plan. */
import type { Plan } from '../../../core/plan.js';
import type { EffectiveConfig } from '../../../protocol/policy.js';
import type { DeviceSnapshot } from '../../lib/device-state.js';
import type { Enrollment, PendingLogin, SyncState } from './state.js';

/** Browser-only mode cannot see DNS servers, gateways or beacons, so it always plans for off-trusted. */
export const BROWSER_ONLY_NETWORK = { type: 'off-trusted', evidence: ['browser-only mode cannot observe the network'] } as const;

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
    network: { type: BROWSER_ONLY_NETWORK.type, evidence: [...BROWSER_ONLY_NETWORK.evidence] },
    edge:
      primary === null || plan.internet === null
        ? null
        : { id: primary.id, region: primary.region, proxyUrl: primary.proxyUrl, latencyMs: null, secondaryId: config?.edges[1]?.id ?? null },
    reasons: plan.reasons,
  };
}
