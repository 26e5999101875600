/**
 * Every migration, listed here rather than found on disk: the portal is bundled into one file, so
 * there is no migrations folder to scan at run time.
 *
 * Kysely's Migrator applies them in the order of their names and refuses to start when an applied
 * one is missing or out of order, so names begin with a zero-padded sequence number and a new
 * migration is always added at the end — never edit one that has shipped.
 */
import type { MigrationProvider } from 'kysely';
import type { SqlDialect } from '../dialect.js';
import { initial } from './0001-initial.js';
import { removedDevices } from './0002-removed-devices.js';

export function migrationProvider(dialect: SqlDialect): MigrationProvider {
  return {
    getMigrations: () =>
      Promise.resolve({
        '0001-initial': initial(dialect),
        '0002-removed-devices': removedDevices(),
      }),
  };
}
