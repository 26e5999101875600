/**
 * Devices that were deleted (or went with their user), kept as tombstones so edges keep refusing
 * their edge tokens until those expire: a token is verified offline and lives up to an hour, and a
 * deleted device has no row left to say it was revoked.
 */
import type { Kysely, Migration } from 'kysely';

export function removedDevices(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('removed_devices')
        .addColumn('device_id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('removed_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('removed_devices_org_idx').on('removed_devices').columns(['org_id', 'removed_at']).execute();
      await db.schema.createIndex('devices_revoked_idx').on('devices').columns(['org_id', 'revoked_at']).execute();
    },
  };
}
