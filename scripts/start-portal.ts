/**
 * The portal for `npm start`: SQLite under .waygate/portal, a demo org with an admin and a user on
 * first run. Their one-time passwords are kept in a 0600 file beside the database so later runs can
 * print them again (a demo convenience; `waygate-portal init` never writes passwords to disk).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { createUserWithPassword, initOrg } from '../cloud/portal/bootstrap.js';
import { loadPortalConfig } from '../cloud/portal/config.js';
import { createContext } from '../cloud/portal/context.js';
import { buildPortal } from '../cloud/portal/server.js';
import { openStore } from '../cloud/portal/store/open-store.js';

const Login = z.object({ email: z.string(), password: z.string() });
const DemoCredentials = z.object({ admin: Login, user: Login });
export type DemoCredentials = z.infer<typeof DemoCredentials>;

export interface RunningPortal {
  url: string;
  demo: DemoCredentials | null;
  close(): Promise<void>;
}

/** `edgeKey`: the secret the local edge presents to pull policy (see scripts/start-edge.ts). */
export async function startDemoPortal(dataDir: string, logger: Logger, edgeKey: string): Promise<RunningPortal> {
  const config = loadPortalConfig(process.env, { dataDir, edgeKey });
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const credentialsFile = join(config.dataDir, 'demo-credentials.json');
  let org = await store.defaultOrg();
  let demo: DemoCredentials | null;
  if (!org) {
    const now = Date.now();
    const created = await initOrg(store, 'Demo Org', { email: 'admin@demo.waygate.test', name: 'Demo Admin' }, now);
    const user = await createUserWithPassword(store, created.org.id, { email: 'user@demo.waygate.test', name: 'Demo User', role: 'user' }, now);
    org = created.org;
    demo = {
      admin: { email: created.admin.user.email, password: created.admin.password },
      user: { email: user.user.email, password: user.password },
    };
    await writeFile(credentialsFile, JSON.stringify(demo, null, 2), { mode: 0o600 });
  } else {
    demo = await readFile(credentialsFile, 'utf8')
      .then((text) => DemoCredentials.parse(JSON.parse(text)))
      .catch(() => null);
  }
  const app: FastifyInstance = await buildPortal(createContext({ store, config, logger, now: Date.now, org }));
  await app.listen({ host: config.host, port: config.port });
  return {
    url: config.publicUrl,
    demo,
    async close() {
      await app.close();
      await store.close();
    },
  };
}
