/**
 * A fresh PostgreSQL database for one test file, on the server named by WAYGATE_TEST_DATABASE_URL
 * (an admin URL whose role may CREATE DATABASE, e.g.
 * postgres://waygate:waygate@127.0.0.1:5432/postgres — what scripts/ci-postgres.sh prints).
 *
 * Without that variable the PostgreSQL suites are skipped with a note on how to run them, except in
 * CI (CI=true), where a missing server is a failure rather than a silently thinner test run.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  /** Connection URL of the fresh database. */
  url: string;
  /** Empties it (every table, index and the migration bookkeeping), so the next test starts from nothing. */
  reset(): Promise<void>;
  /** Drops it, closing any connection still open to it. */
  drop(): Promise<void>;
}

const HOW_TO_RUN =
  'to run them: `apt-get install -y postgresql`, then `eval "$(scripts/ci-postgres.sh)"` ' +
  '(as .ci/run does), which starts the cluster and exports WAYGATE_TEST_DATABASE_URL';

/** The admin URL, or null (after saying why) when the PostgreSQL suites should be skipped. */
export function postgresAdminUrl(): string | null {
  const url = process.env.WAYGATE_TEST_DATABASE_URL;
  if (url) return url;
  if (process.env.CI === 'true') {
    throw new Error(`WAYGATE_TEST_DATABASE_URL is not set, and CI must run the PostgreSQL tests; ${HOW_TO_RUN}`);
  }
  console.warn(`Skipping the PostgreSQL tests: WAYGATE_TEST_DATABASE_URL is not set; ${HOW_TO_RUN}.`);
  return null;
}

export async function createTestDatabase(adminUrl: string): Promise<TestDatabase> {
  // Random, lower-case hex: a valid identifier that needs no quoting, and files running in parallel
  // never meet.
  const name = `waygate_test_${randomBytes(6).toString('hex')}`;
  await query(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // Cheaper than a new database per test; the role owns the database and so its public schema.
    reset: () => query(url.toString(), 'drop schema public cascade; create schema public'),
    drop: () => query(adminUrl, `drop database if exists ${name} with (force)`),
  };
}

async function query(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
