/**
 * portal-config: config polls per second with 10,000 enrolled devices, on the 304 path (the device
 * sends the ETag it has) and the 200 path (a signed config every time), for SQLite and PostgreSQL,
 * with load from a separate process (Debian's wrk). Baseline in the same run: a bare fastify server
 * answering 304 for the same requests — the framework's floor on this machine.
 * Target: ≥ 5,000 req/s on the 304 path with p99 < 20 ms.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify from 'fastify';
import { initOrg } from '../cloud/portal/bootstrap.js';
import { randomToken } from '../cloud/portal/crypto/secrets.js';
import { newDeviceCredential } from '../cloud/portal/device/credential.js';
import { newUser } from '../cloud/portal/new-user.js';
import { openStore } from '../cloud/portal/store/open-store.js';
import type { Store } from '../cloud/portal/store/store.js';
import { buildPortalBundle } from '../scripts/build-portal.js';
import { createTestDatabase } from '../test/support/postgres.js';
import { tempDir } from '../test/support/waygate-process.js';
import { wrk, type WrkResult } from './wrk.js';

const DEVICES = Number(process.env.DEVICES ?? 10_000);
const SECONDS = Number(process.env.SECONDS ?? 10);
const DEVICES_PER_USER = 16;

interface DeviceLogin {
  credential: string;
  etag: string;
}

async function enrollDevices(store: Store): Promise<string[]> {
  const now = Date.now();
  const { org } = await initOrg(store, 'Bench Org', { email: 'admin@bench.test', name: 'Bench Admin' }, now);
  const credentials: string[] = [];
  for (let u = 0; u < Math.ceil(DEVICES / DEVICES_PER_USER); u++) {
    const user = newUser({ orgId: org.id, email: `user${u}@bench.test`, name: `User ${u}`, role: 'user' }, now);
    await store.createUser(user);
    const userId = user.id;
    for (let d = 0; d < DEVICES_PER_USER && credentials.length < DEVICES; d++) {
      const id = randomToken(12);
      const { credential, hash } = newDeviceCredential(id);
      await store.createDevice({
        id, orgId: org.id, userId, name: `device ${credentials.length}`, credentialHash: hash,
        fingerprint: { os: 'linux', appVersion: '0.1.0' }, policyVersion: null, enrolledAt: now, lastSeenAt: null, revokedAt: null,
      });
      credentials.push(credential);
    }
  }
  return credentials;
}

/** Starts the built portal as its own process and resolves its URL once it listens. */
async function startPortalProcess(bundle: string, dataDir: string, databaseUrl: string | undefined, port: number) {
  const child = spawn(process.execPath, [bundle, 'serve', '--data-dir', dataDir, '--port', String(port)], {
    env: { ...process.env, WAYGATE_LOG_LEVEL: 'warn', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATABASE_URL: '' }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return { url, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('the portal did not start');
}

async function primeEtags(url: string, credentials: string[]): Promise<DeviceLogin[]> {
  const logins: DeviceLogin[] = [];
  for (let i = 0; i < credentials.length; i += 64) {
    const batch = credentials.slice(i, i + 64);
    const etags = await Promise.all(
      batch.map(async (credential) => {
        const res = await fetch(`${url}/api/v1/device/config`, { headers: { authorization: `Bearer ${credential}` } });
        await res.arrayBuffer();
        const etag = res.headers.get('etag');
        if (res.status !== 200 || !etag) throw new Error(`priming: HTTP ${res.status}`);
        return etag;
      }),
    );
    batch.forEach((credential, j) => logins.push({ credential, etag: etags[j]! }));
  }
  return logins;
}

async function writeScript(dir: string, logins: DeviceLogin[], withEtag: boolean): Promise<string> {
  const table = logins.map((l) => `{${JSON.stringify(l.credential)},${JSON.stringify(l.etag)}}`).join(',\n');
  const path = join(dir, `config-${withEtag ? '304' : '200'}.lua`);
  await writeFile(
    path,
    `local devices = {\n${table}\n}
local n = #devices
local i = 0
setup = function(thread) thread:set("offset", math.random(n)) end
init = function() i = tonumber(offset) or 0 end
request = function()
  i = i % n + 1
  local d = devices[i]
  local headers = { ["Authorization"] = "Bearer " .. d[1]${withEtag ? ', ["If-None-Match"] = d[2]' : ''} }
  return wrk.format("GET", "/api/v1/device/config", headers)
end
`,
  );
  return path;
}

/** The floor: fastify answering 304 when the ETag matches, with no auth, store or policy work. */
async function startBaseline(logins: DeviceLogin[]) {
  const etags = new Map(logins.map((l) => [l.credential, l.etag]));
  const app = Fastify({ logger: false });
  app.get('/api/v1/device/config', (request, reply) => {
    const credential = (request.headers.authorization ?? '').slice('Bearer '.length);
    const etag = etags.get(credential);
    if (etag && request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.code(200).send({ etag });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, close: () => app.close() };
}

function row(name: string, r: WrkResult): string {
  return `| ${name} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.non2xx3xx} |`;
}

const bundle = await buildPortalBundle();
const rows: string[] = [];
const backends: { name: string; databaseUrl?: string; drop?: () => Promise<void> }[] = [{ name: 'SQLite' }];
if (process.env.WAYGATE_TEST_DATABASE_URL) {
  const db = await createTestDatabase(process.env.WAYGATE_TEST_DATABASE_URL);
  backends.push({ name: 'PostgreSQL', databaseUrl: db.url, drop: () => db.drop() });
} else {
  console.warn('PostgreSQL skipped: set WAYGATE_TEST_DATABASE_URL (eval "$(bash scripts/ci-postgres.sh)")');
}

let baselineDone = false;
for (const [index, backend] of backends.entries()) {
  const tmp = await tempDir('bench-portal');
  const store = await openStore({ dataDir: tmp.dir, databaseUrl: backend.databaseUrl });
  console.log(`${backend.name}: enrolling ${DEVICES} devices…`);
  const credentials = await enrollDevices(store);
  await store.close();
  const portal = await startPortalProcess(bundle, tmp.dir, backend.databaseUrl, 18_400 + index);
  try {
    const logins = await primeEtags(portal.url, credentials);
    const script304 = await writeScript(tmp.dir, logins, true);
    const script200 = await writeScript(tmp.dir, logins, false);
    if (!baselineDone) {
      const baseline = await startBaseline(logins);
      rows.push(row('bare fastify 304 (floor)', await wrk(baseline.url, script304, { seconds: SECONDS })));
      await baseline.close();
      baselineDone = true;
    }
    rows.push(row(`portal ${backend.name} 304`, await wrk(portal.url, script304, { seconds: SECONDS })));
    rows.push(row(`portal ${backend.name} 200`, await wrk(portal.url, script200, { seconds: SECONDS })));
  } finally {
    portal.child.kill('SIGTERM');
    await new Promise((r) => portal.child.once('exit', r));
    await backend.drop?.();
    await tmp.cleanup();
  }
}

console.log(`\n${DEVICES} devices, wrk -t2 -c64 -d${SECONDS}s\n| server | req/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|`);
for (const line of rows) console.log(line);
