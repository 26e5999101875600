/**
 * A real portal on loopback for one test file: its own SQLite database in a temp dir (or a fresh
 * PostgreSQL database when `databaseUrl` is given), a fresh org with an admin, a clock the test can
 * move, and an ephemeral port.
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createUserWithPassword, initOrg, type Created } from '../../cloud/portal/bootstrap.js';
import { loadPortalConfig, type PortalConfig } from '../../cloud/portal/config.js';
import { createContext, type PortalContext } from '../../cloud/portal/context.js';
import { buildPortal } from '../../cloud/portal/server.js';
import { openStore } from '../../cloud/portal/store/open-store.js';
import { tempDir } from './waygate-process.js';

function frozenClock(): TestPortal['clock'] {
  return {
    now: Date.now(),
    advance(ms: number) {
      this.now += ms;
    },
  };
}

function liveClock(): TestPortal['clock'] {
  let offset = 0;
  return {
    get now() {
      return Date.now() + offset;
    },
    advance(ms: number) {
      offset += ms;
    },
  };
}

export interface TestPortal {
  url: string;
  app: FastifyInstance;
  ctx: PortalContext;
  admin: Created;
  /** A plain user of the org. */
  user: Created;
  clock: { now: number; advance(ms: number): void };
  close(): Promise<void>;
}

export interface TestPortalOptions {
  /**
   * The clock follows real time (plus whatever `advance` adds), for tests where a device process
   * polls and refreshes on its own schedule. By default it stands still until the test moves it.
   */
  liveClock?: boolean;
}

export async function startTestPortal(overrides: Partial<Record<keyof PortalConfig, unknown>> = {}, options: TestPortalOptions = {}): Promise<TestPortal> {
  const tmp = await tempDir('portal');
  const clock = options.liveClock ? liveClock() : frozenClock();
  const config = loadPortalConfig({}, { dataDir: tmp.dir, port: 0, ...overrides });
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const { org, admin } = await initOrg(store, 'Test Org', { email: 'admin@example.test', name: 'Ada Admin' }, clock.now);
  const user = await createUserWithPassword(store, org.id, { email: 'user@example.test', name: 'Uma User', role: 'user' }, clock.now);
  const logger = pino({ level: process.env.WAYGATE_TEST_LOG ?? 'silent' });
  const ctx = createContext({ store, config, logger, now: () => clock.now, org });
  const app = await buildPortal(ctx);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  // Links the portal builds (verification URL, token issuer) must point at where it really listens.
  ctx.config.publicUrl = url;
  return {
    url,
    app,
    ctx,
    admin,
    user,
    clock,
    async close() {
      await app.close();
      await store.close();
      await tmp.cleanup();
    },
  };
}
