/** A complete service Status (protocol/localapi.ts) for extension tests; spread and override what a test needs. */
import type { Status, TunnelView } from '../../../protocol/localapi.js';

export const SIGNED_IN_ACCOUNT: NonNullable<Status['account']> = {
  portalUrl: 'https://portal.example.test',
  deviceId: 'dev_1',
  deviceName: 'Uma’s laptop',
  user: { id: 'usr_1', email: 'uma@example.test', name: 'Uma User' },
  org: { id: 'org_1', name: 'Example Org' },
  enrolledAt: '2024-01-01T00:00:00.000Z',
};

export const STATUS: Status = {
  v: 1,
  state: 'running',
  mode: 'system',
  version: '1.4.2',
  pid: 4242,
  startedAt: '2024-01-01T00:00:00.000Z',
  revision: 3,
  account: null,
  login: null,
  config: { policyVersion: null, source: null, syncedAt: null, lastError: null, nextSyncAt: null },
  protection: { state: 'signed-out', reason: 'Not signed in: sign in to be protected.', disabledUntil: null, passwords: { logout: false, disable: false } },
  network: { type: 'off-trusted', evidence: [], checks: [], changedAt: null },
  edge: null,
  tunnel: null,
  captivePortal: { state: 'none', loginUrl: null, resumesAt: null, detail: '' },
  browserProxy: { mode: 'release' },
  systemProxy: { state: 'untouched', detail: '' },
  edgeTokenExpiresAt: null,
  reasons: [],
};

/** Signed in, protected through edge eu-1. */
export const PROTECTED_STATUS: Status = {
  ...STATUS,
  account: SIGNED_IN_ACCOUNT,
  config: { policyVersion: 4, source: 'portal', syncedAt: '2024-01-01T00:00:00.000Z', lastError: null, nextSyncAt: null },
  protection: { state: 'protected', reason: 'Protected: web traffic goes through edge eu-1.', disabledUntil: null, passwords: { logout: false, disable: false } },
  edge: { id: 'eu-1', region: 'Frankfurt', proxyUrl: 'https://edge.example.test:8443', latencyMs: 23.4, secondaryId: null, health: 'ok', reason: '' },
  browserProxy: { mode: 'pac', digest: 'abc' },
  edgeTokenExpiresAt: '2024-01-01T01:00:00.000Z',
  reasons: ['Network type off-trusted.'],
};

/** A tunnel carrying traffic, as the service reports it (popup, CLI and e2e tests share it). */
export const TUNNEL_UP: TunnelView = {
  state: 'up',
  reason: 'Tunnel up through eu-1.',
  interface: 'waygate0',
  address: '100.64.0.2/16',
  edgeId: 'eu-1',
  dns: ['10.0.0.53', '10.0.0.54'],
  ipv6: 'blocked',
  offload: true,
  bytesUp: 1536 * 1024,
  bytesDown: 20 * 1024 * 1024,
  packetsDropped: 0,
  since: '2030-01-01T12:00:00.000Z',
};
