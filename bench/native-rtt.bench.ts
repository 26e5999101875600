/**
 * native-rtt: round trip of a `ping` from the extension's service worker through Chromium →
 * `waygate native` → the service's LocalAPI and back, against a trivial echo native host (the
 * browser's own floor) in the same browser, in alternating rounds. Target: p50 ≤ 1.5× the floor.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { buildExtension } from '../scripts/build-extension.js';
import { buildHost } from '../scripts/build-host.js';
import { WAYGATE_EXTENSION_ID } from '../protocol/native.js';
import { launchWithExtension } from '../test/support/browser.js';
import { installHostInProfile } from '../test/support/native-host-registration.js';
import { startServiceProcess, stopProcess, tempDir } from '../test/support/waygate-process.js';
import { median, summarize, type LatencySummary } from './stats.js';

const PINGS = Number(process.env.PINGS ?? 10_000);
const WARMUP = 500;
const ROUNDS = 3;
const ECHO_HOST = 'org.waygate.bench_echo';

const tmp = await tempDir('bench-rtt');
const socket = join(tmp.dir, 'waygate.sock');
const profile = join(tmp.dir, 'profile');
await Promise.all([buildHost(), buildExtension()]);
const echoScript = join(tmp.dir, 'echo-host.mjs');
await build({ entryPoints: [join(import.meta.dirname, 'native-echo-host.ts')], outfile: echoScript, bundle: true, platform: 'node', format: 'esm' });

const service = await startServiceProcess(socket);
installHostInProfile(profile, socket, tmp.dir);
const echoLauncher = join(tmp.dir, 'echo-host.sh');
await writeFile(echoLauncher, `#!/bin/sh\nexec '${process.execPath}' '${echoScript}' "$@"\n`, { mode: 0o755 });
await mkdir(join(profile, 'NativeMessagingHosts'), { recursive: true });
await writeFile(
  join(profile, 'NativeMessagingHosts', `${ECHO_HOST}.json`),
  JSON.stringify({ name: ECHO_HOST, description: 'echo floor', path: echoLauncher, type: 'stdio', allowed_origins: [`chrome-extension://${WAYGATE_EXTENSION_ID}/`] }),
);

const browser = await launchWithExtension(profile);

/**
 * Runs in the service worker: sequential pings over one port, each timed on its own. Kept as source
 * text because tsx's transform would add helpers to a real function that the worker does not have.
 */
const PING_LOOP = `async ({ host, count, warmup }) => {
  const port = chrome.runtime.connectNative(host);
  const waiting = new Map();
  port.onMessage.addListener((m) => waiting.get(m.id)?.());
  const ping = (id) => new Promise((resolve) => {
    waiting.set(id, resolve);
    port.postMessage({ v: 1, id, method: 'ping' });
  });
  for (let i = 0; i < warmup; i++) await ping('w' + i);
  const samples = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await ping('p' + i);
    samples.push(performance.now() - t0);
  }
  const wallMs = performance.now() - start;
  port.disconnect();
  return { samples, wallMs };
}`;

async function pingLoop(host: string): Promise<{ samples: number[]; wallMs: number }> {
  return browser.worker.evaluate(`(${PING_LOOP})(${JSON.stringify({ host, count: PINGS, warmup: WARMUP })})`);
}

const results: Record<'echo' | 'waygate', LatencySummary[]> = { echo: [], waygate: [] };
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, host] of [['echo', ECHO_HOST], ['waygate', 'org.waygate.native']] as const) {
      const { samples, wallMs } = await pingLoop(host);
      const summary = summarize(samples, wallMs);
      results[name].push(summary);
      console.log(`round ${round + 1} ${name.padEnd(7)} p50 ${summary.p50.toFixed(3)} ms  p99 ${summary.p99.toFixed(3)} ms  ${summary.perSecond.toFixed(0)} msg/s`);
    }
  }
} finally {
  await browser.close();
  await stopProcess(service);
  await tmp.cleanup();
}

// The worker's clock ticks in 100 µs steps (Chromium coarsens performance.now() outside
// cross-origin isolation), so p50 moves in those steps; the mean (jittered clamping keeps it
// unbiased) is printed beside it as the finer figure.
const row = (name: 'echo' | 'waygate') => ({
  p50: median(results[name].map((r) => r.p50)),
  p99: median(results[name].map((r) => r.p99)),
  mean: median(results[name].map((r) => r.mean)),
  perSecond: median(results[name].map((r) => r.perSecond)),
});
const echo = row('echo');
const waygate = row('waygate');
const ratio = waygate.p50 / echo.p50;
const line = (label: string, r: typeof echo) =>
  `| ${label} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} | ${r.mean.toFixed(3)} | ${r.perSecond.toFixed(0)} |`;
console.log(`\n${PINGS} pings × ${ROUNDS} rounds, medians of the rounds`);
console.log(`| host | p50 ms | p99 ms | mean ms | msgs/s |\n|---|---|---|---|---|`);
console.log(line('echo native host (floor)', echo));
console.log(line('waygate native → service', waygate));
console.log(`\np50 ratio waygate/echo: ${ratio.toFixed(2)}× (target ≤ 1.5×) — ${ratio <= 1.5 ? 'MET' : 'NOT MET'}; mean ratio ${(waygate.mean / echo.mean).toFixed(2)}×`);
