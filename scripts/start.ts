/**
 * `npm start`: the whole local system on embedded defaults. Builds the host and the extension,
 * runs the portal (SQLite, a demo org with an admin and a user), the edge on 127.0.0.1:8443 wired
 * to it (proxy, /probe, metrics on 127.0.0.1:9464), runs the Waygate service (user mode unless
 * root; its state under .waygate/service, signing in to this portal), registers the native host in
 * a Chromium profile kept under .waygate/, and prints — or, with a display, runs — the command that
 * opens Chromium with the extension loaded, then what to click and whom to sign in as.
 * Ctrl-C stops everything it started.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../host/log.js';
import { currentSocketPath } from '../host/paths.js';
import { captiveProbeSetting, startService } from '../host/service/service.js';
import { buildAdminUi } from './build-admin-ui.js';
import { buildExtension } from './build-extension.js';
import { buildHost } from './build-host.js';
import { demoEdgeKey, startDemoEdge } from './start-edge.js';
import { startDemoPortal, type DemoCredentials } from './start-portal.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const stateDir = join(root, '.waygate');
const profileDir = join(stateDir, 'chromium-profile');
const isRoot = process.getuid?.() === 0;

console.log('Building the host, the admin console and the extension…');
const [hostBundle, extensionDir] = await Promise.all([buildHost(), buildExtension(), buildAdminUi()]);

const edgeKey = await demoEdgeKey(join(stateDir, 'edge-key'));
const portal = await startDemoPortal(join(stateDir, 'portal'), createLogger('portal'), edgeKey);
const edge = await startDemoEdge(join(stateDir, 'edge'), portal.url, edgeKey, createLogger('edge'));
const socketPath = process.env.WAYGATE_SOCKET ?? currentSocketPath();
const service = await startService({
  socketPath,
  mode: isRoot ? 'system' : 'user',
  logger: createLogger('service'),
  stateDir: join(stateDir, 'service'),
  // The demo assumes no internet: no captive-portal probe unless WAYGATE_CAPTIVE_PROBE_URL names one.
  captiveProbeUrl: process.env.WAYGATE_CAPTIVE_PROBE_URL ? captiveProbeSetting(undefined, process.env) : null,
  portalUrl: portal.url,
});

await mkdir(profileDir, { recursive: true });
const install = spawnSync(
  process.execPath,
  [hostBundle, 'install', '--browser', 'chromium', '--user-data-dir', profileDir, '--socket', socketPath],
  { encoding: 'utf8' },
);
if (install.status !== 0) {
  console.error(`Registering the native host failed:\n${install.stdout}${install.stderr}`);
  await service.close();
  process.exit(1);
}

const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
const browserArgs = [
  `--user-data-dir=${profileDir}`,
  `--load-extension=${resolve(extensionDir)}`,
  ...(isRoot ? ['--no-sandbox'] : []),
  'chrome-extension://kikjmbfpgdcnelfidohningkimchabdc/popup.html',
];
const openCommand = `${chromium ?? 'chromium'} ${browserArgs.map((a) => `'${a}'`).join(' ')}`;

const cli = `node ${hostBundle}`;
console.log(`
Waygate is running.
  portal    ${portal.url}/admin${demoLines(portal.demo)}
  edge      proxy ${edge.proxyUrl ?? '-'}   metrics ${edge.metricsUrl ?? '-'}/metrics   access log ${join(stateDir, 'edge', 'access.log')}
  service   ${service.socketPath} (${isRoot ? 'system' : 'user'} mode), state in ${service.stateDir}
  extension ${extensionDir}

1. Open Chromium with the extension loaded:
  ${openCommand}
${chromium ? '' : '\n(Chromium was not found: apt-get install -y chromium)\n'}
2. In the Waygate popup click "Sign in"; a portal tab opens. Sign in there as the user${portal.demo ? ` ${portal.demo.user.email} / ${portal.demo.user.password}` : ''} and approve the code.
   (Or from a terminal: ${cli} login --socket ${socketPath})
3. Browse: web traffic now goes through the edge (see its access log). The popup shows who you are, the edge
   and why; "${cli} status --socket ${socketPath}" and "${cli} explain URL --socket ${socketPath}" say the same.

Press Ctrl-C to stop.`);

const browser = chromium && (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) ? spawn(chromium, browserArgs, { stdio: 'ignore' }) : null;
if (browser) console.log(`Started Chromium (pid ${browser.pid}).`);

const stop = async () => {
  if (browser?.pid && browser.exitCode === null) browser.kill('SIGTERM');
  await service.close();
  await edge.stop();
  await portal.close();
  process.exit(0);
};

function demoLines(demo: DemoCredentials | null): string {
  if (!demo) return '';
  return `\n            admin ${demo.admin.email} / ${demo.admin.password}\n            user  ${demo.user.email} / ${demo.user.password}`;
}
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
