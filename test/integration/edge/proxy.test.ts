/**
 * The edge's forward proxy with curl as the client, a real portal minting the edge tokens, and
 * origins on loopback. One proxy has an access rule allowing 127.0.0.1/32 so requests can reach the
 * test origins; the other has no rules and must refuse every way of naming loopback or link-local.
 */
import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { JwksCache } from '../../../cloud/edge/auth/jwks-cache.js';
import { verifyEdgeToken } from '../../../cloud/edge/auth/verify-token.js';
import type { AccessLogEntry } from '../../../cloud/edge/proxy/access-log.js';
import { createForwardProxy, shutdownForwardProxy, type ProxyServer } from '../../../cloud/edge/proxy/server.js';
import { createEdgeMetrics } from '../../../cloud/edge/metrics.js';
import type { AccessPolicy } from '../../../protocol/policy.js';
import { EdgeTokenResponse, type DeviceTokenResponse } from '../../../protocol/portal.js';
import { curl, response } from '../../support/curl.js';
import { deviceCall, enrollDevice } from '../../support/portal-device.js';
import { startTestPortal, type TestPortal } from '../../support/portal.js';
import { REFUSED_PORT } from '../../support/refused-port.js';

const run = promisify(execFile);

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  length: number;
  sha256: string;
}

let dir: string;
let portal: TestPortal;
let device: DeviceTokenResponse;
let token: string;
let cache: JwksCache;
let origin: Server;
let originPort: number;
let tlsOrigin: Server;
let tlsPort: number;
let cacert: string;
const seen: Seen[] = [];
/** Requests the origin received for `/hang` and never answers. */
const hanging: IncomingMessage[] = [];
const proxies: { url: string; server: ProxyServer; log: AccessLogEntry[] }[] = [];
let open: (typeof proxies)[number];
let strict: (typeof proxies)[number];

const NAMES: Record<string, string[]> = { 'origin.test': ['127.0.0.1'], 'rebind.test': ['93.184.215.14', '127.0.0.1'] };

async function listen(server: Server | ProxyServer): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** An access policy whose one rule allows `cidrs` explicitly (lifting the SSRF guard there), else allows all. */
function allowing(cidrs: string[]): AccessPolicy {
  const rules = cidrs.length === 0 ? [] : [{ id: 'test-origins', action: 'allow' as const, users: [], groups: [], domains: [], cidrs, ports: [] }];
  return { defaultAction: 'allow', rules };
}

async function startProxy(access: AccessPolicy): Promise<(typeof proxies)[number]> {
  const log: AccessLogEntry[] = [];
  const server = createForwardProxy({
    verify: (t) => verifyEdgeToken(t, cache, { issuer: portal.url, now: portal.clock.now }),
    resolve: (host) => {
      const addresses = NAMES[host];
      return addresses === undefined ? Promise.reject(new Error(`ENOTFOUND ${host}`)) : Promise.resolve(addresses);
    },
    rules: () => ({ access, edgeOwnCidrs: [] }),
    logger: { warn: () => undefined },
    accessLog: (entry) => log.push(entry),
    metrics: createEdgeMetrics({ processMetrics: false }),
    limits: { connectTimeoutMs: 2_000 },
  });
  const proxy = { url: `http://127.0.0.1:${await listen(server)}`, server, log };
  proxies.push(proxy);
  return proxy;
}

const bearer = (t = token) => ['--proxy-header', `Proxy-Authorization: Bearer ${t}`];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'waygate-edge-proxy-'));
  cacert = join(dir, 'cert.pem');
  await run('openssl', ['req', '-x509', '-newkey', 'ed25519', '-nodes', '-days', '1', '-subj', '/CN=origin.test', '-addext', 'subjectAltName=DNS:origin.test',
    '-keyout', join(dir, 'key.pem'), '-out', cacert]);

  const handler = (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    if (req.url === '/hang') {
      hanging.push(req);
      return;
    }
    const hash = createHash('sha256');
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      length += chunk.length;
    });
    req.on('end', () => {
      const entry: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, length, sha256: hash.digest('hex') };
      seen.push(entry);
      res.setHeader('connection', 'x-origin-secret');
      res.setHeader('x-origin-secret', 'hop');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(entry));
    });
  };
  origin = createHttpServer(handler);
  originPort = await listen(origin);
  tlsOrigin = createHttpsServer({ key: await readFile(join(dir, 'key.pem')), cert: await readFile(cacert) }, handler);
  tlsPort = await listen(tlsOrigin);

  portal = await startTestPortal();
  device = await enrollDevice(portal);
  const res = await deviceCall(portal, device.device_credential, 'POST', 'edge-token');
  expect(res.status).toBe(200);
  token = EdgeTokenResponse.parse(res.json).token;
  cache = await JwksCache.open({ portalUrl: portal.url, onError: () => undefined });

  open = await startProxy(allowing(['127.0.0.1/32']));
  strict = await startProxy(allowing([]));
});

afterAll(async () => {
  for (const proxy of proxies) await shutdownForwardProxy(proxy.server, 1_000);
  origin?.close();
  tlsOrigin?.close();
  await portal?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('forward proxy: plain HTTP', () => {
  it('forwards an absolute-form GET without the proxy credentials or hop-by-hop headers, and logs who asked', async () => {
    const r = await curl(['-i', '-x', open.url, ...bearer(), '-H', 'Connection: x-client-secret', '-H', 'X-Client-Secret: hop', '-H', 'X-Kept: yes',
      `http://127.0.0.1:${originPort}/hello?x=1`]);
    expect(r.stderr).toBe('');
    const { status, headers, body } = response(r.stdout);
    expect(status).toBe(200);
    const got = JSON.parse(body) as Seen;
    expect(got).toMatchObject({ method: 'GET', url: '/hello?x=1' });
    expect(got.headers).toMatchObject({ host: `127.0.0.1:${originPort}`, 'x-kept': 'yes' });
    for (const name of ['proxy-authorization', 'proxy-connection', 'x-client-secret']) expect(got.headers).not.toHaveProperty(name);
    expect(headers.map(([name]) => name)).not.toContain('x-origin-secret');
    await vi.waitFor(() => expect(open.log.at(-1)).toMatchObject({
      device: device.device_id,
      user: 'user@example.test',
      method: 'GET',
      host: '127.0.0.1',
      port: originPort,
      status: 200,
      bytesUp: 0,
      bytesDown: Buffer.byteLength(body),
      action: 'allow',
    }));
    expect(open.log.at(-1)?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('streams a large POST body up and the answer down, and keeps the client connection alive', async () => {
    const payload = Buffer.alloc(4 * 1024 * 1024, 'waygate');
    const file = join(dir, 'payload.bin');
    await writeFile(file, payload);
    const url = `http://origin.test:${originPort}/upload`;
    const r = await curl(['-v', '-x', open.url, ...bearer(), '--data-binary', `@${file}`, url, '--next', '-x', open.url, ...bearer(), url]);
    expect(r.exit).toBe(0);
    const [first] = r.stdout.split('}{').map((part, i, all) => (i === 0 ? `${part}}` : i === all.length - 1 ? `{${part}` : `{${part}}`));
    expect(JSON.parse(first ?? '')).toMatchObject({ method: 'POST', length: payload.length, sha256: createHash('sha256').update(payload).digest('hex') });
    expect(r.stderr).toMatch(/Re-using existing connection/);
    await vi.waitFor(() => expect(open.log.find((e) => e.method === 'POST')).toMatchObject({ host: 'origin.test', bytesUp: payload.length, status: 200 }));
  });

  it('closes the upstream connection when the client leaves before the answer', async () => {
    const r = await curl(['-x', open.url, ...bearer(), '--max-time', '1', `http://127.0.0.1:${originPort}/hang`]);
    expect(r.exit).not.toBe(0);
    expect(hanging).toHaveLength(1);
    await vi.waitFor(() => expect(hanging[0]?.socket.destroyed).toBe(true));
  });

  it('accepts the token as the Basic password', async () => {
    const r = await curl(['-x', open.url, '--proxy-user', `uma:${token}`, `http://127.0.0.1:${originPort}/basic`]);
    expect(r.exit).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ url: '/basic' });
  });

  it('answers a request for itself (origin-form) with 400', async () => {
    const r = await curl(['-i', '-H', `Proxy-Authorization: Bearer ${token}`, `${open.url}/`]);
    const { status, body } = response(r.stdout);
    expect(status).toBe(400);
    expect(JSON.parse(body)).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('answers 502 with a reason when the destination does not accept the connection', async () => {
    const r = await curl(['-i', '-x', open.url, ...bearer(), `http://127.0.0.1:${REFUSED_PORT}/`]);
    const { status, body } = response(r.stdout);
    expect(status).toBe(502);
    expect(JSON.parse(body)).toMatchObject({ code: 'UPSTREAM_UNREACHABLE', message: expect.stringContaining(`127.0.0.1:${REFUSED_PORT}`) });
  });
});

describe('forward proxy: CONNECT', () => {
  it('tunnels HTTPS end to end to a name the edge resolves itself', async () => {
    const r = await curl(['-x', open.url, ...bearer(), '--cacert', cacert, `https://origin.test:${tlsPort}/secure`]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ method: 'GET', url: '/secure', headers: { host: `origin.test:${tlsPort}` } });
    await vi.waitFor(() => {
      const entry = open.log.find((e) => e.method === 'CONNECT' && e.status === 200);
      expect(entry).toMatchObject({ device: device.device_id, user: 'user@example.test', host: 'origin.test', port: tlsPort, action: 'allow' });
      expect(entry?.bytesUp).toBeGreaterThan(0);
      expect(entry?.bytesDown).toBeGreaterThan(0);
    });
  });
});

describe('forward proxy: graceful shutdown', () => {
  it('stops accepting, lets an open tunnel carry on, and cuts it after the grace period', async () => {
    const proxy = await startProxy(allowing(['127.0.0.1/32']));
    const port = Number(new URL(proxy.url).port);
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.write(`CONNECT 127.0.0.1:${originPort} HTTP/1.1\r\nHost: 127.0.0.1:${originPort}\r\nProxy-Authorization: Bearer ${token}\r\n\r\n`);
    await vi.waitFor(() => expect(received).toContain('200 Connection Established\r\n\r\n'));

    const started = Date.now();
    const shutdown = shutdownForwardProxy(proxy.server, 500);
    expect((await curl(['-x', proxy.url, ...bearer(), `http://127.0.0.1:${originPort}/late`])).exit).not.toBe(0);
    socket.write(`GET /inside HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await vi.waitFor(() => expect(received).toContain('/inside'));
    await shutdown;
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    await vi.waitFor(() => expect(socket.destroyed || socket.readableEnded).toBe(true));
    socket.destroy();
    proxies.splice(proxies.indexOf(proxy), 1);
  });
});

describe('forward proxy: authentication', () => {
  const stranger = async () =>
    new SignJWT({ org: 'o', user: 'mallory@example.test', groups: [] })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'not-a-portal-key' })
      .setIssuer(portal.url)
      .setAudience('waygate-edge')
      .setSubject('dev-mallory')
      .setIssuedAt(Math.floor(portal.clock.now / 1000))
      .setExpirationTime(Math.floor(portal.clock.now / 1000) + 600)
      .sign(generateKeyPairSync('ed25519').privateKey);

  it.each([
    ['no token', () => Promise.resolve([] as string[]), 'TOKEN_MISSING'],
    ['a garbage token', () => Promise.resolve(bearer('garbage')), 'TOKEN_MALFORMED'],
    ['a token signed by an unknown key', async () => bearer(await stranger()), 'TOKEN_UNKNOWN_KEY'],
  ])('refuses %s with 407, the challenges and the reason', async (_name, auth, code) => {
    const before = seen.length;
    const r = await curl(['-i', '-x', open.url, ...(await auth()), `http://127.0.0.1:${originPort}/`]);
    const { status, headers, body } = response(r.stdout);
    expect(status).toBe(407);
    const challenges = headers.filter(([name]) => name === 'proxy-authenticate').map(([, value]) => value);
    expect(challenges).toEqual([expect.stringMatching(/^Bearer realm="waygate"/), 'Basic realm="waygate"']);
    expect(headers).toContainEqual(['connection', 'close']);
    expect(JSON.parse(body)).toMatchObject({ code, message: expect.any(String) });
    expect(seen.length).toBe(before);
    expect(open.log.at(-1)).toMatchObject({ device: null, status: 407, action: 'block', code });

    const tunnel = await curl(['-x', open.url, ...(await auth()), '-w', '%{http_connect}', '--cacert', cacert, `https://origin.test:${tlsPort}/`]);
    expect(tunnel.exit).not.toBe(0);
    expect(tunnel.stdout).toBe('407');
  });
});

describe('forward proxy: refusing before the body', () => {
  it('answers 407 to an unauthenticated POST without inviting its body (Expect: 100-continue)', async () => {
    const file = join(dir, 'big.bin');
    await writeFile(file, Buffer.alloc(2 * 1024 * 1024, 1));
    const r = await curl(['-i', '-x', open.url, '-H', 'Expect: 100-continue', '--data-binary', `@${file}`, `http://127.0.0.1:${originPort}/upload`]);
    expect(response(r.stdout).status).toBe(407);
    expect(r.stdout).not.toContain('100 Continue');
    expect(open.log.at(-1)).toMatchObject({ status: 407, bytesUp: 0 });
  });
});

describe('forward proxy: no SSRF', () => {
  it.each([
    ['127.0.0.1', 'http://127.0.0.1:PORT/'],
    ['[::1]', 'http://[::1]:PORT/'],
    ['0x7f000001', 'http://0x7f000001:PORT/'],
    ['169.254.169.254', 'http://169.254.169.254/latest/meta-data/'],
    ['a name that resolves to loopback', 'http://rebind.test:PORT/'],
  ])('refuses %s with 403 when policy does not allow it', async (_name, template) => {
    const url = template.replace('PORT', String(originPort));
    const before = seen.length;
    const r = await curl(['-g', '-i', '-x', strict.url, ...bearer(), url]);
    const { status, body } = response(r.stdout);
    expect(status).toBe(403);
    expect(JSON.parse(body)).toMatchObject({ code: 'DESTINATION_FORBIDDEN', message: expect.any(String) });
    expect(seen.length).toBe(before);
    expect(strict.log.at(-1)).toMatchObject({ device: device.device_id, status: 403, action: 'block', code: 'DESTINATION_FORBIDDEN' });
  });

  it('refuses CONNECT to loopback with 403', async () => {
    const r = await curl(['-x', strict.url, ...bearer(), '-w', '%{http_connect}', '--cacert', cacert, `https://origin.test:${tlsPort}/`]);
    expect(r.exit).not.toBe(0);
    expect(r.stdout).toBe('403');
  });
});
