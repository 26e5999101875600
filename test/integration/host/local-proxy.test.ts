/**
 * The local proxy in front of the real `waygate-edge`, with a real portal minting the device's edge
 * token and curl as the app: plain HTTP to `http://origin.test/` and HTTPS through CONNECT, over the
 * edge's plain loopback listener (`PROXY`) and its TLS listener (`HTTPS`). curl sends no credentials
 * and never sees a 407; the edge's access log names the device. A dead first proxy in the PAC is
 * skipped; /proxy.pac is served.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalProxy, type LocalProxy } from '../../../host/proxy/local-proxy.js';
import { DEFAULT_POLICY, type PolicyDocument } from '../../../protocol/policy.js';
import { EdgeTokenResponse, type DeviceTokenResponse } from '../../../protocol/portal.js';
import { curl, response } from '../../support/curl.js';
import { startEdgeProcess, type EdgeProcess } from '../../support/edge-process.js';
import { deviceCall, enrollDevice } from '../../support/portal-device.js';
import { signIn } from '../../support/portal-sign-in.js';
import { startTestPortal, type TestPortal } from '../../support/portal.js';
import { REFUSED_PORT } from '../../support/refused-port.js';
import { stopProcess, tempDir } from '../../support/waygate-process.js';
import { silentLogger } from '../../fakes/logger.js';

const run = promisify(execFile);
const EDGE_KEY = 'edge-key-for-local-proxy-tests-0123456789';

let tmp: { dir: string; cleanup: () => Promise<void> };
let portal: TestPortal;
let device: DeviceTokenResponse;
let token: string;
let edge: EdgeProcess;
let origin: Server;
let originPort: number;
let tlsOrigin: TlsServer;
let tlsOriginPort: number;
let cacert: string;
let local: LocalProxy;
let pac = '';
const originSeen: string[] = [];

async function listen(server: Server | TlsServer): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** host:port of the edge's plain and TLS listeners, as PAC answers name them. */
const plainEdge = () => `PROXY ${new URL(edge.proxyUrl).host}`;
const tlsEdge = () => `HTTPS ${new URL(edge.tlsProxyUrl ?? '').host}`;

function usePac(answer: string): void {
  pac = `function FindProxyForURL(url, host) {
  if (isPlainHostName(host)) return "DIRECT";
  if (dnsDomainIs(host, ".test")) return "${answer}";
  return "DIRECT";
}`;
  local.policyChanged();
}

/** curl through the local proxy, with no credentials of its own. */
const viaLocal = (url: string) => curl(['-i', '--suppress-connect-headers', '-x', `http://127.0.0.1:${local.port}`, '--cacert', cacert, url]);

beforeAll(async () => {
  tmp = await tempDir('local-proxy');
  cacert = join(tmp.dir, 'cert.pem');
  const keyFile = join(tmp.dir, 'key.pem');
  await run('openssl', ['req', '-x509', '-newkey', 'ed25519', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:secure.test', '-keyout', keyFile, '-out', cacert]);
  origin = createServer((req, res) => {
    originSeen.push(`${req.headers.host ?? ''}${req.url ?? ''} ${req.headers['proxy-authorization'] ?? 'no-credentials'}`);
    req.resume();
    res.end(`hello from origin.test: ${req.url ?? ''}`);
  });
  originPort = await listen(origin);
  const [key, cert] = await Promise.all([readFile(keyFile), readFile(cacert)]);
  tlsOrigin = createTlsServer({ key, cert }, (_req, res) => res.end('hello from secure.test'));
  tlsOriginPort = await listen(tlsOrigin);
  const hostsFile = join(tmp.dir, 'edge-hosts');
  await writeFile(hostsFile, '127.0.0.1 origin.test secure.test\n');

  portal = await startTestPortal({ edgeKey: EDGE_KEY });
  const admin = await signIn(portal, portal.admin);
  const document: PolicyDocument = {
    ...DEFAULT_POLICY,
    access: {
      defaultAction: 'allow',
      rules: [{ id: 'test-origins', action: 'allow', users: [], groups: [], domains: [], cidrs: ['127.0.0.1/32'], ports: [{ from: originPort, to: originPort }, { from: tlsOriginPort, to: tlsOriginPort }] }],
    },
  };
  expect((await admin.json('PUT', '/api/v1/admin/policy', { document, comment: 'local proxy test', baseVersion: 1 })).status).toBe(200);
  device = await enrollDevice(portal);
  token = EdgeTokenResponse.parse((await deviceCall(portal, device.device_credential, 'POST', 'edge-token')).json).token;
  edge = await startEdgeProcess({
    portalUrl: portal.url,
    edgeKey: EDGE_KEY,
    stateDir: join(tmp.dir, 'edge'),
    args: ['--tls-listen', '127.0.0.1:0', '--tls-cert', cacert, '--tls-key', keyFile, '--hosts', hostsFile, '--policy-interval', '0.2'],
  });
  await vi.waitFor(async () => expect((await fetch(`${edge.metricsUrl}/healthz`)).status).toBe(200), { timeout: 10_000 });
  local = await startLocalProxy({ port: 0, pac: () => pac, failOpen: () => false, token: () => token, tls: { ca: cert }, logger: silentLogger, resolve: () => Promise.resolve(null) });
});

afterAll(async () => {
  await local?.close();
  if (edge) await stopProcess(edge.proc);
  origin?.closeAllConnections();
  origin?.close();
  tlsOrigin?.close();
  await portal?.close();
  await tmp?.cleanup();
});

describe.each([
  ['the plain loopback listener (PROXY)', plainEdge],
  ['the TLS listener (HTTPS)', tlsEdge],
])('local proxy → edge over %s', (_name, answer) => {
  beforeAll(() => usePac(answer()));

  it('forwards http://origin.test/ with the device token; curl sees the page, no 407', async () => {
    const path = `/page-${answer().split(' ')[0]}`;
    const r = response((await viaLocal(`http://origin.test:${originPort}${path}`)).stdout);
    expect(r.status).toBe(200);
    expect(r.body).toBe(`hello from origin.test: ${path}`);
    // The edge resolved origin.test and stripped the credentials before the origin.
    expect(originSeen).toContain(`origin.test:${originPort}${path} no-credentials`);
    await vi.waitFor(async () =>
      expect((await edge.accessLog()).find((entry) => entry.method === 'GET' && entry.host === 'origin.test' && entry.status === 200)).toMatchObject({
        device: device.device_id,
        user: 'user@example.test',
        action: 'allow',
      }),
    );
  });

  it('tunnels HTTPS to secure.test through CONNECT, end to end', async () => {
    const r = response((await viaLocal(`https://secure.test:${tlsOriginPort}/`)).stdout);
    expect(r.status).toBe(200);
    expect(r.body).toBe('hello from secure.test');
    await vi.waitFor(async () =>
      expect((await edge.accessLog()).find((entry) => entry.method === 'CONNECT' && entry.host === 'secure.test')).toMatchObject({ device: device.device_id, status: 200, action: 'allow' }),
    );
  });
});

describe('local proxy → edge: fallback, refusals and its PAC', () => {
  it('skips a dead first proxy and reaches the edge named second', async () => {
    usePac(`HTTPS 127.0.0.1:${REFUSED_PORT}; ${tlsEdge()}`);
    const r = response((await viaLocal(`http://origin.test:${originPort}/fallback`)).stdout);
    expect(r).toMatchObject({ status: 200, body: 'hello from origin.test: /fallback' });
    const https = response((await viaLocal(`https://secure.test:${tlsOriginPort}/`)).stdout);
    expect(https).toMatchObject({ status: 200, body: 'hello from secure.test' });
    expect((await local.explain(`http://origin.test:${originPort}/`)).tryOrder).toEqual([tlsEdge(), `HTTPS 127.0.0.1:${REFUSED_PORT}`]);
  });

  it('passes the edge’s own refusal on (a loopback port no rule allows), for requests and CONNECT', async () => {
    usePac(plainEdge());
    const r = response((await viaLocal(`http://origin.test:${REFUSED_PORT}/`)).stdout);
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'DESTINATION_FORBIDDEN' });
    const tunnel = await curl(['-sS', '-o', '/dev/null', '-w', '%{http_connect}', '-x', `http://127.0.0.1:${local.port}`, `https://secure.test:${REFUSED_PORT}/`]);
    expect(tunnel.stdout).toBe('403');
  });

  it('turns the edge’s 407 for a bad token into a 502 with the edge’s reason', async () => {
    usePac(plainEdge());
    const good = token;
    token = 'not-a-token';
    try {
      const r = response((await viaLocal(`http://origin.test:${originPort}/bad-token`)).stdout);
      expect(r.status).toBe(502);
      expect(JSON.parse(r.body)).toMatchObject({ code: 'UNAUTHENTICATED', details: { edgeCode: 'TOKEN_MALFORMED' } });
    } finally {
      token = good;
    }
  });

  it('serves /proxy.pac pointing at itself', async () => {
    const r = response((await curl(['-i', local.pacUrl])).stdout);
    expect(r.status).toBe(200);
    expect(r.body).toContain(`return "PROXY 127.0.0.1:${local.port}";`);
  });
});
