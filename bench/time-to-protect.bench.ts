/**
 * time-to-protect: from the user's approval in the portal to the first request that goes through
 * the edge — real headless Chromium with the extension, the native host, a real service, portal and
 * edge on loopback. Each round signs the device out, starts `waygate login`, approves the code on the
 * portal's verification page at a random moment within one poll interval (T0), while the browser
 * keeps fetching http://origin.test/ (which only resolves through the edge); T1 is the first fetch
 * that succeeds. Target: p50 < 1 s.
 *
 * Baseline in the same run: the same system with the portal answering every token poll at once
 * (`tokenHoldSeconds: 0`), i.e. plain RFC 8628 polling at the 5 s interval, which is what a device
 * flow gives without the held poll.
 */
import { join } from 'node:path';
import { buildEdgeBundle } from '../scripts/build-edge.js';
import { buildExtension } from '../scripts/build-extension.js';
import { buildHost } from '../scripts/build-host.js';
import { launchDeviceBrowser, waitForProtection, type DeviceBrowser } from '../test/support/device-browser.js';
import { approveDeviceCode, runCli, startDeviceService, userCodeFrom, type DeviceService } from '../test/support/device-service.js';
import { startProtectedSystem, type ProtectedSystem } from '../test/support/protected-system.js';
import { stopProcess, tempDir } from '../test/support/waygate-process.js';
import { percentile } from './stats.js';

const ROUNDS = Number(process.env.ROUNDS ?? 10);
/** The portal's default RFC 8628 interval (cloud/portal/config.ts pollIntervalSeconds). */
const POLL_INTERVAL_MS = 5_000;

interface Setup {
  system: ProtectedSystem;
  service: DeviceService;
  browser: DeviceBrowser;
}

async function setUp(dir: string, portal: Record<string, unknown>): Promise<Setup> {
  const system = await startProtectedSystem({ dir: join(dir, 'system'), portal });
  const service = await startDeviceService({ dir: join(dir, 'device'), portalUrl: system.portal.url });
  const browser = await launchDeviceBrowser(dir, service.socket);
  await waitForProtection(browser.popup, 'signed-out');
  return { system, service, browser };
}

/** One sign-in: milliseconds from the approval to the first request through the edge. */
async function round({ system, service, browser }: Setup, index: number): Promise<number> {
  const url = `http://origin.test:${system.originPort}/ttp-${index}`;
  // Fetch from the popup (an extension page: its requests follow the browser's proxy settings).
  const firstSuccess = browser.popup.evaluate(async (target) => {
    for (let i = 0; ; i++) {
      try {
        const res = await fetch(`${target}?i=${i}`, { cache: 'no-store' });
        if (res.ok) return Date.now();
      } catch {
        // Not protected yet: the browser cannot resolve origin.test by itself.
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }, url);
  let approvedAt = 0;
  const approvals: Promise<void>[] = [];
  const login = runCli(service, ['login', '--no-qr'], (stdout) => {
    const code = userCodeFrom(stdout);
    if (!code || approvals.length > 0) return;
    approvals.push((async () => {
      // A person approves at some moment after the code appears; uniformly within one poll interval,
      // so plain polling is measured at its average phase, not its worst.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * POLL_INTERVAL_MS));
      approvedAt = Date.now();
      await approveDeviceCode(system.portal.url, { email: 'user@example.test', password: system.portal.user.password }, code);
    })());
  });
  const protectedAt = await firstSuccess;
  await login;
  await Promise.all(approvals);
  const logout = await runCli(service, ['logout']);
  if (logout.code !== 0) throw new Error(`logout failed: ${logout.stderr}`);
  await waitForProtection(browser.popup, 'signed-out');
  return protectedAt - approvedAt;
}

async function measure(name: string, portal: Record<string, unknown>): Promise<number[]> {
  const tmp = await tempDir(`bench-ttp-${name}`);
  const setup = await setUp(tmp.dir, portal);
  const samples: number[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) samples.push(await round(setup, i));
  } finally {
    await setup.browser.close();
    await stopProcess(setup.service.proc);
    await setup.system.close();
    await tmp.cleanup();
  }
  return samples;
}

await Promise.all([buildHost(), buildEdgeBundle(), buildExtension()]);
const waygate = await measure('held', {});
const baseline = await measure('plain', { tokenHoldSeconds: 0 });

const line = (label: string, samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return `${label.padEnd(34)} p50 ${percentile(sorted, 50).toFixed(0).padStart(5)} ms   p90 ${percentile(sorted, 90).toFixed(0).padStart(5)} ms   max ${sorted.at(-1)!.toFixed(0).padStart(5)} ms   (n=${sorted.length})`;
};
const p50 = percentile([...waygate].sort((a, b) => a - b), 50);
const p50Baseline = percentile([...baseline].sort((a, b) => a - b), 50);
console.log(`\ntime-to-protect: approval in the portal → first request through the edge (${ROUNDS} rounds each)`);
console.log(line('waygate (held token poll)', waygate));
console.log(line('baseline (plain RFC 8628 polling)', baseline));
console.log(`ratio p50 waygate / baseline: ${(p50 / p50Baseline).toFixed(2)}×   target p50 < 1000 ms: ${p50 < 1000 ? 'met' : 'NOT met'}`);
