/**
 * Browser ⇄ portal: the session API (`/auth/…`) and the admin API (`/api/v1/admin/…`), version 1.
 * The admin console is built against these schemas; the portal validates every request body with
 * them and builds every response as their types.
 *
 * Sessions are cookies (HttpOnly, SameSite=Lax). Every non-GET request that rides on a session
 * carries the session's CSRF token in the `x-csrf-token` header (HTML forms: the `_csrf` field);
 * GET /auth/session hands it out. Errors are `{code, message, details?}` (protocol/errors.ts):
 * UNAUTHENTICATED (401) without a session, MFA_REQUIRED (401) while the TOTP step is pending,
 * PERMISSION_DENIED (403) for a signed-in non-admin, CSRF_FAILED (403), BAD_REQUEST (400) with
 * `details.errors` ([{path, message}]), NOT_FOUND, CONFLICT (409), INVALID_POLICY (400) with `details.errors`.
 *
 * Times are epoch milliseconds.
 */
import { z } from 'zod';
import { NetworkType, SimulationResult } from './policy.js';
import { DeviceFingerprint, DeviceOs } from './portal.js';

export const ADMIN_API_PREFIX = '/api/v1/admin';
export const CSRF_HEADER = 'x-csrf-token';

const Millis = z.number().int().nonnegative();
const Count = z.number().int().nonnegative();
const Id = z.string().min(1).max(128);

export const UserRole = z.enum(['admin', 'user']);
export type UserRole = z.infer<typeof UserRole>;

export const GroupSource = z.enum(['local', 'oidc']);
export type GroupSource = z.infer<typeof GroupSource>;

/* ───────────────────────────── Session API (/auth) ───────────────────────────── */

/** POST /auth/sign-in (JSON; the HTML form posts the same fields plus `return_to`). */
export const SignInRequest = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
});
export type SignInRequest = z.infer<typeof SignInRequest>;

export const SessionUser = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: UserRole,
  /** True once the user has confirmed an authenticator app. */
  totpEnabled: z.boolean(),
  /** False for accounts that sign in only through single sign-on. */
  hasPassword: z.boolean(),
});
export type SessionUser = z.infer<typeof SessionUser>;

/**
 * GET /auth/session, and the reply of every step that completes a sign-in (POST /auth/sign-in,
 * POST /auth/totp) or replaces the session (POST /auth/password).
 */
export const SessionInfo = z.object({ user: SessionUser, csrfToken: z.string(), expiresAt: Millis });
export type SessionInfo = z.infer<typeof SessionInfo>;

/**
 * `details` of MFA_REQUIRED. POST /auth/sign-in returns it when the password was right and the
 * account has TOTP: the session cookie is set but pending; send the code to POST /auth/totp with
 * this token in `x-csrf-token`. GET /auth/session and the admin API return it too while a session
 * is pending, so a page loaded mid-sign-in can finish it.
 */
export const MfaRequiredDetails = z.object({ csrfToken: z.string(), next: z.literal('/auth/totp') });
export type MfaRequiredDetails = z.infer<typeof MfaRequiredDetails>;

/** `details` of ACCOUNT_LOCKED. */
export const AccountLockedDetails = z.object({ lockedUntil: Millis, retryAfterSeconds: Count });
export type AccountLockedDetails = z.infer<typeof AccountLockedDetails>;

/** POST /auth/totp: the second factor (6 digits; spaces allowed). */
export const TotpRequest = z.object({ code: z.string().trim().min(6).max(8) });
export type TotpRequest = z.infer<typeof TotpRequest>;

/** POST /auth/totp/setup → a new secret to show as a QR code (nothing is stored yet). */
export const TotpSetupResponse = z.object({
  /** Base32, for typing into the app by hand. */
  secret: z.string(),
  /** `otpauth://totp/…`, for the QR code. */
  uri: z.string(),
});
export type TotpSetupResponse = z.infer<typeof TotpSetupResponse>;

/**
 * POST /auth/totp/confirm: turns TOTP on with the secret from setup, once a code from the app
 * proves the app has it. Replacing an existing authenticator also needs a code from the old one.
 */
export const TotpConfirmRequest = z.object({
  secret: z.string().min(16).max(128),
  code: z.string().trim().min(6).max(8),
  currentCode: z.string().trim().min(6).max(8).optional(),
});
export type TotpConfirmRequest = z.infer<typeof TotpConfirmRequest>;

export const MIN_PASSWORD_LENGTH = 12;

/** POST /auth/password: every other session of the user ends; the reply is the new SessionInfo. */
export const PasswordChangeRequest = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.`)
    .max(1024, 'Choose a password of at most 1024 characters.'),
});
export type PasswordChangeRequest = z.infer<typeof PasswordChangeRequest>;

/* ───────────────────────────── Admin API: dashboard ───────────────────────────── */

export const Tally = z.array(z.object({ key: z.string(), count: Count }));
export type Tally = z.infer<typeof Tally>;

/** GET /api/v1/admin/dashboard. Revoked devices are left out of every figure but `devices.revoked`. */
export const Dashboard = z.object({
  generatedAt: Millis,
  devices: z.object({ enrolled: Count, revoked: Count }),
  /** Users with at least one enrolled device, out of all enabled users. */
  seats: z.object({ used: Count, total: Count }),
  /** Largest first; devices that never reported the field count under "unknown". */
  byOs: Tally,
  /** Keys are "os version", e.g. "linux 6.1". */
  byOsVersion: Tally,
  byModel: Tally,
  /**
   * App versions: "outdated" means older than the newest version any enrolled device reports
   * (semantic-version order), so the figure needs no setting and follows each release.
   */
  appVersions: z.object({ newest: z.string().nullable(), current: Count, outdated: Count, unknown: Count, byVersion: Tally }),
  /** Policy: "updated" devices run the current version; "unknown" ones never reported one. */
  policy: z.object({ currentVersion: z.number().int().positive().nullable(), updated: Count, outdated: Count, unknown: Count }),
  /** From each device's last heartbeat. */
  heartbeats: z.object({ lastHour: Count, last24h: Count, silent: Count, never: Count }),
});
export type Dashboard = z.infer<typeof Dashboard>;

/* ───────────────────────────── Admin API: devices ───────────────────────────── */

export const PolicyStatus = z.enum(['updated', 'outdated', 'unknown']);
export type PolicyStatus = z.infer<typeof PolicyStatus>;

export const UserRef = z.object({ id: z.string(), email: z.string(), name: z.string() });
export type UserRef = z.infer<typeof UserRef>;

/** GET /api/v1/admin/devices → {devices}; GET /api/v1/admin/devices/:id → AdminDevice. */
export const AdminDevice = z.object({
  id: z.string(),
  name: z.string(),
  /** Null when the user has been deleted since. */
  user: UserRef.nullable(),
  fingerprint: DeviceFingerprint,
  policyVersion: z.number().int().nonnegative().nullable(),
  policyStatus: PolicyStatus,
  enrolledAt: Millis,
  lastSeenAt: Millis.nullable(),
  revokedAt: Millis.nullable(),
});
export type AdminDevice = z.infer<typeof AdminDevice>;

export const DeviceList = z.object({ devices: z.array(AdminDevice) });
export type DeviceList = z.infer<typeof DeviceList>;

/** The columns of GET /api/v1/admin/devices.csv, in order. */
export const DEVICE_CSV_COLUMNS = [
  'id',
  'name',
  'user_email',
  'user_name',
  'os',
  'os_version',
  'model',
  'hostname',
  'serial',
  'app_version',
  'network_type',
  'edge',
  'state',
  'policy_version',
  'policy_status',
  'enrolled_at',
  'last_seen_at',
  'revoked_at',
] as const;

/** POST /api/v1/admin/devices/:id/one-time-codes: a code the user types to disable Waygate or log out. */
export const OneTimeCodeRequest = z.object({ kind: z.enum(['disable', 'logout']) });
export type OneTimeCodeRequest = z.infer<typeof OneTimeCodeRequest>;

/** Shown once: the portal keeps only its hash. */
export const OneTimeCodeResponse = z.object({ code: z.string(), expiresAt: Millis });
export type OneTimeCodeResponse = z.infer<typeof OneTimeCodeResponse>;

/* ───────────────────────────── Admin API: policy ───────────────────────────── */

export const PolicyVersionSummary = z.object({
  version: z.number().int().positive(),
  createdAt: Millis,
  createdBy: UserRef.nullable(),
  comment: z.string(),
});
export type PolicyVersionSummary = z.infer<typeof PolicyVersionSummary>;

/**
 * GET /api/v1/admin/policy (the current version) and GET /api/v1/admin/policy/versions/:version.
 * `document` is the policy as saved: it passed PolicyDocument (protocol/policy.ts) then, but an
 * old version may predate today's schema, so it is not re-validated on the way out.
 */
export const PolicyVersionDetail = PolicyVersionSummary.extend({ document: z.unknown() });
export type PolicyVersionDetail = z.infer<typeof PolicyVersionDetail>;

/** GET /api/v1/admin/policy/versions: newest first. */
export const PolicyHistory = z.object({ versions: z.array(PolicyVersionSummary) });
export type PolicyHistory = z.infer<typeof PolicyHistory>;

/**
 * PUT /api/v1/admin/policy → the new PolicyVersionDetail. With `baseVersion` (the version the
 * editor started from) a save over someone else's newer version is refused with CONFLICT.
 */
export const SavePolicyRequest = z.object({
  document: z.unknown(),
  comment: z.string().trim().max(500).default(''),
  baseVersion: z.number().int().positive().optional(),
});
export type SavePolicyRequest = z.input<typeof SavePolicyRequest>;

/** `details` of INVALID_POLICY: every problem, each with the path into the document. */
export const PolicyErrors = z.object({ errors: z.array(z.object({ path: z.string(), message: z.string() })) });
export type PolicyErrors = z.infer<typeof PolicyErrors>;

/** POST /api/v1/admin/policy/simulate: what the policy does for this person, device and URL. */
export const SimulateRequest = z.object({
  userEmail: z.email(),
  groups: z.array(z.string().min(1).max(200)).max(200).default([]),
  os: DeviceOs,
  networkType: NetworkType,
  url: z.url(),
  /** Simulate a stored version instead of the current one. */
  version: z.number().int().positive().optional(),
  /** Simulate a draft (not saved) instead; it is validated first, like a save. */
  document: z.unknown().optional(),
});
export type SimulateRequest = z.input<typeof SimulateRequest>;

/** The simulator's answer: what happens and the reasons why. */
export const SimulateResponse = SimulationResult;
export type SimulateResponse = SimulationResult;

/* ───────────────────────────── Admin API: users and groups ───────────────────────────── */

export const GroupRef = z.object({ id: z.string(), name: z.string(), source: GroupSource });
export type GroupRef = z.infer<typeof GroupRef>;

export const AdminUser = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: UserRole,
  disabled: z.boolean(),
  hasPassword: z.boolean(),
  totpEnabled: z.boolean(),
  /** Set for users who have signed in through single sign-on. */
  oidcLinked: z.boolean(),
  lockedUntil: Millis.nullable(),
  createdAt: Millis,
  groups: z.array(GroupRef),
  /** Enrolled devices (not revoked). */
  devices: Count,
});
export type AdminUser = z.infer<typeof AdminUser>;

export const UserList = z.object({ users: z.array(AdminUser) });
export type UserList = z.infer<typeof UserList>;

/** POST /api/v1/admin/users. */
export const CreateUserRequest = z.object({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(200),
  role: UserRole.default('user'),
});
export type CreateUserRequest = z.input<typeof CreateUserRequest>;

/** The password is shown once; the user changes it after signing in (POST /auth/password). */
export const CreateUserResponse = z.object({ user: AdminUser, password: z.string() });
export type CreateUserResponse = z.infer<typeof CreateUserResponse>;

/** PATCH /api/v1/admin/users/:id: any of the fields; disabling ends the user's sessions. */
export const UpdateUserRequest = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    role: UserRole.optional(),
    disabled: z.boolean().optional(),
  })
  .refine((v) => v.name !== undefined || v.role !== undefined || v.disabled !== undefined, 'Send at least one of name, role, disabled.');
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>;

/** PUT /api/v1/admin/users/:id/groups: the user's local groups (SSO groups follow the IdP). */
export const SetUserGroupsRequest = z.object({ groupIds: z.array(Id).max(500) });
export type SetUserGroupsRequest = z.infer<typeof SetUserGroupsRequest>;

export const AdminGroup = GroupRef.extend({ members: Count });
export type AdminGroup = z.infer<typeof AdminGroup>;

export const GroupList = z.object({ groups: z.array(AdminGroup) });
export type GroupList = z.infer<typeof GroupList>;

/** POST /api/v1/admin/groups: a local group. */
export const CreateGroupRequest = z.object({ name: z.string().trim().min(1).max(200) });
export type CreateGroupRequest = z.infer<typeof CreateGroupRequest>;

/* ───────────────────────────── Admin API: enrollment tokens ───────────────────────────── */

export const EnrollmentTokenStatus = z.enum(['active', 'expired', 'revoked']);

export const AdminEnrollmentToken = z.object({
  id: z.string(),
  label: z.string(),
  createdAt: Millis,
  expiresAt: Millis.nullable(),
  revokedAt: Millis.nullable(),
  status: EnrollmentTokenStatus,
});
export type AdminEnrollmentToken = z.infer<typeof AdminEnrollmentToken>;

export const EnrollmentTokenList = z.object({ tokens: z.array(AdminEnrollmentToken) });
export type EnrollmentTokenList = z.infer<typeof EnrollmentTokenList>;

/** POST /api/v1/admin/enrollment-tokens; without `expiresInDays` the token lives until revoked. */
export const CreateEnrollmentTokenRequest = z.object({
  label: z.string().trim().min(1).max(200),
  expiresInDays: z.number().int().positive().max(3650).optional(),
});
export type CreateEnrollmentTokenRequest = z.infer<typeof CreateEnrollmentTokenRequest>;

/** `token` is shown once (for the managed-browser policy); the portal keeps only its hash. */
export const CreateEnrollmentTokenResponse = z.object({ enrollmentToken: AdminEnrollmentToken, token: z.string() });
export type CreateEnrollmentTokenResponse = z.infer<typeof CreateEnrollmentTokenResponse>;

/* ───────────────────────────── Admin API: support tickets ───────────────────────────── */

export const DeviceRef = z.object({ id: z.string(), name: z.string() });

export const AdminTicket = z.object({
  id: z.string(),
  subject: z.string(),
  status: z.enum(['open', 'closed']),
  createdAt: Millis,
  /** Null when deleted since. */
  device: DeviceRef.nullable(),
  user: UserRef.nullable(),
});
export type AdminTicket = z.infer<typeof AdminTicket>;

export const TicketList = z.object({ tickets: z.array(AdminTicket) });
export type TicketList = z.infer<typeof TicketList>;

/** GET /api/v1/admin/tickets/:id. The bundle itself: GET …/tickets/:id/bundle (an attachment). */
export const AdminTicketDetail = AdminTicket.extend({
  message: z.string(),
  bundle: z.object({ bytes: Count, url: z.string() }).nullable(),
});
export type AdminTicketDetail = z.infer<typeof AdminTicketDetail>;

/* ───────────────────────────── Admin API: audit log ───────────────────────────── */

/** GET /api/v1/admin/audit?limit=&before= : newest first; pass `nextBefore` back to page on. */
export const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().positive().optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AdminAuditEntry = z.object({
  id: z.string(),
  at: Millis,
  /** Null for the system (lockouts, device actions) or a user deleted since (then `actorId` stays). */
  actor: UserRef.nullable(),
  actorId: z.string().nullable(),
  action: z.string(),
  target: z.string(),
  details: z.unknown(),
});
export type AdminAuditEntry = z.infer<typeof AdminAuditEntry>;

export const AuditPage = z.object({ entries: z.array(AdminAuditEntry), nextBefore: z.number().int().positive().nullable() });
export type AuditPage = z.infer<typeof AuditPage>;
