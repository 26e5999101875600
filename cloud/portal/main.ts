/**
 * `waygate-portal`: the control plane. `init` creates the org and its first admin once per
 * database; `serve` runs the HTTP server.
 */
import { Command } from 'commander';
import { pino } from 'pino';
import { initOrg } from './bootstrap.js';
import { loadPortalConfig } from './config.js';
import { createContext } from './context.js';
import { buildPortal } from './server.js';
import { openStore } from './store/open-store.js';

const logger = pino({ name: 'portal', level: process.env.WAYGATE_LOG_LEVEL ?? 'info', redact: ['*.password', '*.token', '*.secret', '*.credential'] });

const program = new Command('waygate-portal').description('Waygate portal: enrollment, policy, devices and the admin console.');

program
  .command('init')
  .description('create the org and its first admin (prints a one-time password)')
  .requiredOption('--org <name>', 'organisation name')
  .requiredOption('--admin-email <email>', 'email of the first admin')
  .option('--admin-name <name>', 'display name of the first admin', 'Administrator')
  .option('--data-dir <dir>', 'where the SQLite database lives (ignored with DATABASE_URL)')
  .action(async (opts: { org: string; adminEmail: string; adminName: string; dataDir?: string }) => {
    const config = loadPortalConfig(process.env, opts.dataDir ? { dataDir: opts.dataDir } : {});
    const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
    try {
      const { org, admin } = await initOrg(store, opts.org, { email: opts.adminEmail, name: opts.adminName }, Date.now());
      console.log(`Created org "${org.name}".\nAdmin: ${admin.user.email}\nOne-time password: ${admin.password}\n(change it after the first sign-in)`);
    } finally {
      await store.close();
    }
  });

program
  .command('serve')
  .description('run the portal')
  .option('--host <host>', 'address to listen on')
  .option('--port <port>', 'port to listen on')
  .option('--public-url <url>', 'the URL people and devices use to reach the portal')
  .option('--data-dir <dir>', 'where the SQLite database lives (ignored with DATABASE_URL)')
  .action(async (opts: { host?: string; port?: string; publicUrl?: string; dataDir?: string }) => {
    const config = loadPortalConfig(process.env, opts);
    const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
    const org = await store.defaultOrg();
    if (!org) {
      console.error('waygate-portal: no org yet. Run `waygate-portal init --org NAME --admin-email EMAIL` first.');
      process.exit(1);
    }
    const app = await buildPortal(createContext({ store, config, logger, now: Date.now, org }));
    await app.listen({ host: config.host, port: config.port });
    logger.info({ url: config.publicUrl, database: config.databaseUrl ? 'postgresql' : 'sqlite' }, 'portal: listening');
    const stop = async () => {
      await app.close();
      await store.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  // Say what went wrong in one line; the stack helps nobody who runs the command.
  console.error(`waygate-portal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
