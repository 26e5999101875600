/** How openStore picks and sets up the database; the behaviour behind it is store-contract.ts's. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../cloud/portal/store/open-store.js';
import { tempDir } from '../../support/waygate-process.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir('open-store');
});
afterAll(async () => {
  await tmp.cleanup();
});

describe('openStore', () => {
  it('puts SQLite at <dataDir>/portal.sqlite in WAL mode, creating the dir', async () => {
    const dataDir = join(tmp.dir, 'nested', 'data');
    const store = await openStore({ dataDir });
    await store.close();
    const file = join(dataDir, 'portal.sqlite');
    expect(existsSync(file)).toBe(true);
    // WAL is a property of the file, so another connection sees it.
    const db = new SqliteDatabase(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('keeps the data across a close and reopen, migrating again harmlessly', async () => {
    const dataDir = join(tmp.dir, 'reopen');
    const org = { id: 'org-1', name: 'Org', createdAt: 1 };
    const first = await openStore({ dataDir });
    await first.createOrg(org);
    await first.close();
    const second = await openStore({ dataDir });
    try {
      expect(await second.getOrg(org.id)).toEqual(org);
    } finally {
      await second.close();
    }
  });

  it('uses SQLite when DATABASE_URL is empty', async () => {
    const dataDir = join(tmp.dir, 'empty-url');
    const store = await openStore({ dataDir, databaseUrl: '' });
    await store.close();
    expect(existsSync(join(dataDir, 'portal.sqlite'))).toBe(true);
  });

  it('refuses a database URL that is not PostgreSQL, saying what it takes', async () => {
    await expect(openStore({ dataDir: join(tmp.dir, 'mysql'), databaseUrl: 'mysql://localhost/portal' })).rejects.toThrow(/postgres:\/\//);
  });
});
