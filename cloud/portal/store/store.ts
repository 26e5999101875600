/**
 * The portal's storage contract. One interface, two implementations behind it: SQLite
 * (better-sqlite3, WAL) as the embedded default and PostgreSQL when DATABASE_URL is set, sharing
 * one set of migrations, so several portal replicas can share one database.
 *
 * Rules every implementation keeps:
 * - Secrets are stored hashed (device credentials, enrollment tokens, one-time codes, session ids,
 *   device codes); the plain value exists only in the response that hands it out.
 * - Times are epoch milliseconds (numbers) in and out; ids are opaque strings (random, URL-safe).
 * - JSON documents (policy, fingerprint, audit details) go in and out as parsed values; the store
 *   does not validate them — the caller parses with the protocol schemas.
 * - Methods that find nothing return null (or []), never throw; conflicts (a unique key taken)
 *   throw StoreConflictError.
 */

export type Millis = number;

export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
}

export interface Org {
  id: string;
  name: string;
  createdAt: Millis;
}

export type UserRole = 'admin' | 'user';

export interface User {
  id: string;
  orgId: string;
  email: string;
  name: string;
  role: UserRole;
  /** scrypt hash in PHC-like string form, or null for accounts that sign in only through OIDC. */
  passwordHash: string | null;
  /** Base32 TOTP secret once enrolled; null when the user has no second factor. */
  totpSecret: string | null;
  /** OIDC issuer + subject for users who sign in through an IdP. */
  oidcIssuer: string | null;
  oidcSubject: string | null;
  failedSignIns: number;
  lockedUntil: Millis | null;
  disabled: boolean;
  createdAt: Millis;
}

export interface Group {
  id: string;
  orgId: string;
  name: string;
  /** 'local' groups are managed in the portal; 'oidc' ones are synced from the IdP's claim. */
  source: 'local' | 'oidc';
}

export interface PolicyVersion {
  orgId: string;
  /** 1, 2, 3… per org; the highest is the current policy. */
  version: number;
  document: unknown;
  createdAt: Millis;
  createdBy: string | null;
  comment: string;
}

export type DeviceAuthorizationStatus = 'pending' | 'approved' | 'denied' | 'consumed';

/** One RFC 8628 device authorization request. */
export interface DeviceAuthorization {
  id: string;
  orgId: string;
  deviceCodeHash: string;
  /** As shown to the user, e.g. "WDJB-MJHT"; unique among pending requests. */
  userCode: string;
  deviceName: string;
  os: string;
  osVersion: string;
  status: DeviceAuthorizationStatus;
  /** The user who approved or denied it. */
  userId: string | null;
  /** Current polling interval in seconds (grows by 5 on every slow_down). */
  interval: number;
  lastPolledAt: Millis | null;
  expiresAt: Millis;
  createdAt: Millis;
}

export interface DeviceFingerprint {
  os?: string;
  osVersion?: string;
  model?: string;
  hostname?: string;
  serial?: string;
  appVersion?: string;
  networkType?: string;
  edge?: string;
  state?: string;
}

export interface Device {
  id: string;
  orgId: string;
  userId: string;
  name: string;
  credentialHash: string;
  fingerprint: DeviceFingerprint;
  /** The policy version the device last acknowledged (from its heartbeat), for "policy outdated". */
  policyVersion: number | null;
  enrolledAt: Millis;
  lastSeenAt: Millis | null;
  revokedAt: Millis | null;
}

export interface EnrollmentToken {
  id: string;
  orgId: string;
  label: string;
  tokenHash: string;
  createdAt: Millis;
  expiresAt: Millis | null;
  revokedAt: Millis | null;
}

export type OneTimeCodeKind = 'disable' | 'logout';

export interface OneTimeCode {
  id: string;
  deviceId: string;
  kind: OneTimeCodeKind;
  codeHash: string;
  expiresAt: Millis;
  usedAt: Millis | null;
}

export interface Session {
  /** Hash of the cookie value. */
  idHash: string;
  userId: string;
  csrfToken: string;
  /** False until the second factor (TOTP) is passed, for users who have one. */
  mfaPassed: boolean;
  createdAt: Millis;
  expiresAt: Millis;
}

export interface AuditEntry {
  id: string;
  orgId: string;
  at: Millis;
  actorUserId: string | null;
  action: string;
  target: string;
  details: unknown;
}

export interface SupportTicket {
  id: string;
  orgId: string;
  deviceId: string;
  userId: string;
  subject: string;
  message: string;
  /** The diagnostics bundle as uploaded (size-limited by the API). */
  bundle: Uint8Array | null;
  status: 'open' | 'closed';
  createdAt: Millis;
}

/** The portal's Ed25519 signing key (config signatures and edge-token JWTs). */
export interface SigningKey {
  kid: string;
  orgId: string;
  publicJwk: unknown;
  privateJwk: unknown;
  createdAt: Millis;
  retiredAt: Millis | null;
}

export interface Store {
  /** Applies pending migrations. Safe to call on every start and from several replicas. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  createOrg(org: Org): Promise<void>;
  getOrg(id: string): Promise<Org | null>;
  /** The first org created (a portal normally serves one). */
  defaultOrg(): Promise<Org | null>;

  createUser(user: User): Promise<void>;
  getUser(id: string): Promise<User | null>;
  getUserByEmail(orgId: string, email: string): Promise<User | null>;
  getUserByOidc(issuer: string, subject: string): Promise<User | null>;
  listUsers(orgId: string): Promise<User[]>;
  updateUser(id: string, change: Partial<Omit<User, 'id' | 'orgId' | 'createdAt'>>): Promise<void>;
  /** Deletes the user with everything that is theirs; their devices are remembered as removed at `at`. */
  deleteUser(id: string, at: Millis): Promise<void>;

  createGroup(group: Group): Promise<void>;
  getGroupByName(orgId: string, name: string): Promise<Group | null>;
  listGroups(orgId: string): Promise<Group[]>;
  deleteGroup(id: string): Promise<void>;
  /** Replaces the user's memberships of one source ('local' or 'oidc') with `groupIds`. */
  setUserGroups(userId: string, source: Group['source'], groupIds: string[]): Promise<void>;
  groupsOfUser(userId: string): Promise<Group[]>;

  /** Adds the next version (current + 1) and returns it. */
  addPolicyVersion(entry: Omit<PolicyVersion, 'version'>): Promise<PolicyVersion>;
  currentPolicy(orgId: string): Promise<PolicyVersion | null>;
  /** Just the current version number (null when there is none): the cheap read of the config hot path. */
  currentPolicyVersion(orgId: string): Promise<number | null>;
  getPolicyVersion(orgId: string, version: number): Promise<PolicyVersion | null>;
  listPolicyVersions(orgId: string): Promise<Omit<PolicyVersion, 'document'>[]>;

  createDeviceAuthorization(auth: DeviceAuthorization): Promise<void>;
  getDeviceAuthorizationByDeviceCode(deviceCodeHash: string): Promise<DeviceAuthorization | null>;
  getPendingDeviceAuthorizationByUserCode(userCode: string): Promise<DeviceAuthorization | null>;
  updateDeviceAuthorization(id: string, change: Partial<Pick<DeviceAuthorization, 'status' | 'userId' | 'interval' | 'lastPolledAt'>>): Promise<void>;
  /**
   * Moves an approved authorization to consumed; true only for the one caller that did it, so a
   * device code yields one credential even when polled twice at once.
   */
  consumeDeviceAuthorization(id: string): Promise<boolean>;

  createDevice(device: Device): Promise<void>;
  getDevice(id: string): Promise<Device | null>;
  listDevices(orgId: string): Promise<Device[]>;
  /** Devices of the user that are not revoked (for the per-user device limit). */
  countActiveDevicesOfUser(userId: string): Promise<number>;
  updateDevice(id: string, change: Partial<Pick<Device, 'name' | 'fingerprint' | 'policyVersion' | 'lastSeenAt' | 'revokedAt'>>): Promise<void>;
  /** Deletes the device and remembers it as removed at `at` (see revokedDevicesSince). */
  deleteDevice(id: string, at: Millis): Promise<void>;
  /**
   * Devices revoked or removed at or after `since`, for edges: their edge tokens may still be
   * unexpired, so the edge refuses them by device id.
   */
  revokedDevicesSince(orgId: string, since: Millis): Promise<{ id: string; revokedAt: Millis }[]>;

  createEnrollmentToken(token: EnrollmentToken): Promise<void>;
  getEnrollmentTokenByHash(tokenHash: string): Promise<EnrollmentToken | null>;
  listEnrollmentTokens(orgId: string): Promise<EnrollmentToken[]>;
  revokeEnrollmentToken(id: string, at: Millis): Promise<void>;

  createOneTimeCode(code: OneTimeCode): Promise<void>;
  /** Marks the matching unused, unexpired code used; true only for the caller that did it. */
  useOneTimeCode(deviceId: string, kind: OneTimeCodeKind, codeHash: string, now: Millis): Promise<boolean>;

  createSession(session: Session): Promise<void>;
  getSession(idHash: string): Promise<Session | null>;
  updateSession(idHash: string, change: Partial<Pick<Session, 'mfaPassed' | 'expiresAt'>>): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  deleteSessionsOfUser(userId: string): Promise<void>;

  addAudit(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  listAudit(orgId: string, limit: number, before?: Millis): Promise<AuditEntry[]>;

  createTicket(ticket: SupportTicket): Promise<void>;
  getTicket(id: string): Promise<SupportTicket | null>;
  /** Without bundles (they can be large): fetch one with getTicket. */
  listTickets(orgId: string): Promise<Omit<SupportTicket, 'bundle'>[]>;
  updateTicket(id: string, change: Pick<SupportTicket, 'status'>): Promise<void>;

  addSigningKey(key: SigningKey): Promise<void>;
  /** Newest key that is not retired. */
  activeSigningKey(orgId: string): Promise<SigningKey | null>;
  /** Every key whose public half must stay published (retired ones too, until the caller drops them). */
  listSigningKeys(orgId: string): Promise<SigningKey[]>;
}
