/**
 * The Store over Kysely: one class for SQLite and PostgreSQL. The queries are the same for both;
 * what differs is settled elsewhere (driver setup in open-store.ts, the bytes column type in the
 * migration) except the row lock in addPolicyVersion, the one place that branches on the dialect.
 *
 * Orders of the lists (store.ts leaves them open): users by email, groups by name, policy versions
 * newest first, devices and enrollment tokens oldest first, audit entries and tickets newest first,
 * signing keys newest first. Ties are broken by id so pages and tests are stable.
 *
 * The store owns `db` once constructed: close() destroys it (and with it the SQLite handle or the
 * PostgreSQL pool).
 */
import { Migrator, type Kysely, type Transaction } from 'kysely';
import type { SqlDialect } from './dialect.js';
import { migrationProvider } from './migrations/index.js';
import {
  auditToRow,
  authorizationChange,
  authorizationToRow,
  deviceChange,
  deviceToRow,
  enrollmentTokenToRow,
  groupToRow,
  isNoChange,
  oneTimeCodeToRow,
  orgToRow,
  policyToRow,
  rowToAudit,
  rowToAuthorization,
  rowToDevice,
  rowToEnrollmentToken,
  rowToGroup,
  rowToOrg,
  rowToPolicy,
  rowToPolicySummary,
  rowToSession,
  rowToSigningKey,
  rowToTicket,
  rowToTicketSummary,
  rowToUser,
  sessionChange,
  sessionToRow,
  signingKeyToRow,
  ticketToRow,
  userChange,
  userToRow,
} from './rows.js';
import type { Database } from './schema.js';
import {
  StoreConflictError,
  type AuditEntry,
  type Device,
  type DeviceAuthorization,
  type EnrollmentToken,
  type Group,
  type Millis,
  type OneTimeCode,
  type OneTimeCodeKind,
  type Org,
  type PolicyVersion,
  type Session,
  type SigningKey,
  type Store,
  type SupportTicket,
  type User,
} from './store.js';
import { isUniqueViolation } from './unique-violation.js';

export class KyselyStore implements Store {
  readonly #db: Kysely<Database>;
  readonly #dialect: SqlDialect;

  constructor(db: Kysely<Database>, dialect: SqlDialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  /**
   * Kysely's Migrator serialises concurrent runs: on PostgreSQL it holds a session advisory lock
   * around reading the applied migrations and applying the rest in one transaction, so replicas
   * starting together apply each migration once; SQLite has a single connection per process.
   */
  async migrate(): Promise<void> {
    const migrator = new Migrator({ db: this.#db, provider: migrationProvider(this.#dialect) });
    const { error } = await migrator.migrateToLatest();
    if (error !== undefined) throw new Error('store: migrating the database failed', { cause: error });
  }

  async close(): Promise<void> {
    await this.#db.destroy();
  }

  async createOrg(org: Org): Promise<void> {
    await this.#write(() => this.#db.insertInto('orgs').values(orgToRow(org)).execute());
  }

  async getOrg(id: string): Promise<Org | null> {
    const row = await this.#db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? rowToOrg(row) : null;
  }

  async defaultOrg(): Promise<Org | null> {
    const row = await this.#db.selectFrom('orgs').selectAll().orderBy('created_at', 'asc').orderBy('id', 'asc').limit(1).executeTakeFirst();
    return row ? rowToOrg(row) : null;
  }

  async createUser(user: User): Promise<void> {
    await this.#write(() => this.#db.insertInto('users').values(userToRow(user)).execute());
  }

  async getUser(id: string): Promise<User | null> {
    const row = await this.#db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? rowToUser(row) : null;
  }

  async getUserByEmail(orgId: string, email: string): Promise<User | null> {
    const row = await this.#db.selectFrom('users').selectAll().where('org_id', '=', orgId).where('email', '=', email).executeTakeFirst();
    return row ? rowToUser(row) : null;
  }

  async getUserByOidc(issuer: string, subject: string): Promise<User | null> {
    const row = await this.#db.selectFrom('users').selectAll().where('oidc_issuer', '=', issuer).where('oidc_subject', '=', subject).executeTakeFirst();
    return row ? rowToUser(row) : null;
  }

  async listUsers(orgId: string): Promise<User[]> {
    const rows = await this.#db.selectFrom('users').selectAll().where('org_id', '=', orgId).orderBy('email', 'asc').orderBy('id', 'asc').execute();
    return rows.map(rowToUser);
  }

  async updateUser(id: string, change: Partial<Omit<User, 'id' | 'orgId' | 'createdAt'>>): Promise<void> {
    const row = userChange(change);
    if (isNoChange(row)) return;
    await this.#write(() => this.#db.updateTable('users').set(row).where('id', '=', id).execute());
  }

  /** Takes the user's sessions, memberships, devices, authorizations and tickets with it (0001-initial). */
  async deleteUser(id: string, at: Millis): Promise<void> {
    await this.#write(() =>
      this.#db.transaction().execute(async (trx) => {
        await rememberRemoved(trx, 'user_id', id, at);
        await trx.deleteFrom('users').where('id', '=', id).execute();
      }),
    );
  }

  async createGroup(group: Group): Promise<void> {
    await this.#write(() => this.#db.insertInto('groups').values(groupToRow(group)).execute());
  }

  async getGroupByName(orgId: string, name: string): Promise<Group | null> {
    const row = await this.#db.selectFrom('groups').selectAll().where('org_id', '=', orgId).where('name', '=', name).executeTakeFirst();
    return row ? rowToGroup(row) : null;
  }

  async listGroups(orgId: string): Promise<Group[]> {
    const rows = await this.#db.selectFrom('groups').selectAll().where('org_id', '=', orgId).orderBy('name', 'asc').orderBy('id', 'asc').execute();
    return rows.map(rowToGroup);
  }

  async deleteGroup(id: string): Promise<void> {
    await this.#db.deleteFrom('groups').where('id', '=', id).execute();
  }

  /**
   * A membership remembers the source that granted it, independent of the group's own source: an
   * IdP sync replaces only what the IdP granted, and a portal admin's grants survive it.
   */
  async setUserGroups(userId: string, source: Group['source'], groupIds: string[]): Promise<void> {
    const rows = [...new Set(groupIds)].map((groupId) => ({ user_id: userId, group_id: groupId, source }));
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('group_members').where('user_id', '=', userId).where('source', '=', source).execute();
      if (rows.length > 0) await trx.insertInto('group_members').values(rows).execute();
    });
  }

  /** Each group once, even when both sources grant it. */
  async groupsOfUser(userId: string): Promise<Group[]> {
    const rows = await this.#db
      .selectFrom('groups')
      .selectAll()
      .where('id', 'in', (eb) => eb.selectFrom('group_members').select('group_id').where('user_id', '=', userId))
      .orderBy('name', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(rowToGroup);
  }

  /**
   * Reads the highest version and writes the next inside one transaction. Concurrent callers are
   * serialised so none reads a version another is about to write: on PostgreSQL by locking the
   * org's row (FOR NO KEY UPDATE, which leaves foreign-key checks on the org unblocked); on SQLite,
   * which serves a single portal process, by Kysely's one connection running one transaction at a
   * time. The (org_id, version) primary key stays the backstop: a clash would surface as
   * StoreConflictError, never as two policies with one number.
   */
  async addPolicyVersion(entry: Omit<PolicyVersion, 'version'>): Promise<PolicyVersion> {
    return this.#write(() =>
      this.#db.transaction().execute(async (trx) => {
        if (this.#dialect === 'postgres') {
          await trx.selectFrom('orgs').select('id').where('id', '=', entry.orgId).forNoKeyUpdate().execute();
        }
        const { current } = await trx
          .selectFrom('policy_versions')
          .select((eb) => eb.fn.max('version').as('current'))
          .where('org_id', '=', entry.orgId)
          .executeTakeFirstOrThrow();
        const policy: PolicyVersion = { ...entry, version: (current ?? 0) + 1 };
        await trx.insertInto('policy_versions').values(policyToRow(policy)).execute();
        return policy;
      }),
    );
  }

  async currentPolicy(orgId: string): Promise<PolicyVersion | null> {
    const row = await this.#db.selectFrom('policy_versions').selectAll().where('org_id', '=', orgId).orderBy('version', 'desc').limit(1).executeTakeFirst();
    return row ? rowToPolicy(row) : null;
  }

  async currentPolicyVersion(orgId: string): Promise<number | null> {
    const row = await this.#db
      .selectFrom('policy_versions')
      .select('version')
      .where('org_id', '=', orgId)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? Number(row.version) : null;
  }

  async getPolicyVersion(orgId: string, version: number): Promise<PolicyVersion | null> {
    const row = await this.#db.selectFrom('policy_versions').selectAll().where('org_id', '=', orgId).where('version', '=', version).executeTakeFirst();
    return row ? rowToPolicy(row) : null;
  }

  async listPolicyVersions(orgId: string): Promise<Omit<PolicyVersion, 'document'>[]> {
    const rows = await this.#db
      .selectFrom('policy_versions')
      .select(['org_id', 'version', 'created_at', 'created_by', 'comment'])
      .where('org_id', '=', orgId)
      .orderBy('version', 'desc')
      .execute();
    return rows.map(rowToPolicySummary);
  }

  async createDeviceAuthorization(auth: DeviceAuthorization): Promise<void> {
    await this.#write(() => this.#db.insertInto('device_authorizations').values(authorizationToRow(auth)).execute());
  }

  async getDeviceAuthorizationByDeviceCode(deviceCodeHash: string): Promise<DeviceAuthorization | null> {
    const row = await this.#db.selectFrom('device_authorizations').selectAll().where('device_code_hash', '=', deviceCodeHash).executeTakeFirst();
    return row ? rowToAuthorization(row) : null;
  }

  async getPendingDeviceAuthorizationByUserCode(userCode: string): Promise<DeviceAuthorization | null> {
    const row = await this.#db
      .selectFrom('device_authorizations')
      .selectAll()
      .where('user_code', '=', userCode)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return row ? rowToAuthorization(row) : null;
  }

  async updateDeviceAuthorization(
    id: string,
    change: Partial<Pick<DeviceAuthorization, 'status' | 'userId' | 'interval' | 'lastPolledAt'>>,
  ): Promise<void> {
    const row = authorizationChange(change);
    if (isNoChange(row)) return;
    await this.#write(() => this.#db.updateTable('device_authorizations').set(row).where('id', '=', id).execute());
  }

  /**
   * One conditional UPDATE: the database lets exactly one of several concurrent callers see the row
   * still 'approved' (PostgreSQL re-checks the WHERE after waiting on the row lock).
   */
  async consumeDeviceAuthorization(id: string): Promise<boolean> {
    const result = await this.#db
      .updateTable('device_authorizations')
      .set({ status: 'consumed' })
      .where('id', '=', id)
      .where('status', '=', 'approved')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async createDevice(device: Device): Promise<void> {
    await this.#write(() => this.#db.insertInto('devices').values(deviceToRow(device)).execute());
  }

  async getDevice(id: string): Promise<Device | null> {
    const row = await this.#db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? rowToDevice(row) : null;
  }

  async listDevices(orgId: string): Promise<Device[]> {
    const rows = await this.#db.selectFrom('devices').selectAll().where('org_id', '=', orgId).orderBy('enrolled_at', 'asc').orderBy('id', 'asc').execute();
    return rows.map(rowToDevice);
  }

  async countActiveDevicesOfUser(userId: string): Promise<number> {
    const { count } = await this.#db
      .selectFrom('devices')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirstOrThrow();
    // count(*) is an integer in SQLite and an int8 (parsed to a number, open-store.ts) in PostgreSQL;
    // Kysely types it loosely because other drivers return strings or bigints.
    return Number(count);
  }

  async updateDevice(id: string, change: Partial<Pick<Device, 'name' | 'fingerprint' | 'policyVersion' | 'lastSeenAt' | 'revokedAt'>>): Promise<void> {
    const row = deviceChange(change);
    if (isNoChange(row)) return;
    await this.#write(() => this.#db.updateTable('devices').set(row).where('id', '=', id).execute());
  }

  /** Takes the device's one-time codes with it; its support tickets stay (0001-initial). */
  async deleteDevice(id: string, at: Millis): Promise<void> {
    await this.#write(() =>
      this.#db.transaction().execute(async (trx) => {
        await rememberRemoved(trx, 'id', id, at);
        await trx.deleteFrom('devices').where('id', '=', id).execute();
      }),
    );
  }

  async revokedDevicesSince(orgId: string, since: Millis): Promise<{ id: string; revokedAt: Millis }[]> {
    const revoked = await this.#db
      .selectFrom('devices')
      .select(['id', 'revoked_at'])
      .where('org_id', '=', orgId)
      .where('revoked_at', '>=', since)
      .execute();
    const removed = await this.#db.selectFrom('removed_devices').select(['device_id', 'removed_at']).where('org_id', '=', orgId).where('removed_at', '>=', since).execute();
    return [
      ...revoked.flatMap((row) => (row.revoked_at === null ? [] : [{ id: row.id, revokedAt: Number(row.revoked_at) }])),
      ...removed.map((row) => ({ id: row.device_id, revokedAt: Number(row.removed_at) })),
    ].sort((a, b) => a.id.localeCompare(b.id));
  }

  async createEnrollmentToken(token: EnrollmentToken): Promise<void> {
    await this.#write(() => this.#db.insertInto('enrollment_tokens').values(enrollmentTokenToRow(token)).execute());
  }

  async getEnrollmentTokenByHash(tokenHash: string): Promise<EnrollmentToken | null> {
    const row = await this.#db.selectFrom('enrollment_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return row ? rowToEnrollmentToken(row) : null;
  }

  async listEnrollmentTokens(orgId: string): Promise<EnrollmentToken[]> {
    const rows = await this.#db
      .selectFrom('enrollment_tokens')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(rowToEnrollmentToken);
  }

  /** The first revocation time stands: revoking again does not move it. */
  async revokeEnrollmentToken(id: string, at: Millis): Promise<void> {
    await this.#db.updateTable('enrollment_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  }

  async createOneTimeCode(code: OneTimeCode): Promise<void> {
    await this.#write(() => this.#db.insertInto('one_time_codes').values(oneTimeCodeToRow(code)).execute());
  }

  /**
   * One conditional UPDATE, as in consumeDeviceAuthorization. Should the same code have been issued
   * twice for the device, both copies are spent together: they are one secret.
   */
  async useOneTimeCode(deviceId: string, kind: OneTimeCodeKind, codeHash: string, now: Millis): Promise<boolean> {
    const result = await this.#db
      .updateTable('one_time_codes')
      .set({ used_at: now })
      .where('device_id', '=', deviceId)
      .where('kind', '=', kind)
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async createSession(session: Session): Promise<void> {
    await this.#write(() => this.#db.insertInto('sessions').values(sessionToRow(session)).execute());
  }

  async getSession(idHash: string): Promise<Session | null> {
    const row = await this.#db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    return row ? rowToSession(row) : null;
  }

  async updateSession(idHash: string, change: Partial<Pick<Session, 'mfaPassed' | 'expiresAt'>>): Promise<void> {
    const row = sessionChange(change);
    if (isNoChange(row)) return;
    await this.#db.updateTable('sessions').set(row).where('id_hash', '=', idHash).execute();
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.#db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }

  async deleteSessionsOfUser(userId: string): Promise<void> {
    await this.#db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }

  async addAudit(entry: AuditEntry): Promise<void> {
    await this.#write(() => this.#db.insertInto('audit_log').values(auditToRow(entry)).execute());
  }

  /** `before` is exclusive: the next page starts below the `at` of the last entry seen. */
  async listAudit(orgId: string, limit: number, before?: Millis): Promise<AuditEntry[]> {
    let query = this.#db.selectFrom('audit_log').selectAll().where('org_id', '=', orgId);
    if (before !== undefined) query = query.where('at', '<', before);
    const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(rowToAudit);
  }

  async createTicket(ticket: SupportTicket): Promise<void> {
    await this.#write(() => this.#db.insertInto('support_tickets').values(ticketToRow(ticket)).execute());
  }

  async getTicket(id: string): Promise<SupportTicket | null> {
    const row = await this.#db.selectFrom('support_tickets').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? rowToTicket(row) : null;
  }

  async listTickets(orgId: string): Promise<Omit<SupportTicket, 'bundle'>[]> {
    const rows = await this.#db
      .selectFrom('support_tickets')
      .select(['id', 'org_id', 'device_id', 'user_id', 'subject', 'message', 'status', 'created_at'])
      .where('org_id', '=', orgId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(rowToTicketSummary);
  }

  async updateTicket(id: string, change: Pick<SupportTicket, 'status'>): Promise<void> {
    await this.#db.updateTable('support_tickets').set({ status: change.status }).where('id', '=', id).execute();
  }

  async addSigningKey(key: SigningKey): Promise<void> {
    await this.#write(() => this.#db.insertInto('signing_keys').values(signingKeyToRow(key)).execute());
  }

  async activeSigningKey(orgId: string): Promise<SigningKey | null> {
    const row = await this.#db
      .selectFrom('signing_keys')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('retired_at', 'is', null)
      .orderBy('created_at', 'desc')
      .orderBy('kid', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? rowToSigningKey(row) : null;
  }

  async listSigningKeys(orgId: string): Promise<SigningKey[]> {
    const rows = await this.#db
      .selectFrom('signing_keys')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at', 'desc')
      .orderBy('kid', 'desc')
      .execute();
    return rows.map(rowToSigningKey);
  }

  /** Runs a write, turning "a unique key is taken" from either driver into StoreConflictError. */
  async #write<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isUniqueViolation(error)) {
        const detail = error instanceof Error ? error.message : String(error);
        throw new StoreConflictError(`already taken: ${detail}`, { cause: error });
      }
      throw error;
    }
  }
}

/** Tombstones for the devices a delete is about to take (one device, or all of a user's). */
async function rememberRemoved(trx: Transaction<Database>, column: 'id' | 'user_id', value: string, at: Millis): Promise<void> {
  const devices = await trx.selectFrom('devices').select(['id', 'org_id']).where(column, '=', value).execute();
  if (devices.length === 0) return;
  await trx
    .insertInto('removed_devices')
    .values(devices.map((device) => ({ device_id: device.id, org_id: device.org_id, removed_at: at })))
    .onConflict((oc) => oc.column('device_id').doUpdateSet({ removed_at: at }))
    .execute();
}
