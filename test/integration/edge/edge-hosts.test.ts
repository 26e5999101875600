/**
 * `waygate-edge --hosts FILE` end to end: a name from the hosts file reaches the address it maps to
 * without DNS, and the SSRF guard still judges that address — loopback only with an allow rule that
 * names a CIDR covering it. A bad line stops the edge at start, naming the line.
 */
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EdgeTokenResponse } from '../../../protocol/portal.js';
import { DEFAULT_POLICY, type AccessRule, type PolicyDocument } from '../../../protocol/policy.js';
import { EDGE_BUNDLE } from '../../../scripts/build-edge.js';
import { curl, response } from '../../support/curl.js';
import { startEdgeProcess, type EdgeProcess } from '../../support/edge-process.js';
import { deviceCall, enrollDevice } from '../../support/portal-device.js';
import { signIn, type BrowserSession } from '../../support/portal-sign-in.js';
import { startTestPortal, type TestPortal } from '../../support/portal.js';
import { spawnBundle, stopProcess, tempDir } from '../../support/waygate-process.js';

const EDGE_KEY = 'edge-key-for-tests-0123456789abcdef-host';

let tmp: { dir: string; cleanup: () => Promise<void> };
let portal: TestPortal;
let admin: BrowserSession;
let token: string;
let edge: EdgeProcess;
let origin: Server;
let originPort: number;
let hostsFile: string;
let policyVersion = 1;
const seen: string[] = [];

async function putPolicy(rules: AccessRule[]): Promise<void> {
  const document: PolicyDocument = { ...DEFAULT_POLICY, access: { defaultAction: 'allow', rules } };
  const res = await admin.json('PUT', '/api/v1/admin/policy', { document, comment: 'hosts test', baseVersion: policyVersion });
  expect(res.status).toBe(200);
  policyVersion += 1;
}

/** Resolves once the edge enforces the policy version the portal last published. */
async function edgeHasCurrentPolicy(): Promise<void> {
  await vi.waitFor(async () => expect(await (await fetch(`${edge.metricsUrl}/healthz`)).json()).toMatchObject({ ready: true, policyVersion }), { timeout: 10_000 });
}

const viaEdge = (url: string) => curl(['-i', '-x', edge.proxyUrl, '--proxy-header', `Proxy-Authorization: Bearer ${token}`, url]);

beforeAll(async () => {
  tmp = await tempDir('edge-hosts');
  origin = createServer((req, res) => {
    seen.push(req.url ?? '');
    res.end(`origin saw ${req.headers.host ?? ''}`);
  });
  origin.listen(0, '127.0.0.1');
  await once(origin, 'listening');
  originPort = (origin.address() as AddressInfo).port;
  hostsFile = join(tmp.dir, 'hosts');
  await writeFile(hostsFile, '# names only this edge knows\n127.0.0.1  origin.test\n');

  portal = await startTestPortal({ edgeKey: EDGE_KEY });
  admin = await signIn(portal, portal.admin);
  const device = await enrollDevice(portal);
  const res = await deviceCall(portal, device.device_credential, 'POST', 'edge-token');
  token = EdgeTokenResponse.parse(res.json).token;
  edge = await startEdgeProcess({ portalUrl: portal.url, edgeKey: EDGE_KEY, stateDir: join(tmp.dir, 'edge'), args: ['--hosts', hostsFile, '--policy-interval', '0.2'] });
});

afterAll(async () => {
  if (edge) await stopProcess(edge.proc);
  origin?.close();
  await portal?.close();
  await tmp?.cleanup();
});

describe('waygate-edge --hosts', () => {
  it('reaches a loopback origin by a name from the hosts file when an allow rule names its CIDR, and refuses it without', async () => {
    await putPolicy([{ id: 'loopback-origin', action: 'allow', users: [], groups: [], domains: [], cidrs: ['127.0.0.0/8'], ports: [] }]);
    await edgeHasCurrentPolicy();
    const allowed = response((await viaEdge(`http://origin.test:${originPort}/mapped`)).stdout);
    expect(allowed.status).toBe(200);
    expect(allowed.body).toBe(`origin saw origin.test:${originPort}`);
    expect(seen).toEqual(['/mapped']);

    await putPolicy([]);
    await edgeHasCurrentPolicy();
    const refused = response((await viaEdge(`http://origin.test:${originPort}/guarded`)).stdout);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'DESTINATION_FORBIDDEN' });
    expect(seen).toEqual(['/mapped']);
  });

  it('refuses to start on a bad line, naming the file and the line', async () => {
    const bad = join(tmp.dir, 'bad-hosts');
    await writeFile(bad, '127.0.0.1 ok.test\norigin.test 127.0.0.1\n');
    const proc = spawnBundle(EDGE_BUNDLE, ['serve', '--listen', '127.0.0.1:0', '--metrics-listen', '', '--portal-url', portal.url, '--state-dir', join(tmp.dir, 'bad-edge'), '--hosts', bad], {
      WAYGATE_EDGE_KEY: EDGE_KEY,
    });
    expect((await proc.exited).code).toBe(1);
    expect(proc.stderr()).toContain(`waygate-edge: ${bad}, line 2 ("origin.test 127.0.0.1"): "origin.test" is not an IP address`);
  });
});
