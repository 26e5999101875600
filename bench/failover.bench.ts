/**
 * failover: how fast the device reacts, measured on a real service in a network namespace with a
 * real portal and two real edges (test/support/netns-device.ts). Needs root.
 *
 * 1. Edge failover — the edge in use is killed (T0); T1 is the moment the service's status names
 *    the other edge, confirmed by a request through it from inside the namespace. Target p50 < 2 s.
 *    Baseline in the same run: the same service probing the edges in use every 5 s instead of every
 *    second (`WAYGATE_EDGE_PROBE_MS=5000`), the pace of a typical periodic health check.
 * 2. Network change → plan applied — the device joins the office network (DNS server, addresses,
 *    beacon) at T0; T1 is the status that says trusted and off (the new plan, published). Target
 *    < 1 s. Baseline in the same run: when a bare `ip monitor address` in the namespace sees the
 *    change (the kernel's own notification: the floor any agent has to start from).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { LocalApiClient } from '../host/client/localapi-client.js';
import { buildEdgeBundle } from '../scripts/build-edge.js';
import { buildHost } from '../scripts/build-host.js';
import type { Status } from '../protocol/localapi.js';
import { approveDeviceCode, runCli, userCodeFrom } from '../test/support/device-service.js';
import { deleteAllNetns, inNetns } from '../test/support/netns.js';
import { BEACON_ADDRESS, OFFICE_DNS, SLOW_EDGE_PORT, startNetnsDevice, type NetnsDevice } from '../test/support/netns-device.js';
import { ORIGIN_BODY } from '../test/support/protected-system.js';
import { tempDir } from '../test/support/waygate-process.js';
import { percentile } from './stats.js';

const ROUNDS = Number(process.env.ROUNDS ?? 8);

/** Resolves with the time of the first status (from now on) that satisfies `predicate`. */
async function whenStatus(socket: string, predicate: (status: Status) => boolean): Promise<number> {
  const client = new LocalApiClient(socket);
  let resolveAt: (at: number) => void = () => undefined;
  const seen = new Promise<number>((resolve) => (resolveAt = resolve));
  const handle = await client.watch((event) => {
    if (predicate(event.status)) resolveAt(Date.now());
  });
  try {
    return await seen;
  } finally {
    handle.close();
    await client.close();
  }
}

async function signedInDevice(dir: string, serviceEnv: NodeJS.ProcessEnv): Promise<NetnsDevice> {
  const device = await startNetnsDevice(dir, (doc, pin) => ({
    ...doc,
    forwardingProfiles: doc.forwardingProfiles.map((profile) => ({
      ...profile,
      trustedNetwork: { match: 'all', dnsServers: [OFFICE_DNS], dnsSearchDomains: [], hostnameResolves: [], defaultGateways: [], networkRanges: [], beacon: { address: BEACON_ADDRESS, spkiSha256: pin } },
      edgeSelection: { strategy: 'lowest-latency', edges: ['fast', 'slow'], recheckSeconds: 30 },
    })),
  }));
  await device.startService(serviceEnv);
  const approvals: Promise<void>[] = [];
  await runCli(device.service, ['login', '--no-qr'], (stdout) => {
    const code = userCodeFrom(stdout);
    if (code && approvals.length === 0) approvals.push(approveDeviceCode(device.portal.url, { email: 'user@example.test', password: device.portal.user.password }, code));
  });
  await Promise.all(approvals);
  return device;
}

async function failoverRound(device: NetnsDevice, probePeriodMs: number): Promise<number> {
  const usingFast = whenStatus(device.service.socket, (s) => s.protection.state === 'protected' && s.edge?.id === 'fast');
  await usingFast;
  // Edges die at any moment of the probe cycle: kill at a random phase of it, not right after a probe.
  await new Promise((resolve) => setTimeout(resolve, Math.random() * probePeriodMs));
  const switched = whenStatus(device.service.socket, (s) => s.edge?.id === 'slow');
  const killedAt = Date.now();
  device.edges.fast.proc.child.kill('SIGKILL');
  await device.edges.fast.proc.exited;
  const at = await switched;
  const settings = await new LocalApiClient(device.service.socket).request('browser-settings', {});
  const body = await inNetns(device.netns, ['curl', '-sS', '-x', `http://127.0.0.1:${SLOW_EDGE_PORT}`, '--proxy-user', `waygate:${settings.credentials?.token ?? ''}`, `http://origin.test:${device.originPort}/`]);
  if (!body.includes(ORIGIN_BODY)) throw new Error(`no request through the secondary after failover: ${body}`);
  await device.restartEdge('fast');
  return at - killedAt;
}

async function measureFailover(name: string, probePeriodMs: number): Promise<number[]> {
  const serviceEnv = { WAYGATE_EDGE_PROBE_MS: String(probePeriodMs) };
  const tmp = await tempDir(`bench-failover-${name}`);
  const device = await signedInDevice(tmp.dir, serviceEnv);
  const samples: number[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) samples.push(await failoverRound(device, probePeriodMs));
  } finally {
    await device.close();
    await tmp.cleanup();
  }
  return samples;
}

/** Network change → new plan published, and the kernel's own notification of the same change. */
async function measureNetworkChange(): Promise<{ plan: number[]; kernel: number[] }> {
  const tmp = await tempDir('bench-netchange');
  const device = await signedInDevice(tmp.dir, {});
  const plan: number[] = [];
  const kernel: number[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      await whenStatus(device.service.socket, (s) => s.protection.state === 'protected' && s.network.type === 'off-trusted');
      const monitor = spawn('ip', ['netns', 'exec', device.netns, 'ip', 'monitor', 'address']);
      const kernelSaw = new Promise<number>((resolve) => createInterface({ input: monitor.stdout }).once('line', () => resolve(Date.now())));
      await new Promise((resolve) => setTimeout(resolve, 200)); // let ip monitor subscribe
      const trusted = whenStatus(device.service.socket, (s) => s.network.type === 'trusted' && s.protection.state === 'off');
      const changedAt = Date.now();
      await device.joinOffice();
      plan.push((await trusted) - changedAt);
      kernel.push((await kernelSaw) - changedAt);
      monitor.kill();
      await device.leaveOffice();
    }
  } finally {
    await device.close();
    await tmp.cleanup();
  }
  return { plan, kernel };
}

await Promise.all([buildHost(), buildEdgeBundle()]);
try {
  const waygate = await measureFailover('waygate', 1000);
  const baseline = await measureFailover('periodic', 5000);
  const change = await measureNetworkChange();
  const line = (label: string, samples: number[]) => {
    const sorted = [...samples].sort((a, b) => a - b);
    return `${label.padEnd(44)} p50 ${percentile(sorted, 50).toFixed(0).padStart(6)} ms   max ${sorted.at(-1)!.toFixed(0).padStart(6)} ms   (n=${sorted.length})`;
  };
  const p50 = (samples: number[]) => percentile([...samples].sort((a, b) => a - b), 50);
  console.log(`\nfailover (${ROUNDS} rounds each)`);
  console.log(line('edge killed → secondary in use (1 s probes)', waygate));
  console.log(line('baseline: 5 s periodic health check', baseline));
  console.log(`ratio p50: ${(p50(waygate) / p50(baseline)).toFixed(2)}×   target p50 < 2000 ms: ${p50(waygate) < 2000 ? 'met' : 'NOT met'}`);
  console.log(line('network change → plan applied (trusted, off)', change.plan));
  console.log(line('floor: ip monitor sees the change', change.kernel));
  console.log(`target < 1000 ms: ${Math.max(...change.plan) < 1000 ? 'met (every round)' : p50(change.plan) < 1000 ? 'met at p50' : 'NOT met'}`);
} finally {
  await deleteAllNetns();
}
