/**
 * The store contract on PostgreSQL (one fresh database for the file, emptied between tests), and
 * what only PostgreSQL has to prove: replicas that start together migrate once, without tripping
 * over each other.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../cloud/portal/store/open-store.js';
import { createTestDatabase, postgresAdminUrl, type TestDatabase } from '../../support/postgres.js';
import { describeStoreContract } from './store-contract.js';

const adminUrl = postgresAdminUrl();
/** openStore wants one; PostgreSQL never touches it. */
const UNUSED_DATA_DIR = '/nonexistent/waygate-portal-data';

describe.skipIf(adminUrl === null)('PostgreSQL store', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(adminUrl ?? '');
  });
  afterAll(async () => {
    await database?.drop();
  });

  describeStoreContract(
    'PostgreSQL',
    () => openStore({ dataDir: UNUSED_DATA_DIR, databaseUrl: database.url }),
    async (store) => {
      await store.close();
      await database.reset();
    },
  );

  it('migrates once when several replicas start at the same time', async () => {
    const fresh = await createTestDatabase(adminUrl ?? '');
    try {
      const replicas = await Promise.all(Array.from({ length: 6 }, () => openStore({ dataDir: UNUSED_DATA_DIR, databaseUrl: fresh.url })));
      try {
        const org = { id: 'org-1', name: 'Org', createdAt: 1 };
        await replicas[0]!.createOrg(org);
        for (const replica of replicas) expect(await replica.getOrg(org.id)).toEqual(org);
      } finally {
        await Promise.all(replicas.map((r) => r.close()));
      }
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ name: string }>('select name from kysely_migration order by name');
        expect(rows.map((r) => r.name)).toEqual(['0001-initial', '0002-removed-devices']);
      } finally {
        await client.end();
      }
    } finally {
      await fresh.drop();
    }
  });
});
