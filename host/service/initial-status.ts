/** The status a service starts with, before it has loaded its state. */
import { LOCALAPI_VERSION, type ServiceMode, type Status } from '../../protocol/localapi.js';
import { WAYGATE_VERSION } from '../version.js';

export function initialStatus(mode: ServiceMode, startedAt: Date): Omit<Status, 'revision'> {
  return {
    v: LOCALAPI_VERSION,
    state: 'starting',
    mode,
    version: WAYGATE_VERSION,
    pid: process.pid,
    startedAt: startedAt.toISOString(),
    account: null,
    login: null,
    config: { policyVersion: null, source: null, syncedAt: null, lastError: null, nextSyncAt: null },
    protection: { state: 'signed-out', reason: 'Starting.', disabledUntil: null, passwords: { logout: false, disable: false } },
    network: { type: 'off-trusted', evidence: [], checks: [], changedAt: null },
    edge: null,
    tunnel: null,
    captivePortal: { state: 'none', loginUrl: null, resumesAt: null, detail: '' },
    browserProxy: { mode: 'release' },
    systemProxy: { state: 'untouched', detail: 'Waygate has not changed the system proxy.' },
    edgeTokenExpiresAt: null,
    reasons: [],
  };
}
