/**
 * The real `waygate-edge` program wired to a real portal, with curl as the client: tokens from the
 * device API, policy from the edge API (block page vs 403, revocation), TLS listener, hostile input
 * while a well-behaved client keeps working, observability, and a restart while the portal is down.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EdgeTokenResponse, type DeviceTokenResponse } from '../../../protocol/portal.js';
import { DEFAULT_POLICY, type PolicyDocument } from '../../../protocol/policy.js';
import { curl, response } from '../../support/curl.js';
import { startEdgeProcess, type EdgeProcess } from '../../support/edge-process.js';
import { deviceCall, enrollDevice } from '../../support/portal-device.js';
import { signIn, type BrowserSession } from '../../support/portal-sign-in.js';
import { startTestPortal, type TestPortal } from '../../support/portal.js';
import { stopProcess, tempDir } from '../../support/waygate-process.js';

const run = promisify(execFile);
const EDGE_KEY = 'edge-key-for-tests-0123456789abcdef-edge';

let tmp: { dir: string; cleanup: () => Promise<void> };
let portal: TestPortal;
let admin: BrowserSession;
let device: DeviceTokenResponse;
let token: string;
let edge: EdgeProcess;
let origin: Server;
let originPort: number;
let tlsOrigin: Server;
let tlsOriginPort: number;
let blockedPort: number;
let cacert: string;
const seen: string[] = [];

async function edgeToken(credential: string): Promise<string> {
  const res = await deviceCall(portal, credential, 'POST', 'edge-token');
  expect(res.status).toBe(200);
  return EdgeTokenResponse.parse(res.json).token;
}

const bearer = (t = token) => ['--proxy-header', `Proxy-Authorization: Bearer ${t}`];

async function listen(server: Server | import('node:https').Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Raw bytes to the edge, and everything it answers until it closes the connection. */
async function rawExchange(text: string, url = edge.proxyUrl): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  socket.write(text);
  await once(socket, 'close');
  return answer;
}

beforeAll(async () => {
  tmp = await tempDir('edge-program');
  cacert = join(tmp.dir, 'edge-cert.pem');
  await run('openssl', ['req', '-x509', '-newkey', 'ed25519', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', join(tmp.dir, 'edge-key.pem'), '-out', cacert]);
  origin = createServer((req: IncomingMessage, res) => {
    seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
    req.resume();
    req.on('end', () => res.end(`hello from the origin: ${req.url ?? ''}`));
  });
  originPort = await listen(origin);
  const [key, cert] = await Promise.all([readFile(join(tmp.dir, 'edge-key.pem')), readFile(cacert)]);
  tlsOrigin = createTlsServer({ key, cert }, (_req, res) => res.end('secret hello'));
  tlsOriginPort = await listen(tlsOrigin);
  const other = createServer((_req, res) => res.end('should never be reached'));
  blockedPort = await listen(other);

  portal = await startTestPortal({ edgeKey: EDGE_KEY });
  admin = await signIn(portal, portal.admin);
  const document: PolicyDocument = {
    ...DEFAULT_POLICY,
    access: {
      defaultAction: 'allow',
      rules: [
        { id: 'no-casino', action: 'block', description: 'Gambling sites', users: [], groups: [], domains: ['.casino.test'], cidrs: [], ports: [] },
        { id: 'no-admin-port', action: 'block', users: [], groups: [], domains: [], cidrs: ['127.0.0.1/32'], ports: [{ from: blockedPort, to: blockedPort }] },
        // The test origins live on loopback: only an explicit CIDR rule lets the edge reach them.
        { id: 'test-origins', action: 'allow', users: [], groups: [], domains: [], cidrs: ['127.0.0.1/32'], ports: [{ from: originPort, to: originPort }, { from: tlsOriginPort, to: tlsOriginPort }] },
      ],
    },
  };
  expect((await admin.json('PUT', '/api/v1/admin/policy', { document, comment: 'edge test rules', baseVersion: 1 })).status).toBe(200);
  device = await enrollDevice(portal);
  token = await edgeToken(device.device_credential);
  edge = await startEdgeProcess({
    portalUrl: portal.url,
    edgeKey: EDGE_KEY,
    stateDir: join(tmp.dir, 'edge'),
    args: ['--tls-listen', '127.0.0.1:0', '--tls-cert', cacert, '--tls-key', join(tmp.dir, 'edge-key.pem'), '--policy-interval', '0.2', '--head-timeout', '1', '--connections-per-device', '4'],
  });
  await vi.waitFor(async () => expect((await fetch(`${edge.metricsUrl}/healthz`)).status).toBe(200), { timeout: 10_000 });
});

afterAll(async () => {
  if (edge) await stopProcess(edge.proc);
  origin?.close();
  tlsOrigin?.close();
  await portal?.close();
  await tmp?.cleanup();
});

describe('waygate-edge: forwarding with curl', () => {
  it('forwards plain HTTP and logs device, user, rule and bytes as a JSON line', async () => {
    const r = await curl(['-x', edge.proxyUrl, ...bearer(), `http://127.0.0.1:${originPort}/plain`]);
    expect(r.stdout).toBe('hello from the origin: /plain');
    await vi.waitFor(async () =>
      expect((await edge.accessLog()).find((entry) => entry.port === originPort && entry.method === 'GET')).toMatchObject({
        device: device.device_id,
        user: 'user@example.test',
        host: '127.0.0.1',
        status: 200,
        action: 'allow',
        ruleId: 'test-origins',
        bytesDown: r.stdout.length,
      }),
    );
  });

  it('tunnels HTTPS over CONNECT, on the plain and on the TLS listener', async () => {
    const plain = await curl(['-x', edge.proxyUrl, ...bearer(), '--cacert', cacert, `https://127.0.0.1:${tlsOriginPort}/`]);
    expect(plain.stdout).toBe('secret hello');
    const overTls = await curl(['--proxy', edge.tlsProxyUrl ?? '', '--proxy-cacert', cacert, ...bearer(), '--cacert', cacert, `https://127.0.0.1:${tlsOriginPort}/`]);
    expect(overTls.stderr).toBe('');
    expect(overTls.stdout).toBe('secret hello');
    await vi.waitFor(async () => expect((await edge.accessLog()).filter((entry) => entry.method === 'CONNECT' && entry.status === 200)).toHaveLength(2));
  });
});

describe('waygate-edge: authentication', () => {
  it('refuses a missing, expired and unknown-key token with 407 and the reason', async () => {
    portal.clock.advance(-2 * 60 * 60 * 1000);
    const expired = await edgeToken(device.device_credential);
    portal.clock.advance(2 * 60 * 60 * 1000);
    const stranger = await new SignJWT({ org: 'o', user: 'mallory@example.test', groups: [] })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'not-a-portal-key' })
      .setIssuer(portal.url)
      .setAudience('waygate-edge')
      .setSubject('dev-mallory')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(generateKeyPairSync('ed25519').privateKey);
    for (const [auth, code] of [[[], 'TOKEN_MISSING'], [bearer(expired), 'TOKEN_EXPIRED'], [bearer(stranger), 'TOKEN_UNKNOWN_KEY']] as const) {
      const r = await curl(['-i', '-x', edge.proxyUrl, ...auth, `http://127.0.0.1:${originPort}/`]);
      const { status, body } = response(r.stdout);
      expect(status).toBe(407);
      expect(JSON.parse(body)).toMatchObject({ code });
    }
  });

  it('refuses the token of a device the admin revoked, from the next policy pull', async () => {
    const other = await enrollDevice(portal);
    const otherToken = await edgeToken(other.device_credential);
    expect((await curl(['-x', edge.proxyUrl, ...bearer(otherToken), `http://127.0.0.1:${originPort}/before`])).stdout).toContain('/before');
    expect((await admin.json('POST', `/api/v1/admin/devices/${other.device_id}/revoke`)).status).toBe(200);
    await vi.waitFor(async () => {
      const { status, body } = response((await curl(['-i', '-x', edge.proxyUrl, ...bearer(otherToken), `http://127.0.0.1:${originPort}/after`])).stdout);
      expect(status).toBe(407);
      expect(JSON.parse(body)).toMatchObject({ code: 'TOKEN_REVOKED' });
    });
    await curl(['-x', edge.proxyUrl, ...bearer(otherToken), `http://127.0.0.1:${originPort}/after-revocation`]);
    expect(seen).not.toContain('GET /after-revocation');
  });
});

describe('waygate-edge: policy', () => {
  it('shows browsers a block page naming the rule, without resolving the name', async () => {
    const r = await curl(['-i', '-x', edge.proxyUrl, ...bearer(), '-H', 'Accept: text/html,application/xhtml+xml', 'http://www.casino.test/']);
    const { status, headers, body } = response(r.stdout);
    expect(status).toBe(403);
    expect(headers).toContainEqual(['content-type', 'text/html; charset=utf-8']);
    expect(body).toContain('data-rule-id="no-casino"');
    expect(body).toContain('Gambling sites');
    expect(body).toContain('www.casino.test');
  });

  it('answers other clients 403 with the reason code and rule, also for CONNECT and by CIDR and port', async () => {
    const json = response((await curl(['-i', '-x', edge.proxyUrl, ...bearer(), 'http://www.casino.test/api'])).stdout);
    expect(json.status).toBe(403);
    expect(JSON.parse(json.body)).toMatchObject({ code: 'ACCESS_BLOCKED', details: { ruleId: 'no-casino' } });
    const tunnel = await curl(['-x', edge.proxyUrl, ...bearer(), '-w', '%{http_connect}', 'https://www.casino.test/']);
    expect(tunnel.stdout).toBe('403');
    const port = response((await curl(['-i', '-x', edge.proxyUrl, ...bearer(), `http://127.0.0.1:${blockedPort}/`])).stdout);
    expect(JSON.parse(port.body)).toMatchObject({ code: 'ACCESS_BLOCKED', details: { ruleId: 'no-admin-port' } });
  });

  it.each([
    ['127.0.0.1 on a port no rule allows', 'http://127.0.0.1:1/'],
    ['[::1]', 'http://[::1]/'],
    ['0x7f000001', 'http://0x7f000001:1/'],
    ['169.254.169.254', 'http://169.254.169.254/latest/meta-data/'],
    ['a name that resolves to loopback', 'http://localhost:1/'],
  ])('refuses %s (SSRF)', async (_name, url) => {
    // Port 1: the test policy explicitly allows loopback only on the origins' ports.
    const r = await curl(['-g', '-i', '-x', edge.proxyUrl, ...bearer(), url]);
    const { status, body } = response(r.stdout);
    expect(status).toBe(403);
    expect(JSON.parse(body)).toMatchObject({ code: 'DESTINATION_FORBIDDEN' });
  });
});

describe('waygate-edge: hostile input', () => {
  const good = async () => (await curl(['-x', edge.proxyUrl, ...bearer(), `http://127.0.0.1:${originPort}/still-fine`])).stdout;

  it('answers oversized headers and too many headers with 431 and closes', async () => {
    const huge = response((await curl(['-i', '-x', edge.proxyUrl, ...bearer(), '-H', `X-Big: ${'a'.repeat(20_000)}`, `http://127.0.0.1:${originPort}/`])).stdout);
    expect(huge.status).toBe(431);
    const many = Array.from({ length: 120 }, (_, i) => ['-H', `X-H${i}: v`]).flat();
    const counted = response((await curl(['-i', '-x', edge.proxyUrl, ...bearer(), ...many, `http://127.0.0.1:${originPort}/`])).stdout);
    expect(counted.status).toBe(431);
    expect(JSON.parse(counted.body)).toMatchObject({ code: 'REQUEST_TOO_LARGE' });
    expect(await good()).toBe('hello from the origin: /still-fine');
  });

  it('refuses conflicting Content-Length and Transfer-Encoding (no smuggling), and garbage, with 400', async () => {
    const before = seen.length;
    const smuggle = await rawExchange(
      `POST http://127.0.0.1:${originPort}/smuggle HTTP/1.1\r\nHost: 127.0.0.1\r\nProxy-Authorization: Bearer ${token}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET http://127.0.0.1:${originPort}/hidden HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    expect(smuggle).toMatch(/^HTTP\/1\.1 400 /);
    expect(smuggle).toContain('BAD_REQUEST');
    expect(await rawExchange('HELLO THERE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect(seen.slice(before)).toEqual([]);
    expect(await good()).toBe('hello from the origin: /still-fine');
  });

  it('closes a slowloris connection after the head timeout while others are served', async () => {
    const { hostname, port } = new URL(edge.proxyUrl);
    const slow: Socket = connect(Number(port), hostname);
    await once(slow, 'connect');
    slow.write(`GET http://127.0.0.1:${originPort}/slow HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
    const drip = setInterval(() => slow.write('X-Drip: 1\r\n'), 200);
    let answer = '';
    slow.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    try {
      expect(await good()).toBe('hello from the origin: /still-fine');
      await once(slow, 'close');
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(drip);
      slow.destroy();
    }
  });

  it('limits connections per device (429) and frees the slot when one closes', async () => {
    const { hostname, port } = new URL(edge.proxyUrl);
    const open: Socket[] = [];
    const tunnel = async () => {
      const socket = connect(Number(port), hostname);
      await once(socket, 'connect');
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      socket.write(`CONNECT 127.0.0.1:${originPort} HTTP/1.1\r\nHost: 127.0.0.1\r\nProxy-Authorization: Bearer ${token}\r\n\r\n`);
      await vi.waitFor(() => expect(answer).toMatch(/^HTTP\/1\.1 \d{3} /));
      open.push(socket);
      return answer;
    };
    try {
      for (let i = 0; i < 4; i++) expect(await tunnel()).toMatch(/^HTTP\/1\.1 200 /);
      expect(await tunnel()).toMatch(/^HTTP\/1\.1 429 [^]*TOO_MANY_CONNECTIONS/);
      open[0]?.destroy();
      await vi.waitFor(async () => expect(await tunnel()).toMatch(/^HTTP\/1\.1 200 /));
    } finally {
      for (const socket of open) socket.destroy();
    }
  });
});

describe('waygate-edge: observability', () => {
  it('serves /probe on the proxy listener without auth and without logging it', async () => {
    // Proxied requests with methods of their own mark the log before and after the probes.
    const marked = async (method: string) => {
      await curl(['-X', method, '-x', edge.proxyUrl, ...bearer(), `http://127.0.0.1:${originPort}/mark`]);
      await vi.waitFor(async () => expect((await edge.accessLog()).some((entry) => entry.method === method)).toBe(true));
      return (await edge.accessLog()).findIndex((entry) => entry.method === method);
    };
    const before = await marked('PUT');
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${edge.proxyUrl}/probe`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('ok\n');
    }
    expect(await marked('DELETE')).toBe(before + 1);
  });

  it('exports Prometheus metrics: requests, bytes, auth failures, blocks, latency, tunnels', async () => {
    const text = await (await fetch(`${edge.metricsUrl}/metrics`)).text();
    expect(text).toMatch(/waygate_edge_requests_total\{kind="http",action="allow",status="2xx"\} [1-9]/);
    expect(text).toMatch(/waygate_edge_auth_failures_total\{reason="TOKEN_MISSING"\} [1-9]/);
    expect(text).toMatch(/waygate_edge_blocks_total\{code="ACCESS_BLOCKED"\} [1-9]/);
    expect(text).toMatch(/waygate_edge_bytes_total\{direction="down"\} [1-9]/);
    expect(text).toMatch(/waygate_edge_request_duration_seconds_bucket\{le="0.005",kind="http"\} [1-9]/);
    expect(text).toContain('waygate_edge_active_tunnels{kind="connect"}');
    const health = await (await fetch(`${edge.metricsUrl}/healthz`)).json();
    expect(health).toMatchObject({ ready: true, problems: [], policyVersion: 2 });
  });
});

describe('waygate-edge: without the portal', () => {
  it('keeps enforcing the last good policy and keys, also after a restart while the portal is down', async () => {
    await portal.app.close();
    expect((await curl(['-x', edge.proxyUrl, ...bearer(), `http://127.0.0.1:${originPort}/portal-down`])).stdout).toContain('/portal-down');
    await stopProcess(edge.proc);
    edge = await startEdgeProcess({ portalUrl: portal.url, edgeKey: EDGE_KEY, stateDir: join(tmp.dir, 'edge') });
    expect((await curl(['-x', edge.proxyUrl, ...bearer(), `http://127.0.0.1:${originPort}/restarted`])).stdout).toContain('/restarted');
    const blocked = response((await curl(['-i', '-x', edge.proxyUrl, ...bearer(), 'http://www.casino.test/'])).stdout);
    expect(JSON.parse(blocked.body)).toMatchObject({ code: 'ACCESS_BLOCKED' });
  });
});
