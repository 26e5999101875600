/**
 * local-proxy: what the local proxy (issue #8) adds on the way to the edge, in one run.
 * 1. Latency: one client connection, keep-alive, 100-byte answers (wrk -t1 -c1 --latency): client →
 *    edge directly (with the token) against client → local proxy → edge (no token: the local proxy
 *    adds it). ROUNDS alternating rounds, medians; added = through − direct.
 * 2. Throughput under load: the same two paths at wrk -t2 -c64 (req/s).
 * 3. Large download: BYTES through a CONNECT tunnel, client → edge directly against client → local
 *    proxy → edge, alternating rounds, medians.
 * 4. PAC decisions per second in this process, cache on (1M decisions over HOSTS origins, memory
 *    sampled along the way) and off (every decision runs the script in the worker).
 * Targets: < 0.3 ms added p50; ≥ 90% of direct download throughput; ≥ 200k cached decisions/s with
 * flat memory over 1M. The edge, the local proxy and the origin are separate processes; wrk and all
 * of them share this machine's 2 cores, so compare within a run.
 */
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { z } from 'zod';
import { PacDecider, type PacTarget } from '../host/proxy/pac-decider.js';
import { tempDir } from '../test/support/waygate-process.js';
import { download, type Via } from './connect-download.js';
import { startEdgeUnderTest, type EdgeUnderTest } from './edge-under-test.js';
import { cpuSeconds } from './proc-cpu.js';
import { median } from './stats.js';
import { startTsChild } from './ts-child.js';
import { wrk, type WrkResult } from './wrk.js';

const SECONDS = Number(process.env.SECONDS ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const BYTES = Number(process.env.BYTES ?? 1024 ** 3);
const DECISIONS = Number(process.env.DECISIONS ?? 1_000_000);
const HOSTS = Number(process.env.HOSTS ?? 1_000);
const UNCACHED = Number(process.env.UNCACHED ?? 3_000);
/** `latency`, `download` or `decisions` runs that part only; unset runs all three. */
const ONLY = process.env.ONLY;

const OriginReady = z.object({ httpPort: z.number().int(), rawPort: z.number().int() });
const ProxyReady = z.object({ port: z.number().int() });
const format = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

/** wrk Lua: one static absolute-form GET, with the edge token or without. */
function luaScript(originPort: number, token?: string): string {
  const authority = `127.0.0.1:${originPort}`;
  const headers = [`["Host"] = "${authority}"`, ...(token === undefined ? [] : [`["Proxy-Authorization"] = "Bearer ${token}"`])];
  return `wrk.method = "GET"\nwrk.path = "http://${authority}/"\nwrk.headers = { ${headers.join(', ')} }\n`;
}

/** A PAC of the usual shape: bypasses, a few domain rules, then the edge. */
const BENCH_PAC = `function FindProxyForURL(url, host) {
  if (isPlainHostName(host) || shExpMatch(host, "*.local") || shExpMatch(host, "127.*")) return "DIRECT";
  if (dnsDomainIs(host, ".intranet.example") || dnsDomainIs(host, ".corp.example")) return "DIRECT";
  if (shExpMatch(host, "*.video.example") || shExpMatch(url, "https://updates.*")) return "DIRECT";
  if (localHostOrDomainIs(host, "wiki.corp.example")) return "DIRECT";
  return "HTTPS edge-1.example:443; HTTPS edge-2.example:443; DIRECT";
}`;

const cleanups: (() => Promise<void>)[] = [];
async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((err: unknown) => console.error('cleanup failed:', err));
}
process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));

interface Setup {
  edge: EdgeUnderTest;
  localPort: number;
  localPid: number;
  ports: z.infer<typeof OriginReady>;
  dir: string;
}

/** Parts 1 and 2: 100-byte GETs on one connection (latency) and on 64 (load), both paths. */
async function latencyBench({ edge, localPort, ports, dir }: Setup): Promise<string[]> {
  const directScript = join(dir, 'direct.lua');
  const localScript = join(dir, 'local.lua');
  await writeFile(directScript, luaScript(ports.httpPort, edge.token));
  await writeFile(localScript, luaScript(ports.httpPort));
  const paths = [
    { name: 'client → edge', url: `http://127.0.0.1:${edge.port}`, script: directScript },
    { name: 'client → local proxy → edge', url: `http://127.0.0.1:${localPort}`, script: localScript },
  ] as const;
  const results = { latency: new Map<string, WrkResult[]>(), load: new Map<string, WrkResult[]>() };
  for (const [kind, connections, threads] of [['latency', 1, 1], ['load', 64, 2]] as const) {
    for (const path of paths) {
      await wrk(path.url, path.script, { threads, connections, seconds: 3 });
      results[kind].set(path.name, []);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const path of round % 2 === 0 ? paths : [...paths].reverse()) {
        const r = await wrk(path.url, path.script, { threads, connections, seconds: SECONDS });
        if (r.non2xx3xx > 0) throw new Error(`${path.name}: ${r.non2xx3xx} non-2xx answers`);
        results[kind].get(path.name)!.push(r);
        console.log(`round ${round + 1} ${kind.padEnd(7)} ${path.name.padEnd(28)} ${format(r.requestsPerSecond).padStart(7)} req/s  p50 ${r.p50Ms.toFixed(3)} ms  p99 ${r.p99Ms.toFixed(3)} ms`);
      }
    }
  }
  const med = (kind: 'latency' | 'load', name: string, pick: (r: WrkResult) => number) => median(results[kind].get(name)!.map(pick));
  const [direct, through] = [paths[0].name, paths[1].name];
  console.log('\n| path | 1 connection: p50 ms | p99 ms | req/s | 64 connections: req/s | p50 ms | p99 ms |\n|---|---|---|---|---|---|---|');
  for (const path of paths) {
    console.log(
      `| ${path.name} | ${med('latency', path.name, (r) => r.p50Ms).toFixed(3)} | ${med('latency', path.name, (r) => r.p99Ms).toFixed(3)} | ${format(med('latency', path.name, (r) => r.requestsPerSecond))} | ` +
        `${format(med('load', path.name, (r) => r.requestsPerSecond))} | ${med('load', path.name, (r) => r.p50Ms).toFixed(2)} | ${med('load', path.name, (r) => r.p99Ms).toFixed(2)} |`,
    );
  }
  const addedP50 = med('latency', through, (r) => r.p50Ms) - med('latency', direct, (r) => r.p50Ms);
  const addedP99 = med('latency', through, (r) => r.p99Ms) - med('latency', direct, (r) => r.p99Ms);
  const loadRatio = med('load', through, (r) => r.requestsPerSecond) / med('load', direct, (r) => r.requestsPerSecond);
  return [
    `${verdict(addedP50 < 0.3)} added latency p50 < 0.3 ms: ${addedP50.toFixed(3)} ms (p99 ${addedP99 >= 0 ? '+' : ''}${addedP99.toFixed(3)} ms)`,
    `(info) req/s at 64 connections through the local proxy: ${(loadRatio * 100).toFixed(0)}% of direct`,
  ];
}

/** Part 3: BYTES through a CONNECT tunnel, both paths, with each proxy process's CPU time. */
async function downloadBench({ edge, localPort, localPid, ports }: Setup): Promise<string[]> {
  const vias: { name: string; via: Via }[] = [
    { name: 'client → edge', via: { port: edge.port, token: edge.token } },
    { name: 'client → local proxy → edge', via: { port: localPort } },
  ];
  const runs = new Map<string, { mbps: number; edgeCpu: number; localCpu: number }[]>(vias.map((v) => [v.name, []]));
  const edgeCpu = () => (edge.pid === undefined ? 0 : cpuSeconds(edge.pid));
  console.log('');
  for (let round = 0; round < ROUNDS; round++) {
    for (const path of round % 2 === 0 ? vias : [...vias].reverse()) {
      const before = { edge: edgeCpu(), local: cpuSeconds(localPid) };
      const got = await download(ports.rawPort, path.via);
      if (got.bytes !== BYTES) throw new Error(`${path.name}: the download got ${got.bytes} of ${BYTES} bytes`);
      const run = { mbps: got.bytes / 1e6 / got.seconds, edgeCpu: edgeCpu() - before.edge, localCpu: cpuSeconds(localPid) - before.local };
      runs.get(path.name)!.push(run);
      console.log(`round ${round + 1} CONNECT download ${path.name.padEnd(28)} ${format(run.mbps).padStart(6)} MB/s in ${got.seconds.toFixed(2)} s  edge CPU ${run.edgeCpu.toFixed(2)} s  local proxy CPU ${run.localCpu.toFixed(2)} s`);
    }
  }
  const perGiB = (seconds: number) => (seconds / BYTES) * 1024 ** 3;
  const summary = (name: string) => {
    const list = runs.get(name)!;
    return { mbps: median(list.map((r) => r.mbps)), edgeCpu: perGiB(median(list.map((r) => r.edgeCpu))), localCpu: perGiB(median(list.map((r) => r.localCpu))) };
  };
  const direct = summary(vias[0]!.name);
  const through = summary(vias[1]!.name);
  console.log('\n| CONNECT download | MB/s | vs direct | edge CPU s/GiB | local proxy CPU s/GiB |\n|---|---|---|---|---|');
  for (const [name, s] of [[vias[0]!.name, direct], [vias[1]!.name, through]] as const) {
    console.log(`| ${name} | ${format(s.mbps)} | ${(s.mbps / direct.mbps).toFixed(2)}× | ${s.edgeCpu.toFixed(2)} | ${s.localCpu.toFixed(2)} |`);
  }
  return [`${verdict(through.mbps / direct.mbps >= 0.9)} download through the local proxy ≥ 90% of direct: ${((through.mbps / direct.mbps) * 100).toFixed(0)}%`];
}

/** Part 4: PAC decisions per second, cache on and off, and memory over the cached run. */
async function decisionsBench(): Promise<string[]> {
  const targets: PacTarget[] = Array.from({ length: HOSTS }, (_, i) => ({ scheme: 'https', host: `site-${i}.example`, port: 443 }));
  const cached = new PacDecider({ pac: () => BENCH_PAC, failOpen: () => false, resolve: () => Promise.resolve(null), myAddress: () => '192.0.2.1' });
  cleanups.push(() => cached.close());
  for (const target of targets) await cached.decide(target);
  // The heap is compared after a full collection: what is still live, not the collector's sawtooth.
  setFlagsFromString('--expose-gc');
  const gc = z.function().parse(runInNewContext('gc'));
  const memory = () => {
    gc();
    return { heapMB: process.memoryUsage().heapUsed / 2 ** 20, rssMB: process.memoryUsage().rss / 2 ** 20 };
  };
  const samples: { decisions: number; heapMB: number; rssMB: number }[] = [];
  let decided = 0;
  let busyMs = 0;
  for (let step = 0; step < 10; step++) {
    const started = performance.now();
    for (let i = 0; i < DECISIONS / 10; i++, decided++) await cached.decide(targets[decided % HOSTS]!);
    busyMs += performance.now() - started;
    samples.push({ decisions: decided, ...memory() });
  }
  const cachedPerSecond = DECISIONS / (busyMs / 1000);

  const uncached = new PacDecider({ pac: () => BENCH_PAC, failOpen: () => false, resolve: () => Promise.resolve(null), myAddress: () => '192.0.2.1', cache: false });
  cleanups.push(() => uncached.close());
  await uncached.decide(targets[0]!);
  const t0 = performance.now();
  for (let i = 0; i < UNCACHED; i++) await uncached.decide(targets[i % HOSTS]!);
  const uncachedPerSecond = UNCACHED / ((performance.now() - t0) / 1000);

  console.log('\n| PAC decisions | per second | µs each |\n|---|---|---|');
  console.log(`| cache on (${format(DECISIONS)} over ${format(HOSTS)} origins) | ${format(cachedPerSecond)} | ${format(1e6 / cachedPerSecond, 2)} |`);
  console.log(`| cache off (${format(UNCACHED)}, each run in the worker's engine) | ${format(uncachedPerSecond)} | ${format(1e6 / uncachedPerSecond, 1)} |`);
  console.log('\n| after cached decisions | heap MB (after GC) | RSS MB |\n|---|---|---|');
  for (const s of samples) console.log(`| ${format(s.decisions)} | ${format(s.heapMB, 1)} | ${format(s.rssMB, 1)} |`);
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const heapGrowth = last.heapMB - first.heapMB;
  const rssGrowth = last.rssMB - first.rssMB;
  return [
    `${verdict(cachedPerSecond >= 200_000)} cached decisions ≥ 200k/s: ${format(cachedPerSecond)}/s`,
    `${verdict(heapGrowth < 1)} memory flat (live heap) from ${format(first.decisions)} to ${format(last.decisions)} cached decisions: heap ${heapGrowth >= 0 ? '+' : ''}${format(heapGrowth, 1)} MB, RSS ${rssGrowth >= 0 ? '+' : ''}${format(rssGrowth, 1)} MB`,
  ];
}

try {
  const tmp = await tempDir('bench-local-proxy');
  cleanups.push(tmp.cleanup);
  const origin = await startTsChild('./proxy-origin-child.ts', [String(BYTES)]);
  cleanups.push(() => origin.stop());
  const ports = OriginReady.parse(origin.ready);
  const edge = await startEdgeUnderTest();
  cleanups.push(() => edge.stop());
  const localChild = await startTsChild('./local-proxy-child.ts', [String(edge.port), edge.token]);
  cleanups.push(() => localChild.stop());
  const localPort = ProxyReady.parse(localChild.ready).port;

  console.log(`${cpus().length}× ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`);
  console.log(`latency: wrk -t1 -c1 -d${SECONDS}s; load: wrk -t2 -c64 -d${SECONDS}s; ${ROUNDS} rounds each after a 3 s warm-up; download ${format(BYTES)} bytes × ${ROUNDS}\n`);

  const setup: Setup = { edge, localPort, localPid: localChild.pid, ports, dir: tmp.dir };
  const verdicts = [
    ...(ONLY === undefined || ONLY === 'latency' ? await latencyBench(setup) : []),
    ...(ONLY === undefined || ONLY === 'download' ? await downloadBench(setup) : []),
    ...(ONLY === undefined || ONLY === 'decisions' ? await decisionsBench() : []),
  ];
  console.log(`\n${verdicts.join('\n')}`);
} finally {
  await cleanUp();
}
