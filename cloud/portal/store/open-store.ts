/**
 * The one place that picks the database: PostgreSQL when a postgres:// (or postgresql://) URL is
 * given, so several portal replicas can share it; otherwise SQLite in `<dataDir>/portal.sqlite`.
 * The store comes back migrated; the caller owns it and closes it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { KyselyStore } from './kysely-store.js';
import type { Database } from './schema.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  /** Where the SQLite file lives; unused with `databaseUrl`. */
  dataDir: string;
  /** postgres://… or postgresql://…; empty or absent means SQLite. */
  databaseUrl?: string | undefined;
  /** Errors of idle PostgreSQL connections (the server restarted, the network dropped). */
  onPoolError?: (error: Error) => void;
}

/** How long a SQLite writer waits for another process's lock (e.g. `init` next to `serve`). */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const store = options.databaseUrl ? openPostgres(options.databaseUrl, options.onPoolError) : openSqlite(options.dataDir);
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

function openSqlite(dataDir: string): KyselyStore {
  mkdirSync(dataDir, { recursive: true });
  const database = new SqliteDatabase(join(dataDir, 'portal.sqlite'));
  // WAL lets readers run while one writer writes; NORMAL is durable across crashes of the process
  // (a power cut may lose the last transactions, never corrupt the file); foreign keys are off by
  // default in SQLite and the cascade rules depend on them.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  return new KyselyStore(new Kysely<Database>({ dialect: new SqliteDialect({ database }) }), 'sqlite');
}

function openPostgres(url: string, onPoolError: (error: Error) => void = logPoolError): KyselyStore {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new Error('DATABASE_URL must be a postgres:// or postgresql:// URL (leave it unset to use SQLite in the data dir)');
  }
  const pool = new pg.Pool({ connectionString: url, types: pgTypes() });
  // An idle client's error is emitted on the pool; unhandled, it would end the process. The pool has
  // already dropped that client and opens a new one on the next query.
  pool.on('error', onPoolError);
  return new KyselyStore(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), 'postgres');
}

/**
 * pg returns int8 (bigint columns, count(*)) as strings, since int8 can exceed 2^53. The store's
 * int8s are epoch milliseconds and counts, far below that, so they come back as numbers; a value that
 * would lose precision throws rather than turn silently into another number. Set per pool, not on
 * pg's global `types`, so other pg users in the process are unaffected.
 */
function pgTypes(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, (text: string) => {
    const value = Number(text);
    if (!Number.isSafeInteger(value)) throw new RangeError(`store: int8 ${text} does not fit in a JavaScript number`);
    return value;
  });
  return types;
}

function logPoolError(error: Error): void {
  console.error(`portal store: an idle PostgreSQL connection failed (${error.message}); it is replaced on the next query`);
}
