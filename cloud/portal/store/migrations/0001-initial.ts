/**
 * The first schema. Column types are the portable ones listed in ../schema.ts; the one type the two
 * databases spell differently (bytes) comes from `dialect`.
 *
 * Foreign keys say what goes with what (the store's cascade rules):
 * - what belongs to a user goes with the user: sessions, group memberships, devices, device
 *   authorizations they approved or denied, support tickets they filed;
 * - what belongs to a device goes with the device: its one-time codes;
 * - a group takes its memberships with it;
 * - history stays: audit entries and policy versions keep naming a deleted actor or author (no
 *   foreign key), and a ticket outlives the device it came from (deleting a device is housekeeping;
 *   deleting a user is erasure).
 * Orgs are never deleted, so nothing cascades from them.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from '../dialect.js';

export function initial(dialect: SqlDialect): Migration {
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('orgs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('totp_secret', 'text')
        .addColumn('oidc_issuer', 'text')
        .addColumn('oidc_subject', 'text')
        .addColumn('failed_sign_ins', 'integer', (c) => c.notNull())
        .addColumn('locked_until', 'bigint')
        .addColumn('disabled', 'integer', (c) => c.notNull().check(sql`disabled in (0, 1)`))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('users_org_email_key', ['org_id', 'email'])
        .execute();
      // Both databases treat NULLs as distinct here, so any number of password-only users fit.
      await db.schema.createIndex('users_oidc_key').on('users').columns(['oidc_issuer', 'oidc_subject']).unique().execute();

      await db.schema
        .createTable('groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addUniqueConstraint('groups_org_name_key', ['org_id', 'name'])
        .execute();

      await db.schema
        .createTable('group_members')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
        .addColumn('source', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('group_members_pkey', ['user_id', 'group_id', 'source'])
        .execute();
      await db.schema.createIndex('group_members_group_idx').on('group_members').column('group_id').execute();

      await db.schema
        .createTable('policy_versions')
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('comment', 'text', (c) => c.notNull())
        // Also what makes two concurrent writers of the same version collide instead of both winning.
        .addPrimaryKeyConstraint('policy_versions_pkey', ['org_id', 'version'])
        .execute();

      await db.schema
        .createTable('device_authorizations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('device_code_hash', 'text', (c) => c.notNull().unique())
        .addColumn('user_code', 'text', (c) => c.notNull())
        .addColumn('device_name', 'text', (c) => c.notNull())
        .addColumn('os', 'text', (c) => c.notNull())
        .addColumn('os_version', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('interval', 'integer', (c) => c.notNull())
        .addColumn('last_polled_at', 'bigint')
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      // A user code is what a person types: it must name one pending request, but may be reused once
      // that request is approved, denied or consumed.
      await db.schema
        .createIndex('device_authorizations_pending_user_code_key')
        .on('device_authorizations')
        .column('user_code')
        .unique()
        .where(sql.ref('status'), '=', 'pending')
        .execute();
      await db.schema.createIndex('device_authorizations_user_idx').on('device_authorizations').column('user_id').execute();

      await db.schema
        .createTable('devices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('credential_hash', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('policy_version', 'integer')
        .addColumn('enrolled_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createIndex('devices_org_idx').on('devices').columns(['org_id', 'enrolled_at']).execute();
      await db.schema.createIndex('devices_user_idx').on('devices').column('user_id').execute();

      await db.schema
        .createTable('enrollment_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createIndex('enrollment_tokens_org_idx').on('enrollment_tokens').columns(['org_id', 'created_at']).execute();

      await db.schema
        .createTable('one_time_codes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .execute();
      await db.schema.createIndex('one_time_codes_device_idx').on('one_time_codes').columns(['device_id', 'kind']).execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('mfa_passed', 'integer', (c) => c.notNull().check(sql`mfa_passed in (0, 1)`))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor_user_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_log_org_at_idx').on('audit_log').columns(['org_id', 'at']).execute();

      await db.schema
        .createTable('support_tickets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('bundle', bytes)
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('support_tickets_org_idx').on('support_tickets').columns(['org_id', 'created_at']).execute();
      await db.schema.createIndex('support_tickets_user_idx').on('support_tickets').column('user_id').execute();

      await db.schema
        .createTable('signing_keys')
        .addColumn('kid', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        .addColumn('private_jwk', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('retired_at', 'bigint')
        .execute();
      await db.schema.createIndex('signing_keys_org_idx').on('signing_keys').columns(['org_id', 'created_at']).execute();
    },
  };
}
