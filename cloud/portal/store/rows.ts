/**
 * Between the store's records (store.ts) and table rows (schema.ts), both ways. The conversions the
 * two databases need are all here, so each is written once: flags 0/1 ⇄ booleans, JSON text ⇄
 * values, enum-like text checked against its allowed values when read (a row is never trusted to
 * hold what the type says).
 *
 * The `*Change` functions turn a partial update into a partial row; keys left undefined stay
 * undefined, which Kysely leaves out of the `set` clause.
 */
import type {
  AuditLogTable,
  DeviceAuthorizationsTable,
  DevicesTable,
  EnrollmentTokensTable,
  Flag,
  GroupsTable,
  JsonText,
  OneTimeCodesTable,
  OrgsTable,
  PolicyVersionsTable,
  SessionsTable,
  SigningKeysTable,
  SupportTicketsTable,
  UsersTable,
} from './schema.js';
import type {
  AuditEntry,
  Device,
  DeviceAuthorization,
  DeviceAuthorizationStatus,
  DeviceFingerprint,
  EnrollmentToken,
  Group,
  OneTimeCode,
  Org,
  PolicyVersion,
  Session,
  SigningKey,
  SupportTicket,
  User,
  UserRole,
} from './store.js';

const USER_ROLES: readonly UserRole[] = ['admin', 'user'];
const GROUP_SOURCES: readonly Group['source'][] = ['local', 'oidc'];
const AUTHORIZATION_STATUSES: readonly DeviceAuthorizationStatus[] = ['pending', 'approved', 'denied', 'consumed'];
const TICKET_STATUSES: readonly SupportTicket['status'][] = ['open', 'closed'];
const FINGERPRINT_FIELDS = ['os', 'osVersion', 'model', 'hostname', 'serial', 'appVersion', 'networkType', 'edge', 'state'] as const;

export function toFlag(value: boolean): Flag {
  return value ? 1 : 0;
}

export function fromFlag(value: Flag): boolean {
  return value !== 0;
}

export function toJson(value: unknown): JsonText {
  // JSON has no `undefined`: an absent value is kept as null.
  const text: string | undefined = JSON.stringify(value ?? null);
  if (text === undefined) throw new TypeError('store: the value cannot be written as JSON');
  return text;
}

export function fromJson(text: JsonText): unknown {
  const value: unknown = JSON.parse(text);
  return value;
}

/** One of `allowed`, or an error naming the column: a value outside it means a bad row or a newer schema. */
export function oneOf<T extends string>(allowed: readonly T[], value: string, column: string): T {
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) throw new Error(`store: unexpected ${column} ${JSON.stringify(value)} in the database`);
  return match;
}

/**
 * A fingerprint keeps its known string fields only: it is typed as DeviceFingerprint, so what comes
 * back must be one, whatever the column holds.
 */
export function toFingerprint(value: unknown): DeviceFingerprint {
  const fingerprint: DeviceFingerprint = {};
  if (typeof value !== 'object' || value === null) return fingerprint;
  for (const field of FINGERPRINT_FIELDS) {
    const fieldValue: unknown = Reflect.get(value, field);
    if (typeof fieldValue === 'string') fingerprint[field] = fieldValue;
  }
  return fingerprint;
}

/** True when a partial row would change nothing (an empty `set` clause is invalid SQL). */
export function isNoChange(row: object): boolean {
  return Object.values(row).every((value) => value === undefined);
}

export function orgToRow(org: Org): OrgsTable {
  return { id: org.id, name: org.name, created_at: org.createdAt };
}

export function rowToOrg(row: OrgsTable): Org {
  return { id: row.id, name: row.name, createdAt: row.created_at };
}

export function userToRow(user: User): UsersTable {
  return {
    id: user.id,
    org_id: user.orgId,
    email: user.email,
    name: user.name,
    role: user.role,
    password_hash: user.passwordHash,
    totp_secret: user.totpSecret,
    oidc_issuer: user.oidcIssuer,
    oidc_subject: user.oidcSubject,
    failed_sign_ins: user.failedSignIns,
    locked_until: user.lockedUntil,
    disabled: toFlag(user.disabled),
    created_at: user.createdAt,
  };
}

export function userChange(change: Partial<Omit<User, 'id' | 'orgId' | 'createdAt'>>): Partial<UsersTable> {
  return {
    email: change.email,
    name: change.name,
    role: change.role,
    password_hash: change.passwordHash,
    totp_secret: change.totpSecret,
    oidc_issuer: change.oidcIssuer,
    oidc_subject: change.oidcSubject,
    failed_sign_ins: change.failedSignIns,
    locked_until: change.lockedUntil,
    disabled: change.disabled === undefined ? undefined : toFlag(change.disabled),
  };
}

export function rowToUser(row: UsersTable): User {
  return {
    id: row.id,
    orgId: row.org_id,
    email: row.email,
    name: row.name,
    role: oneOf(USER_ROLES, row.role, 'users.role'),
    passwordHash: row.password_hash,
    totpSecret: row.totp_secret,
    oidcIssuer: row.oidc_issuer,
    oidcSubject: row.oidc_subject,
    failedSignIns: row.failed_sign_ins,
    lockedUntil: row.locked_until,
    disabled: fromFlag(row.disabled),
    createdAt: row.created_at,
  };
}

export function groupToRow(group: Group): GroupsTable {
  return { id: group.id, org_id: group.orgId, name: group.name, source: group.source };
}

export function rowToGroup(row: GroupsTable): Group {
  return { id: row.id, orgId: row.org_id, name: row.name, source: oneOf(GROUP_SOURCES, row.source, 'groups.source') };
}

export function policyToRow(policy: PolicyVersion): PolicyVersionsTable {
  return {
    org_id: policy.orgId,
    version: policy.version,
    document: toJson(policy.document),
    created_at: policy.createdAt,
    created_by: policy.createdBy,
    comment: policy.comment,
  };
}

export function rowToPolicySummary(row: Omit<PolicyVersionsTable, 'document'>): Omit<PolicyVersion, 'document'> {
  return { orgId: row.org_id, version: row.version, createdAt: row.created_at, createdBy: row.created_by, comment: row.comment };
}

export function rowToPolicy(row: PolicyVersionsTable): PolicyVersion {
  return { ...rowToPolicySummary(row), document: fromJson(row.document) };
}

export function authorizationToRow(auth: DeviceAuthorization): DeviceAuthorizationsTable {
  return {
    id: auth.id,
    org_id: auth.orgId,
    device_code_hash: auth.deviceCodeHash,
    user_code: auth.userCode,
    device_name: auth.deviceName,
    os: auth.os,
    os_version: auth.osVersion,
    status: auth.status,
    user_id: auth.userId,
    interval: auth.interval,
    last_polled_at: auth.lastPolledAt,
    expires_at: auth.expiresAt,
    created_at: auth.createdAt,
  };
}

export function authorizationChange(
  change: Partial<Pick<DeviceAuthorization, 'status' | 'userId' | 'interval' | 'lastPolledAt'>>,
): Partial<DeviceAuthorizationsTable> {
  return { status: change.status, user_id: change.userId, interval: change.interval, last_polled_at: change.lastPolledAt };
}

export function rowToAuthorization(row: DeviceAuthorizationsTable): DeviceAuthorization {
  return {
    id: row.id,
    orgId: row.org_id,
    deviceCodeHash: row.device_code_hash,
    userCode: row.user_code,
    deviceName: row.device_name,
    os: row.os,
    osVersion: row.os_version,
    status: oneOf(AUTHORIZATION_STATUSES, row.status, 'device_authorizations.status'),
    userId: row.user_id,
    interval: row.interval,
    lastPolledAt: row.last_polled_at,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
  };
}

export function deviceToRow(device: Device): DevicesTable {
  return {
    id: device.id,
    org_id: device.orgId,
    user_id: device.userId,
    name: device.name,
    credential_hash: device.credentialHash,
    fingerprint: toJson(device.fingerprint),
    policy_version: device.policyVersion,
    enrolled_at: device.enrolledAt,
    last_seen_at: device.lastSeenAt,
    revoked_at: device.revokedAt,
  };
}

export function deviceChange(
  change: Partial<Pick<Device, 'name' | 'fingerprint' | 'policyVersion' | 'lastSeenAt' | 'revokedAt'>>,
): Partial<DevicesTable> {
  return {
    name: change.name,
    fingerprint: change.fingerprint === undefined ? undefined : toJson(change.fingerprint),
    policy_version: change.policyVersion,
    last_seen_at: change.lastSeenAt,
    revoked_at: change.revokedAt,
  };
}

export function rowToDevice(row: DevicesTable): Device {
  return {
    id: row.id,
    orgId: row.org_id,
    userId: row.user_id,
    name: row.name,
    credentialHash: row.credential_hash,
    fingerprint: toFingerprint(fromJson(row.fingerprint)),
    policyVersion: row.policy_version,
    enrolledAt: row.enrolled_at,
    lastSeenAt: row.last_seen_at,
    revokedAt: row.revoked_at,
  };
}

export function enrollmentTokenToRow(token: EnrollmentToken): EnrollmentTokensTable {
  return {
    id: token.id,
    org_id: token.orgId,
    label: token.label,
    token_hash: token.tokenHash,
    created_at: token.createdAt,
    expires_at: token.expiresAt,
    revoked_at: token.revokedAt,
  };
}

export function rowToEnrollmentToken(row: EnrollmentTokensTable): EnrollmentToken {
  return {
    id: row.id,
    orgId: row.org_id,
    label: row.label,
    tokenHash: row.token_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

export function oneTimeCodeToRow(code: OneTimeCode): OneTimeCodesTable {
  return { id: code.id, device_id: code.deviceId, kind: code.kind, code_hash: code.codeHash, expires_at: code.expiresAt, used_at: code.usedAt };
}

export function sessionToRow(session: Session): SessionsTable {
  return {
    id_hash: session.idHash,
    user_id: session.userId,
    csrf_token: session.csrfToken,
    mfa_passed: toFlag(session.mfaPassed),
    created_at: session.createdAt,
    expires_at: session.expiresAt,
  };
}

export function sessionChange(change: Partial<Pick<Session, 'mfaPassed' | 'expiresAt'>>): Partial<SessionsTable> {
  return { mfa_passed: change.mfaPassed === undefined ? undefined : toFlag(change.mfaPassed), expires_at: change.expiresAt };
}

export function rowToSession(row: SessionsTable): Session {
  return {
    idHash: row.id_hash,
    userId: row.user_id,
    csrfToken: row.csrf_token,
    mfaPassed: fromFlag(row.mfa_passed),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export function auditToRow(entry: AuditEntry): AuditLogTable {
  return {
    id: entry.id,
    org_id: entry.orgId,
    at: entry.at,
    actor_user_id: entry.actorUserId,
    action: entry.action,
    target: entry.target,
    details: toJson(entry.details),
  };
}

export function rowToAudit(row: AuditLogTable): AuditEntry {
  return {
    id: row.id,
    orgId: row.org_id,
    at: row.at,
    actorUserId: row.actor_user_id,
    action: row.action,
    target: row.target,
    details: fromJson(row.details),
  };
}

export function ticketToRow(ticket: SupportTicket): SupportTicketsTable {
  return {
    id: ticket.id,
    org_id: ticket.orgId,
    device_id: ticket.deviceId,
    user_id: ticket.userId,
    subject: ticket.subject,
    message: ticket.message,
    bundle: ticket.bundle,
    status: ticket.status,
    created_at: ticket.createdAt,
  };
}

export function rowToTicketSummary(row: Omit<SupportTicketsTable, 'bundle'>): Omit<SupportTicket, 'bundle'> {
  return {
    id: row.id,
    orgId: row.org_id,
    deviceId: row.device_id,
    userId: row.user_id,
    subject: row.subject,
    message: row.message,
    status: oneOf(TICKET_STATUSES, row.status, 'support_tickets.status'),
    createdAt: row.created_at,
  };
}

export function rowToTicket(row: SupportTicketsTable): SupportTicket {
  // Both drivers hand bytes back as a Buffer; callers get the plain Uint8Array the contract names.
  const bundle = row.bundle === null ? null : new Uint8Array(row.bundle);
  return { ...rowToTicketSummary(row), bundle };
}

export function signingKeyToRow(key: SigningKey): SigningKeysTable {
  return {
    kid: key.kid,
    org_id: key.orgId,
    public_jwk: toJson(key.publicJwk),
    private_jwk: toJson(key.privateJwk),
    created_at: key.createdAt,
    retired_at: key.retiredAt,
  };
}

export function rowToSigningKey(row: SigningKeysTable): SigningKey {
  return {
    kid: row.kid,
    orgId: row.org_id,
    publicJwk: fromJson(row.public_jwk),
    privateJwk: fromJson(row.private_jwk),
    createdAt: row.created_at,
    retiredAt: row.retired_at,
  };
}
