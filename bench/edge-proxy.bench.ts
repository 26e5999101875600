/**
 * edge-proxy: the Waygate edge's forward proxy against Squid, in the same run, on the same origin.
 * 1. Plain HTTP through the proxy: wrk (-t2 -c64, keep-alive) sends absolute-form `GET` requests with
 *    `Proxy-Authorization: Bearer` to the edge, to Squid, and (origin-form, no proxy) to the origin
 *    directly as the floor; 100-byte answers; ROUNDS rounds in rotating order, medians reported.
 * 2. CONNECT download: BYTES from a raw TCP source, directly and through a CONNECT tunnel in each
 *    proxy, in alternating rounds.
 * A naive node:http forward proxy (no auth, policy or logging) runs alongside as the floor for Node.
 * Targets: edge req/s ≥ Squid's, edge p99 ≤ Squid's, CONNECT through the edge ≥ 90% of direct.
 * wrk, the origin and the proxy share this machine's CPU: compare ratios within one run.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { tempDir } from '../test/support/waygate-process.js';
import { download, type Via } from './connect-download.js';
import { startEdgeUnderTest, type EdgeUnderTest } from './edge-under-test.js';
import { cpuSeconds } from './proc-cpu.js';
import { startSquid, type Squid } from './squid.js';
import { median } from './stats.js';
import { startTsChild, type TsChild } from './ts-child.js';
import { parseWrk, type WrkResult } from './wrk.js';

const SECONDS = Number(process.env.SECONDS ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const BYTES = Number(process.env.BYTES ?? 1024 ** 3);
/** `http` or `connect` runs one half only (to profile one path); unset runs both. */
const ONLY = process.env.ONLY;
const WARMUP_SECONDS = 3;
const THREADS = 2;
const CONNECTIONS = 64;

const execFileAsync = promisify(execFile);
const OriginReady = z.object({ httpPort: z.number().int(), rawPort: z.number().int() });
const NaiveReady = z.object({ port: z.number().int() });
const OriginStats = z.object({ connections: z.number(), requests: z.number() });

interface Setup {
  origin: TsChild;
  /** The node:http floor: a forward proxy with none of the edge's work (naive-proxy-child.ts). */
  naive: TsChild & { port: number };
  ports: z.infer<typeof OriginReady>;
  edge: EdgeUnderTest;
  squid: Squid;
  dir: string;
}

interface Target {
  name: string;
  url: string;
  script: string;
  /** The proxy process; none for the direct baseline. */
  pid?: number;
}

interface HttpRun extends WrkResult {
  socketErrors: number;
  proxyCpuSeconds: number;
  originCpuSeconds: number;
  upstreamConnections: number;
}

const format = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const proxyCpu = (pid: number | undefined) => (pid === undefined ? 0 : cpuSeconds(pid));

function luaScript(originPort: number, token?: string): string {
  const authority = `127.0.0.1:${originPort}`;
  const headers = [`["Host"] = "${authority}"`, ...(token === undefined ? [] : [`["Proxy-Authorization"] = "Bearer ${token}"`])];
  // A static request (no `request` function): wrk formats it once and spends no Lua per request.
  return `wrk.method = "GET"\nwrk.path = "${token === undefined ? '/' : `http://${authority}/`}"\nwrk.headers = { ${headers.join(', ')} }\n`;
}

async function runWrk(target: Target, seconds: number): Promise<{ result: WrkResult; socketErrors: number }> {
  const args = ['-t', String(THREADS), '-c', String(CONNECTIONS), '-d', `${seconds}s`, '--latency', '-s', target.script, target.url];
  const { stdout } = await execFileAsync('wrk', args, { maxBuffer: 16 * 1024 * 1024 });
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  return { result: parseWrk(stdout), socketErrors: errors ? sum(errors.slice(1).map(Number)) : 0 };
}

/** Part 1: requests per second and latency of 100-byte GETs; returns the verdict lines. */
async function httpBench({ origin, naive, ports, edge, squid, dir }: Setup): Promise<string[]> {
  const directScript = join(dir, 'direct.lua');
  const proxyScript = join(dir, 'proxy.lua');
  await writeFile(directScript, luaScript(ports.httpPort));
  await writeFile(proxyScript, luaScript(ports.httpPort, edge.token));
  const direct: Target = { name: 'origin direct (floor)', url: `http://127.0.0.1:${ports.httpPort}`, script: directScript };
  const edgeTarget: Target = { name: 'waygate edge', url: `http://127.0.0.1:${edge.port}`, script: proxyScript, ...(edge.pid === undefined ? {} : { pid: edge.pid }) };
  const squidTarget: Target = { name: `squid ${squid.version}`, url: `http://127.0.0.1:${squid.port}`, script: proxyScript, pid: squid.pid };
  const naiveTarget: Target = { name: 'naive node:http proxy', url: `http://127.0.0.1:${naive.port}`, script: proxyScript, pid: naive.pid };
  const targets = [direct, edgeTarget, squidTarget, naiveTarget];
  const originStats = async () => OriginStats.parse(await (await fetch(`http://127.0.0.1:${ports.httpPort}/stats`)).json());

  const measure = async (target: Target, seconds: number): Promise<HttpRun> => {
    const before = { stats: await originStats(), proxy: proxyCpu(target.pid), origin: cpuSeconds(origin.pid) };
    const { result, socketErrors } = await runWrk(target, seconds);
    const after = { proxy: proxyCpu(target.pid), origin: cpuSeconds(origin.pid), stats: await originStats() };
    return {
      ...result,
      socketErrors,
      proxyCpuSeconds: after.proxy - before.proxy,
      originCpuSeconds: after.origin - before.origin,
      upstreamConnections: after.stats.connections - before.stats.connections,
    };
  };

  for (const target of targets) await measure(target, WARMUP_SECONDS);
  const runs = new Map<Target, HttpRun[]>(targets.map((t) => [t, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(i + round) % targets.length]!;
      const run = await measure(target, SECONDS);
      runs.get(target)!.push(run);
      console.log(
        `round ${round + 1} ${target.name.padEnd(22)} ${format(run.requestsPerSecond).padStart(7)} req/s  p50 ${run.p50Ms.toFixed(2)} ms  p99 ${run.p99Ms.toFixed(2)} ms` +
          `  proxy CPU ${((run.proxyCpuSeconds / SECONDS) * 100).toFixed(0)}%  origin CPU ${((run.originCpuSeconds / SECONDS) * 100).toFixed(0)}%` +
          `  origin conns ${format(run.upstreamConnections)}  errors ${run.non2xx3xx + run.socketErrors}`,
      );
    }
  }

  const summary = (target: Target) => {
    const list = runs.get(target)!;
    const requests = sum(list.map((r) => r.requests));
    const proxySeconds = sum(list.map((r) => r.proxyCpuSeconds));
    return {
      rps: median(list.map((r) => r.requestsPerSecond)),
      p50: median(list.map((r) => r.p50Ms)),
      p99: median(list.map((r) => r.p99Ms)),
      proxyCpuPercent: (proxySeconds / (SECONDS * list.length)) * 100,
      proxyCpuUsPerRequest: (proxySeconds / requests) * 1e6,
      originCpuUsPerRequest: (sum(list.map((r) => r.originCpuSeconds)) / requests) * 1e6,
      originConnectionsPerRequest: sum(list.map((r) => r.upstreamConnections)) / requests,
      errors: sum(list.map((r) => r.non2xx3xx + r.socketErrors)),
    };
  };
  const floor = summary(direct);
  console.log('\n| path | req/s | p50 ms | p99 ms | req/s vs direct | proxy CPU | proxy CPU µs/req | origin CPU µs/req | origin conns/req | errors |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const target of targets) {
    const s = summary(target);
    const proxied = target.pid !== undefined;
    console.log(
      `| ${target.name} | ${format(s.rps)} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} | ${(s.rps / floor.rps).toFixed(2)}× | ` +
        `${proxied ? `${s.proxyCpuPercent.toFixed(0)}%` : '–'} | ${proxied ? s.proxyCpuUsPerRequest.toFixed(0) : '–'} | ${s.originCpuUsPerRequest.toFixed(0)} | ` +
        `${s.originConnectionsPerRequest.toFixed(3)} | ${s.errors} |`,
    );
  }
  const e = summary(edgeTarget);
  const s = summary(squidTarget);
  console.log(`\nedge vs the naive node:http proxy: ${(e.rps / summary(naiveTarget).rps).toFixed(2)}× the req/s, ${(e.proxyCpuUsPerRequest / summary(naiveTarget).proxyCpuUsPerRequest).toFixed(2)}× the CPU per request`);
  return [
    `${verdict(e.rps >= s.rps)} edge req/s ≥ Squid's: ${format(e.rps)} vs ${format(s.rps)} (${(e.rps / s.rps).toFixed(2)}×)`,
    `${verdict(e.p99 <= s.p99)} edge p99 ≤ Squid's: ${e.p99.toFixed(2)} ms vs ${s.p99.toFixed(2)} ms`,
  ];
}

/** Part 2: one CONNECT download of BYTES per path and round; returns the verdict line. */
async function connectBench({ ports, edge, squid }: Setup): Promise<string[]> {
  const paths: { name: string; pid?: number; via?: Via }[] = [
    { name: 'direct' },
    { name: 'through waygate edge', ...(edge.pid === undefined ? {} : { pid: edge.pid }), via: { port: edge.port, token: edge.token } },
    { name: `through squid ${squid.version}`, pid: squid.pid, via: { port: squid.port } },
  ];
  const runs = new Map(paths.map((p) => [p, [] as { mbps: number; proxyCpuSeconds: number }[]]));
  console.log('');
  for (let round = 0; round < ROUNDS; round++) {
    for (const path of paths) {
      const before = proxyCpu(path.pid);
      const got = await download(ports.rawPort, path.via);
      const proxyCpuSeconds = proxyCpu(path.pid) - before;
      if (got.bytes !== BYTES) throw new Error(`${path.name}: the download got ${got.bytes} of ${BYTES} bytes`);
      const mbps = got.bytes / 1e6 / got.seconds;
      runs.get(path)!.push({ mbps, proxyCpuSeconds });
      console.log(`round ${round + 1} CONNECT ${path.name.padEnd(22)} ${format(mbps).padStart(6)} MB/s in ${got.seconds.toFixed(2)} s  proxy CPU ${proxyCpuSeconds.toFixed(2)} s`);
    }
  }
  const mbps = (path: (typeof paths)[number]) => median(runs.get(path)!.map((r) => r.mbps));
  const cpuPerGiB = (path: (typeof paths)[number]) => (sum(runs.get(path)!.map((r) => r.proxyCpuSeconds)) / (ROUNDS * BYTES)) * 1024 ** 3;
  const [direct, viaEdge] = paths as [(typeof paths)[number], (typeof paths)[number]];
  console.log('\n| CONNECT download | MB/s | vs direct | proxy CPU s/GiB |\n|---|---|---|---|');
  for (const path of paths) {
    console.log(`| ${path.name} | ${format(mbps(path))} | ${(mbps(path) / mbps(direct)).toFixed(2)}× | ${path.pid === undefined ? '–' : cpuPerGiB(path).toFixed(2)} |`);
  }
  const ratio = mbps(viaEdge) / mbps(direct);
  return [`${verdict(ratio >= 0.9)} CONNECT through the edge ≥ 90% of direct: ${(ratio * 100).toFixed(0)}%`];
}

/** Cleanups run last-registered first, on success, failure and Ctrl-C alike. */
const cleanups: (() => Promise<void>)[] = [];
async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((err: unknown) => console.error('cleanup failed:', err));
}
process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));

try {
  const tmp = await tempDir('bench-edge-proxy');
  cleanups.push(tmp.cleanup);
  const origin = await startTsChild('./proxy-origin-child.ts', [String(BYTES)]);
  cleanups.push(() => origin.stop());
  const ports = OriginReady.parse(origin.ready);
  const edge = await startEdgeUnderTest();
  cleanups.push(() => edge.stop());
  const squid = await startSquid();
  cleanups.push(() => squid.stop());
  const naiveChild = await startTsChild('./naive-proxy-child.ts');
  cleanups.push(() => naiveChild.stop());
  const naive = { ...naiveChild, port: NaiveReady.parse(naiveChild.ready).port };
  const setup: Setup = { origin, naive, ports, edge, squid, dir: tmp.dir };

  console.log(`${cpus().length}× ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, Squid ${squid.version}`);
  console.log(`wrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS}s, ${ROUNDS} rounds after a ${WARMUP_SECONDS}s warm-up of each; CONNECT download ${format(BYTES)} bytes × ${ROUNDS}\n`);
  const verdicts = [...(ONLY === 'connect' ? [] : await httpBench(setup)), ...(ONLY === 'http' ? [] : await connectBench(setup))];
  console.log(`\n${verdicts.join('\n')}`);
} finally {
  await cleanUp();
}
