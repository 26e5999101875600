/**
 * Hostile PACs behind the local proxy (profile fails closed): a script that loops, allocates without
 * end, reaches for host objects or reads files is contained — that request gets the 403 with the
 * reason — while the proxy keeps serving other requests meanwhile and afterwards.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalProxy, type LocalProxy } from '../../../host/proxy/local-proxy.js';
import { curl, response } from '../../support/curl.js';
import { silentLogger } from '../../fakes/logger.js';

const HOSTILE: Record<string, string> = {
  'loop.test': 'for (;;) {}',
  'loop-catch.test': 'for (;;) { try { for (;;) {} } catch (e) {} }',
  'alloc.test': 'var a = []; for (;;) a.push(new Array(100000).fill("x"));',
  'host-objects.test': 'var F = dnsDomainIs.constructor; var f = F("return typeof process"); return [typeof process, typeof require, typeof globalThis.process, f()].join();',
  'files.test': 'return require("fs").readFileSync("/etc/passwd", "utf8");',
};

/** The scripts that run until their deadline stops them (the others fail at once). */
const RUNAWAY = new Set(['loop.test', 'loop-catch.test', 'alloc.test']);

const PAC = `function FindProxyForURL(url, host) {
${Object.entries(HOSTILE)
  .map(([host, body]) => `  if (host === "${host}") { ${body} }`)
  .join('\n')}
  return "DIRECT";
}`;

let origin: Server;
let originPort: number;
let local: LocalProxy;

async function get(url: string): Promise<{ status: number; body: string; doneAt: number }> {
  const r = response((await curl(['-i', '-x', `http://127.0.0.1:${local.port}`, url])).stdout);
  return { status: r.status, body: r.body, doneAt: performance.now() };
}

beforeAll(async () => {
  origin = createServer((req, res) => {
    req.resume();
    res.end(`origin: ${req.url ?? ''}`);
  });
  origin.listen(0, '127.0.0.1');
  await once(origin, 'listening');
  originPort = (origin.address() as AddressInfo).port;
  local = await startLocalProxy({ port: 0, pac: () => PAC, failOpen: () => false, token: () => null, logger: silentLogger, resolve: () => Promise.resolve(null), pacTimeoutMs: 800, pacLimits: { syncBudgetMs: 150 } });
});

beforeEach(async () => {
  local.policyChanged();
  // The origin's decision is cached before the hostile request starts.
  expect((await get(`http://127.0.0.1:${originPort}/warm`)).status).toBe(200);
});

afterAll(async () => {
  await local?.close();
  origin?.closeAllConnections();
  origin?.close();
});

describe('local proxy: hostile PACs are contained', () => {
  it.each(Object.keys(HOSTILE))('%s: blocked with the reason, while other requests are served', async (host) => {
    const hostile = get(`http://${host}/`);
    const served = await get(`http://127.0.0.1:${originPort}/meanwhile`);
    const blocked = await hostile;
    expect(served).toMatchObject({ status: 200, body: 'origin: /meanwhile' });
    expect(blocked.status).toBe(403);
    // A script that runs until stopped is still running when the other request has its answer.
    if (RUNAWAY.has(host)) expect(served.doneAt).toBeLessThan(blocked.doneAt);
    const body = JSON.parse(blocked.body) as { code: string; message: string };
    expect(body.code).toBe('ACCESS_BLOCKED');
    expect(body.message).toMatch(/^The PAC (could not answer|answered)/);
    // A decision the script has to be run for again works afterwards (the engine or worker was replaced).
    local.policyChanged();
    expect(await get(`http://127.0.0.1:${originPort}/after`)).toMatchObject({ status: 200, body: 'origin: /after' });
  });
});
