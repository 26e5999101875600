/** The store contract on SQLite: a fresh database file per test, all in one temp dir per file. */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openStore } from '../../../cloud/portal/store/open-store.js';
import { tempDir } from '../../support/waygate-process.js';
import { describeStoreContract } from './store-contract.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir('store-sqlite');
});
afterAll(async () => {
  await tmp.cleanup();
});

describeStoreContract(
  'SQLite',
  () => openStore({ dataDir: join(tmp.dir, randomUUID()) }),
  (store) => store.close(),
);
