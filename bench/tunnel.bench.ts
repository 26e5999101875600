/**
 * tunnel: the Waygate packet tunnel against the ceiling and the usual VPNs, all in one run on the
 * same topology (bench/tunnel/topology.ts: client ns ── edge ns ── server ns, built fresh for each
 * variant and deleted after it). Needs root, /dev/net/tun, iperf3, wireguard-go + wireguard-tools,
 * openvpn, openssl.
 *
 * Variants: direct veth (the edge forwards: the ceiling), wireguard-go at both ends, OpenVPN UDP
 * AES-256-GCM, Waygate over wss:// and over ws://, and — a diagnostic, not a product figure —
 * Waygate over wss:// with both TUNs' rings cut from 500 to 16 packets. For each: iperf3 client →
 * server with 1 stream (ping every 20 ms alongside: RTT under load), 4 streams, reverse; idle ping
 * RTT; CPU of the tunnel's processes from /proc; where queues stand under load.
 *
 * `npm run bench -- tunnel [--quick]`. ONLY=veth,wireguard,openvpn,wss,ws,wss-q16 picks variants;
 * ROUNDS=N measures them all N times in turn and shows each variant's median round (by 1-stream
 * throughput); TUNNEL_CPU_PROF=DIR runs the Waygate children under `node --cpu-prof`.
 * Everything it starts is stopped by PID, and its namespaces and temp dir removed, also on failure
 * and on Ctrl-C.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { percentile } from './stats.js';
import { makeCerts } from './tunnel/certs.js';
import {
  breakdownMeter,
  checkReachable,
  cpuMeter,
  iperf,
  pingRtt,
  queueSampler,
  startIperfServer,
  waitForQuiet,
  type CpuUsage,
  type IperfResult,
  type ProcessBreakdown,
  type QueueSample,
  type RttSummary,
} from './tunnel/measure.js';
import { openVpn } from './tunnel/openvpn.js';
import { stopAllProcesses } from './tunnel/processes.js';
import { createTopology, deleteTopology, EDGE_CLIENT_SIDE, type Topology } from './tunnel/topology.js';
import type { RunningTunnel, Variant } from './tunnel/variant.js';
import { directVeth } from './tunnel/veth.js';
import { waygateTunnel } from './tunnel/waygate-variant.js';
import { wireguardGo } from './tunnel/wireguard.js';

const QUICK = process.argv.includes('--quick');
const IPERF_SECONDS = QUICK ? 2 : 5;
const IPERF_OMIT = QUICK ? 0 : 1;
const IDLE_PING_SECONDS = QUICK ? 1 : 3;
const PING_INTERVAL = 0.02;
const ROUNDS = Number(process.env.ROUNDS ?? 1);
/** How long to wait for other work on the machine to settle before each measurement. */
const QUIET_WAIT_MS = QUICK ? 10_000 : 30_000;

const TARGET_GBPS = 3;
const TARGET_RATIO = 5;
const TARGET_ADDED_RTT_MS = 0.5;

/** Program → the Debian package that brings it. */
const NEEDED: Record<string, string> = {
  ip: 'iproute2',
  tc: 'iproute2',
  ss: 'iproute2',
  ping: 'iputils-ping',
  nft: 'nftables',
  iperf3: 'iperf3',
  'wireguard-go': 'wireguard-go',
  wg: 'wireguard-tools',
  openvpn: 'openvpn',
  openssl: 'openssl',
};

function checkPrerequisites(): void {
  if (process.platform !== 'linux') throw new Error('The tunnel benchmark needs Linux (network namespaces, TUN).');
  if (process.getuid?.() !== 0) throw new Error('The tunnel benchmark needs root: it creates network namespaces and TUN devices.');
  if (!existsSync('/dev/net/tun')) throw new Error('The tunnel benchmark needs /dev/net/tun (modprobe tun).');
  const dirs = (process.env.PATH ?? '').split(delimiter);
  const missing = Object.keys(NEEDED).filter((program) => !dirs.some((dir) => existsSync(join(dir, program))));
  if (missing.length > 0) {
    throw new Error(`The tunnel benchmark needs ${missing.join(', ')}: apt-get install -y ${[...new Set(missing.map((p) => NEEDED[p]))].join(' ')}`);
  }
}

interface Measured {
  readonly variant: string;
  readonly notes: readonly string[];
  readonly idle: RttSummary;
  readonly loaded: RttSummary;
  readonly one: IperfResult;
  readonly four: IperfResult;
  readonly reverse: IperfResult;
  readonly cpu: { readonly one: CpuUsage; readonly four: CpuUsage; readonly reverse: CpuUsage };
  readonly breakdown: Record<string, ProcessBreakdown>;
  readonly stats: Record<string, unknown> | null;
  /** The outer TCP connection's kernel send queues during the 1-stream run (TCP tunnels only). */
  readonly queues: readonly QueueSample[];
  /** The machine's busy share just before measuring (other work), percent of one core. */
  readonly background: number;
  /** 1-stream Gbit/s of every round, when there were several. */
  readonly rounds: readonly number[];
  /** Why the rounds that failed failed (the row shows the median of the others). */
  readonly failedRounds: readonly string[];
}

type Outcome = Measured | { readonly variant: string; readonly failed: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(variant: Variant, dir: string): Promise<Measured> {
  const topology = await createTopology();
  try {
    const iperfServer = startIperfServer(topology.server);
    await iperfServer.waitForLine(/Server listening/, 10_000);
    const tunnel = await variant.start(topology, dir);
    try {
      return await measureTunnel(variant, topology, tunnel);
    } catch (error) {
      // iperf3's client only says "the server has terminated": the server's own output says why.
      const message = error instanceof Error ? error.message : String(error);
      const own = tunnel.diagnose ? `\n${tunnel.diagnose()}` : '';
      throw new Error(`${message}\niperf3 server output:\n${iperfServer.output().slice(-1000)}${own}`, { cause: error });
    } finally {
      await tunnel.stop();
      await iperfServer.stop();
    }
  } finally {
    await stopAllProcesses();
    await deleteTopology();
  }
}

async function measureTunnel(variant: Variant, topology: Topology, tunnel: RunningTunnel): Promise<Measured> {
  await checkReachable(topology.client, variant.name);
  const background = await waitForQuiet(QUIET_WAIT_MS);
  const idle = await pingRtt(topology.client, PING_INTERVAL, IDLE_PING_SECONDS);
  const seconds = IPERF_SECONDS;
  const omit = IPERF_OMIT;

  // 1 stream, with ping alongside once TCP is past its start.
  const stopCpu = cpuMeter(tunnel.processes);
  const stopBreakdown = breakdownMeter(tunnel.processes);
  const stopQueues = queueSampler(topology.client, topology.edge);
  const [oneResult, loaded] = await Promise.all([
    iperf(topology.client, { streams: 1, reverse: false, seconds, omit }),
    sleep(1000).then(() => pingRtt(topology.client, PING_INTERVAL, Math.max(1, seconds + omit - 1.5))),
  ]);
  const cpuOne = stopCpu();
  const breakdown = stopBreakdown();
  const queues = await stopQueues();

  const stopCpuFour = cpuMeter(tunnel.processes);
  const four = await iperf(topology.client, { streams: 4, reverse: false, seconds, omit });
  const cpuFour = stopCpuFour();
  const stopCpuReverse = cpuMeter(tunnel.processes);
  const reverse = await iperf(topology.client, { streams: 1, reverse: true, seconds, omit });
  const cpuReverse = stopCpuReverse();
  const stats = tunnel.stats ? await tunnel.stats() : null;
  return { variant: variant.name, notes: tunnel.notes, idle, loaded, one: oneResult, four, reverse, cpu: { one: cpuOne, four: cpuFour, reverse: cpuReverse }, breakdown, stats, queues, background, rounds: [oneResult.gbps], failedRounds: [] };
}

/**
 * The round whose 1-stream throughput is the median of the rounds that worked (so a row's figures
 * come from one run), with the failures of the others; the failure when none worked.
 */
function medianRound(outcomes: readonly Outcome[]): Outcome {
  const measured = outcomes.filter((o): o is Measured => !('failed' in o));
  const failures = outcomes.filter((o) => 'failed' in o).map((o) => ('failed' in o ? o.failed : ''));
  const middle = measured.slice().sort((a, b) => a.one.gbps - b.one.gbps)[Math.floor((measured.length - 1) / 2)];
  if (middle === undefined) return outcomes[0] ?? { variant: '?', failed: 'no rounds were measured' };
  return { ...middle, rounds: measured.map((o) => o.one.gbps), failedRounds: failures };
}

const f = (value: number, digits = 2) => value.toFixed(digits);

function printResults(outcomes: readonly Outcome[]): boolean {
  const env = [process.env.ONLY ? `ONLY=${process.env.ONLY}` : '', ROUNDS > 1 ? `ROUNDS=${ROUNDS}` : ''].filter(Boolean).join(' ');
  const command = `${env ? `${env} ` : ''}npm run bench -- tunnel${QUICK ? ' --quick' : ''}`;
  console.log(`\ntunnel — ${command}; iperf3 ${IPERF_SECONDS} s per run (${IPERF_OMIT} s omitted first), ping every ${PING_INTERVAL * 1000} ms`);
  console.log('CPU % = percent of one core (this machine has 2), during the 1-stream run; "machine" counts everything incl. iperf3 and the kernel.\n');
  console.log('| variant | 1 stream Gbit/s | 4 streams | reverse | idle RTT p50 ms | RTT under load p50 ms (added) | tunnel CPU % | machine CPU % |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const o of outcomes) {
    if ('failed' in o) {
      console.log(`| ${o.variant} | FAILED: ${o.failed.split('\n')[0] ?? ''} | | | | | | |`);
      continue;
    }
    const added = o.loaded.p50 - o.idle.p50;
    const procs = Object.entries(o.cpu.one.byRole).map(([role, pct]) => `${role.replace(/^(waygate|openvpn|wireguard-go) /, '')} ${f(pct, 0)}`).join(', ');
    const failedNote = o.failedRounds.length > 0 ? ` (${o.failedRounds.length} of ${o.failedRounds.length + o.rounds.length} rounds FAILED)` : '';
    console.log(
      `| ${o.variant}${failedNote} | ${f(o.one.gbps)} | ${f(o.four.gbps)} | ${f(o.reverse.gbps)} | ${f(o.idle.p50, 3)} | ${f(o.loaded.p50, 3)} (${added >= 0 ? '+' : ''}${f(added, 3)}) | ${o.cpu.one.tunnel === 0 ? '— (kernel)' : `${f(o.cpu.one.tunnel, 0)} (${procs})`} | ${f(o.cpu.one.machine, 0)} |`,
    );
  }

  console.log('\ndetails:');
  for (const o of outcomes) {
    if ('failed' in o) {
      console.log(`- ${o.variant}: FAILED\n${o.failed}`);
      continue;
    }
    console.log(`- ${o.variant}: ${o.notes.join('; ')}`);
    for (const failure of o.failedRounds) console.log(`  A ROUND FAILED (${o.failedRounds.length} of ${o.failedRounds.length + o.rounds.length}; the row is the median of the others):\n${failure}`);
    console.log(`  retransmits 1/4/rev: ${o.one.retransmits ?? '?'}/${o.four.retransmits ?? '?'}/${o.reverse.retransmits ?? '?'}; RTT idle p90 ${f(o.idle.p90, 3)} ms, under load p90 ${f(o.loaded.p90, 3)} ms (lost ${o.loaded.lost}/${o.loaded.count + o.loaded.lost})`);
    console.log(`  other work on the machine just before: ${f(o.background, 0)} % of a core${o.rounds.length > 1 ? `; 1-stream Gbit/s per round ${o.rounds.map((g) => f(g)).join(', ')} (the median round is shown)` : ''}`);
    const queued = (which: keyof QueueSample['tcp']) => {
      const sorted = o.queues.map((q) => q.tcp[which]).sort((a, b) => a - b);
      return `${which} p50 ${f(percentile(sorted, 50) / 1024, 0)} KiB, max ${f((sorted.at(-1) ?? 0) / 1024, 0)} KiB`;
    };
    if (o.queues.some((q) => Object.values(q.tcp).some((bytes) => bytes > 0))) {
      console.log(`  outer TCP kernel queues under load: ${(['deviceSend', 'edgeReceive', 'edgeSend', 'deviceReceive'] as const).map(queued).join('; ')}`);
    }
    const devs = [...new Set(o.queues.flatMap((q) => Object.keys(q.qdisc)))];
    const backlog = (dev: string) => {
      const sorted = o.queues.map((q) => q.qdisc[dev] ?? 0).sort((a, b) => a - b);
      return `${dev} p50 ${f(percentile(sorted, 50) / 1024, 0)} KiB, max ${f((sorted.at(-1) ?? 0) / 1024, 0)} KiB`;
    };
    if (o.queues.length > 0) console.log(`  qdisc backlog under load (${o.queues.length} samples): ${devs.length > 0 ? devs.map(backlog).join('; ') : 'none seen'}`);
    console.log(`  tunnel CPU % 4 streams ${f(o.cpu.four.tunnel, 0)}, reverse ${f(o.cpu.reverse.tunnel, 0)}; machine softirq % (1 stream) ${f(o.cpu.one.softirq, 0)}`);
    for (const [role, b] of Object.entries(o.breakdown)) {
      console.log(`  ${role}: user ${f(b.user, 0)} %, system ${f(b.system, 0)} %; threads ${b.threads.map(([name, pct]) => `${name} ${f(pct, 0)}`).join(', ')}`);
    }
    if (o.stats !== null) console.log(`  counters: ${JSON.stringify(o.stats)}`);
  }

  const byName = new Map(outcomes.map((o) => [o.variant, o]));
  const wss = byName.get('Waygate (wss)');
  let met = true;
  if (wss === undefined || 'failed' in wss) {
    console.log('\nno Waygate (wss) result: no ratios or targets.');
    return outcomes.every((o) => !('failed' in o) && o.failedRounds.length === 0);
  }
  console.log('\nratios Waygate (wss) ÷ baseline (1 stream / 4 streams / reverse):');
  for (const name of ['OpenVPN', 'wireguard-go', 'direct veth', 'Waygate (ws)', 'Waygate (wss, TUN txqueuelen 16)']) {
    const base = byName.get(name);
    if (base === undefined || 'failed' in base) continue;
    const ratio = (a: IperfResult, b: IperfResult) => `${f(a.gbps / b.gbps)}×`;
    console.log(`  ÷ ${name.padEnd(13)} ${ratio(wss.one, base.one)} / ${ratio(wss.four, base.four)} / ${ratio(wss.reverse, base.reverse)}`);
  }
  const check = (label: string, ok: boolean) => {
    met &&= ok;
    console.log(`  ${label}: ${ok ? 'met' : 'NOT met'}`);
  };
  console.log('targets:');
  check(`≥ ${TARGET_GBPS} Gbit/s single stream over wss (${f(wss.one.gbps)})`, wss.one.gbps >= TARGET_GBPS);
  for (const name of ['OpenVPN', 'wireguard-go']) {
    const base = byName.get(name);
    if (base !== undefined && !('failed' in base)) check(`≥ ${TARGET_RATIO}× ${name} single stream (${f(wss.one.gbps / base.one.gbps)}×)`, wss.one.gbps / base.one.gbps >= TARGET_RATIO);
  }
  const added = wss.loaded.p50 - wss.idle.p50;
  check(`added RTT under load ≤ ${TARGET_ADDED_RTT_MS} ms (${f(added, 3)} ms at p50)`, added <= TARGET_ADDED_RTT_MS);
  return outcomes.every((o) => !('failed' in o) && o.failedRounds.length === 0) && met;
}

checkPrerequisites();
const dir = await mkdtemp(join(tmpdir(), 'waygate-bench-tunnel-'));
let cleaning: Promise<void> | null = null;
const cleanup = () => (cleaning ??= (async () => {
  await stopAllProcesses();
  await deleteTopology();
  await rm(dir, { recursive: true, force: true });
})());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the tunnel benchmark's processes and removing its namespaces…`);
    void cleanup().finally(() => process.exit(130));
  });
}

try {
  const certs = await makeCerts(dir, EDGE_CLIENT_SIDE);
  const all: readonly [string, Variant][] = [
    ['veth', directVeth],
    ['wireguard', wireguardGo],
    ['openvpn', openVpn(certs)],
    ['wss', waygateTunnel('wss', certs)],
    ['ws', waygateTunnel('ws', certs)],
    ['wss-q16', waygateTunnel('wss', certs, { txQueueLength: 16 })],
  ];
  const only = process.env.ONLY?.split(',').map((s) => s.trim());
  const chosen = all.filter(([key]) => only === undefined || only.includes(key)).map(([, variant]) => variant);
  // Rounds go through every variant in turn, so slow drift on the machine hits them all alike.
  const runs = new Map<string, Outcome[]>(chosen.map((variant) => [variant.name, []]));
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const variant of chosen) {
      console.error(`measuring ${variant.name}${ROUNDS > 1 ? ` (round ${round} of ${ROUNDS})` : ''}…`);
      const outcome: Outcome = await measure(variant, dir).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        console.error(`${variant.name} FAILED: ${message}`);
        return { variant: variant.name, failed: message };
      });
      runs.get(variant.name)?.push(outcome);
    }
  }
  if (!printResults(chosen.map((variant) => medianRound(runs.get(variant.name) ?? [])))) process.exitCode = 1;
} finally {
  await cleanup();
}
