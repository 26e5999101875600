/**
 * The tables as Kysely sees them: what a row holds in both SQLite and PostgreSQL, after the drivers'
 * conversions set up in open-store.ts (PostgreSQL int8 arrives as a number there, not a string).
 *
 * Portable column types, the same in both databases:
 * - ids, hashes, enum-like values: text (enum-like values are checked when a row is read, rows.ts);
 * - times: bigint epoch milliseconds;
 * - booleans: integer 0/1 (SQLite has no boolean type);
 * - JSON documents: text holding JSON (parsed when read);
 * - bytes: blob in SQLite, bytea in PostgreSQL.
 */

export interface Database {
  orgs: OrgsTable;
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  policy_versions: PolicyVersionsTable;
  device_authorizations: DeviceAuthorizationsTable;
  devices: DevicesTable;
  enrollment_tokens: EnrollmentTokensTable;
  one_time_codes: OneTimeCodesTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
  support_tickets: SupportTicketsTable;
  signing_keys: SigningKeysTable;
  removed_devices: RemovedDevicesTable;
}

/** 0 or 1. */
export type Flag = number;
/** Text holding one JSON value. */
export type JsonText = string;

export interface OrgsTable {
  id: string;
  name: string;
  created_at: number;
}

export interface UsersTable {
  id: string;
  org_id: string;
  email: string;
  name: string;
  role: string;
  password_hash: string | null;
  totp_secret: string | null;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  failed_sign_ins: number;
  locked_until: number | null;
  disabled: Flag;
  created_at: number;
}

export interface GroupsTable {
  id: string;
  org_id: string;
  name: string;
  source: string;
}

/** One row per (user, group, source): the same membership can come from the portal and the IdP. */
export interface GroupMembersTable {
  user_id: string;
  group_id: string;
  source: string;
}

export interface PolicyVersionsTable {
  org_id: string;
  version: number;
  document: JsonText;
  created_at: number;
  created_by: string | null;
  comment: string;
}

export interface DeviceAuthorizationsTable {
  id: string;
  org_id: string;
  device_code_hash: string;
  user_code: string;
  device_name: string;
  os: string;
  os_version: string;
  status: string;
  user_id: string | null;
  interval: number;
  last_polled_at: number | null;
  expires_at: number;
  created_at: number;
}

export interface DevicesTable {
  id: string;
  org_id: string;
  user_id: string;
  name: string;
  credential_hash: string;
  fingerprint: JsonText;
  policy_version: number | null;
  enrolled_at: number;
  last_seen_at: number | null;
  revoked_at: number | null;
}

export interface RemovedDevicesTable {
  device_id: string;
  org_id: string;
  removed_at: number;
}

export interface EnrollmentTokensTable {
  id: string;
  org_id: string;
  label: string;
  token_hash: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

export interface OneTimeCodesTable {
  id: string;
  device_id: string;
  kind: string;
  code_hash: string;
  expires_at: number;
  used_at: number | null;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  mfa_passed: Flag;
  created_at: number;
  expires_at: number;
}

export interface AuditLogTable {
  id: string;
  org_id: string;
  at: number;
  actor_user_id: string | null;
  action: string;
  target: string;
  details: JsonText;
}

export interface SupportTicketsTable {
  id: string;
  org_id: string;
  device_id: string;
  user_id: string;
  subject: string;
  message: string;
  bundle: Uint8Array | null;
  status: string;
  created_at: number;
}

export interface SigningKeysTable {
  kid: string;
  org_id: string;
  public_jwk: JsonText;
  private_jwk: JsonText;
  created_at: number;
  retired_at: number | null;
}
