/**
 * The local proxy on loopback with curl as the client, against stub upstream proxies and a stub
 * origin: multi-answer fallback past a dead proxy (absolute-form and CONNECT), the token added and
 * keep-alive reused, a proxy's 407 never reaching the client, fail-closed, the PAC it serves, and
 * another port when the configured one is taken.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalProxy, type LocalProxy, type LocalProxyOptions } from '../../../host/proxy/local-proxy.js';
import { PacSandbox } from '../../../host/proxy/pac-sandbox.js';
import { curl, response } from '../../support/curl.js';
import { REFUSED_PORT } from '../../support/refused-port.js';
import { silentLogger } from '../../fakes/logger.js';

interface Stub {
  server: Server;
  port: number;
  seen: { method: string; url: string; auth: string | undefined }[];
  connections: number;
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** An upstream proxy that answers requests itself ("via NAME") and echoes CONNECT tunnels. */
async function stubProxy(name: string, status = 200): Promise<Stub> {
  const stub: Stub = { server: createServer(), port: 0, seen: [], connections: 0 };
  const record = (req: IncomingMessage) => stub.seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers['proxy-authorization'] });
  stub.server.on('request', (req: IncomingMessage, res) => {
    record(req);
    req.resume();
    if (status === 407) {
      res.writeHead(407, { 'proxy-authenticate': 'Bearer realm="edge"', 'content-type': 'application/json' }).end(JSON.stringify({ code: 'TOKEN_EXPIRED', message: 'expired' }));
      return;
    }
    res.end(`via ${name}: ${req.url ?? ''}`);
  });
  stub.server.on('connect', (req: IncomingMessage, socket: import('node:net').Socket) => {
    record(req);
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    socket.pipe(socket);
  });
  stub.server.on('connection', () => stub.connections++);
  stub.port = await listen(stub.server);
  return stub;
}

let origin: Server;
let originPort: number;
let b: Stub;
let refusing: Stub;
const proxies: LocalProxy[] = [];

async function proxy(pac: string, options: Partial<LocalProxyOptions> = {}): Promise<LocalProxy> {
  const started = await startLocalProxy({ port: 0, pac: () => pac, failOpen: () => false, token: () => 'device-token', logger: silentLogger, resolve: () => Promise.resolve(null), ...options });
  proxies.push(started);
  return started;
}

const pacFor = (answer: string) => `function FindProxyForURL(url, host) { return "${answer}"; }`;
const via = (p: LocalProxy, url: string, extra: string[] = []) => curl(['-i', '-x', `http://127.0.0.1:${p.port}`, ...extra, url]);

/** CONNECT through the local proxy, then one echo round trip; returns the answer head and the echo. */
async function connectEcho(p: LocalProxy, authority: string): Promise<{ head: string; echo: string }> {
  const socket = connect(p.port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  let text = '';
  let pinged = false;
  return new Promise((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      // A refusal: read on until the proxy closes the connection.
      if (end < 0 || !/^HTTP\/1\.1 200 /.test(text)) return;
      if (!pinged) {
        pinged = true;
        socket.write('ping');
      }
      if (text.length - end - 4 >= 4) {
        socket.destroy();
        resolve({ head: text.slice(0, end), echo: text.slice(end + 4) });
      }
    });
    socket.once('close', () => resolve({ head: text, echo: '' }));
  });
}

beforeAll(async () => {
  origin = createServer((req, res) => {
    req.resume();
    res.end(`origin: ${req.url ?? ''} auth=${req.headers['proxy-authorization'] ?? 'none'}`);
  });
  originPort = await listen(origin);
  b = await stubProxy('b');
  refusing = await stubProxy('refusing', 407);
});

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

afterAll(() => {
  origin.closeAllConnections();
  origin.close();
  for (const stub of [b, refusing]) {
    stub.server.closeAllConnections();
    stub.server.close();
  }
});

describe('local proxy: multi-answer fallback', () => {
  it('skips a dead first proxy, sends the request to the next with the device token, and marks the dead one down', async () => {
    const p = await proxy(pacFor(`PROXY 127.0.0.1:${REFUSED_PORT}; PROXY 127.0.0.1:${b.port}; DIRECT`));
    const before = b.seen.length;
    const r = response((await via(p, `http://app.test:8080/one?x=1`)).stdout);
    expect(r.status).toBe(200);
    expect(r.body).toBe('via b: http://app.test:8080/one?x=1');
    expect(b.seen.slice(before)).toEqual([{ method: 'GET', url: 'http://app.test:8080/one?x=1', auth: 'Bearer device-token' }]);
    const explained = await p.explain('http://app.test:8080/two');
    expect(explained.tryOrder).toEqual([`PROXY 127.0.0.1:${b.port}`, 'DIRECT', `PROXY 127.0.0.1:${REFUSED_PORT}`]);
    expect(explained.decision).toMatchObject({ source: 'pac', pacResult: `PROXY 127.0.0.1:${REFUSED_PORT}; PROXY 127.0.0.1:${b.port}; DIRECT` });
  });

  it('falls back to DIRECT when every proxy is down, and the origin never sees the token', async () => {
    const p = await proxy(pacFor(`PROXY 127.0.0.1:${REFUSED_PORT}; DIRECT`));
    const r = response((await via(p, `http://127.0.0.1:${originPort}/direct`)).stdout);
    expect(r).toMatchObject({ status: 200, body: '/direct auth=none'.replace(/^/, 'origin: ') });
  });

  it('answers 502 with what it tried when no answer can be reached', async () => {
    const p = await proxy(pacFor(`PROXY 127.0.0.1:${REFUSED_PORT}; HTTPS 127.0.0.1:${REFUSED_PORT}`));
    const r = response((await via(p, 'http://app.test/')).stdout);
    expect(r.status).toBe(502);
    const body = JSON.parse(r.body) as { code: string; message: string; details: { tried: string[] } };
    expect(body.code).toBe('UPSTREAM_UNREACHABLE');
    expect(body.details.tried).toEqual([expect.stringContaining(`PROXY 127.0.0.1:${REFUSED_PORT}: connect ECONNREFUSED`), expect.stringContaining(`HTTPS 127.0.0.1:${REFUSED_PORT}: connect ECONNREFUSED`)]);
  });

  it('falls back for CONNECT too, and tunnels bytes both ways through the proxy that answered', async () => {
    const p = await proxy(pacFor(`PROXY 127.0.0.1:${REFUSED_PORT}; PROXY 127.0.0.1:${b.port}`));
    const before = b.seen.length;
    const { head, echo } = await connectEcho(p, 'secure.test:443');
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(echo).toBe('ping');
    expect(b.seen.slice(before)).toEqual([{ method: 'CONNECT', url: 'secure.test:443', auth: 'Bearer device-token' }]);
  });

  it('reuses its keep-alive connection to the upstream proxy', async () => {
    const p = await proxy(pacFor(`PROXY 127.0.0.1:${b.port}`));
    const before = b.connections;
    const r = await curl(['-x', `http://127.0.0.1:${p.port}`, 'http://app.test/1', 'http://app.test/2', 'http://app.test/3']);
    expect(r.stdout).toBe('via b: http://app.test/1via b: http://app.test/2via b: http://app.test/3');
    expect(b.connections - before).toBe(1);
  });
});

describe('local proxy: never a 407, clear refusals', () => {
  it('turns an upstream 407 into a 502 that names the edge’s reason', async () => {
    const p = await proxy(pacFor(`PROXY 127.0.0.1:${refusing.port}`));
    const r = response((await via(p, 'http://app.test/')).stdout);
    expect(r.status).toBe(502);
    expect(r.headers.find(([name]) => name === 'proxy-authenticate')).toBeUndefined();
    expect(JSON.parse(r.body)).toMatchObject({ code: 'UNAUTHENTICATED', details: { edgeCode: 'TOKEN_EXPIRED' } });
  });

  it('says so when the device has no token yet, instead of asking the user for one', async () => {
    const p = await proxy(pacFor(`PROXY 127.0.0.1:${b.port}`), { token: () => null });
    const r = response((await via(p, 'http://app.test/')).stdout);
    expect(r.status).toBe(502);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'NOT_ENROLLED' });
  });

  it('blocks with 403 when the PAC fails and the profile fails closed (requests and CONNECT)', async () => {
    const p = await proxy('function FindProxyForURL(url, host) { throw new Error("broken"); }');
    const r = response((await via(p, 'http://app.test/')).stdout);
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'ACCESS_BLOCKED', details: { reason: 'pac-fail-closed' } });
    expect((await connectEcho(p, 'secure.test:443')).head).toMatch(/^HTTP\/1\.1 403 [\s\S]*ACCESS_BLOCKED/);
  });

  it('goes direct when the PAC fails and the profile fails open', async () => {
    const p = await proxy('function FindProxyForURL(url, host) { return 42; }', { failOpen: () => true });
    expect(response((await via(p, `http://127.0.0.1:${originPort}/open`)).stdout)).toMatchObject({ status: 200, body: 'origin: /open auth=none' });
  });

  it('applies a new PAC after policyChanged', async () => {
    let pac = pacFor(`PROXY 127.0.0.1:${b.port}`);
    const p = await proxy('', { pac: () => pac });
    expect(response((await via(p, `http://127.0.0.1:${originPort}/x`)).stdout).body).toBe(`via b: http://127.0.0.1:${originPort}/x`);
    pac = pacFor('DIRECT');
    p.policyChanged();
    expect(response((await via(p, `http://127.0.0.1:${originPort}/x`)).stdout).body).toBe('origin: /x auth=none');
  });
});

describe('local proxy: its own PAC and port', () => {
  it('serves /proxy.pac, which sends everything to it but loopback and plain host names', async () => {
    const p = await proxy(pacFor('DIRECT'));
    expect(p.pacUrl).toBe(`http://127.0.0.1:${p.port}/proxy.pac`);
    const r = response((await curl(['-i', p.pacUrl])).stdout);
    expect(r.status).toBe(200);
    expect(r.headers).toContainEqual(['content-type', 'application/x-ns-proxy-autoconfig']);
    const sandbox = new PacSandbox({ resolve: () => Promise.resolve(null) });
    sandbox.setScript(r.body);
    const env = { now: Date.now(), timezoneOffset: 0, myAddress: '192.0.2.1' };
    try {
      expect(await sandbox.evaluate('https://www.example.test/', 'www.example.test', env)).toBe(`PROXY 127.0.0.1:${p.port}`);
      for (const host of ['intranet', 'localhost', '127.0.0.1', 'app.localhost']) expect(await sandbox.evaluate(`http://${host}/`, host, env), host).toBe('DIRECT');
    } finally {
      await sandbox.close();
    }
    expect(response((await curl(['-i', `http://127.0.0.1:${p.port}/other`])).stdout).status).toBe(404);
  });

  it('listens on another free port when the configured one is taken, and says which', async () => {
    const first = await proxy(pacFor('DIRECT'));
    const second = await proxy(pacFor('DIRECT'), { port: first.port });
    expect(second.portTaken).toBe(first.port);
    expect(second.port).not.toBe(first.port);
    expect(response((await via(second, `http://127.0.0.1:${originPort}/second`)).stdout).body).toBe('origin: /second auth=none');
  });
});
