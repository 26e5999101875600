/**
 * What the tunnel benchmark measures, each through real programs in the namespaces: iperf3 (JSON
 * output parsed and checked: a run that did not happen is an error, never a zero), ping RTT
 * samples, and CPU from /proc (the tunnel's processes, and the whole machine for the kernel's share).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { cpuSeconds } from '../proc-cpu.js';
import { inNetns } from '../../test/support/netns.js';
import { percentile } from '../stats.js';
import { spawnInNetns, type BenchProcess } from './processes.js';
import { CLIENT_IP, EDGE_CLIENT_SIDE, SERVER_IP } from './topology.js';

export interface IperfOptions {
  readonly streams: number;
  readonly reverse: boolean;
  readonly seconds: number;
  /** Leading seconds left out of the result (TCP slow start). */
  readonly omit: number;
}

export interface IperfResult {
  /** What the receiving side got, Gbit/s (10⁹). */
  readonly gbps: number;
  readonly retransmits: number | null;
  readonly seconds: number;
}

export function startIperfServer(netns: string): BenchProcess {
  return spawnInNetns('iperf3 server', netns, ['iperf3', '-s', '-B', SERVER_IP, '--forceflush']);
}

interface IperfJson {
  error?: string;
  end?: {
    sum_received?: { bits_per_second?: number; seconds?: number };
    sum_sent?: { retransmits?: number };
  };
}

export async function iperf(netns: string, options: IperfOptions): Promise<IperfResult> {
  const args = ['iperf3', '-c', SERVER_IP, '-J', '-t', String(options.seconds), '-O', String(options.omit), '-P', String(options.streams)];
  if (options.reverse) args.push('-R');
  const client = spawnInNetns(`iperf3 ${args.slice(3).join(' ')}`, netns, args);
  // A tunnel that dies mid-run leaves iperf3 waiting forever for the server's end of test.
  const limitSeconds = options.seconds + options.omit + 20;
  let overran = false;
  const limit = setTimeout(() => {
    overran = true;
    void client.stop('SIGKILL');
  }, limitSeconds * 1000);
  const code = await client.exited;
  clearTimeout(limit);
  if (overran) throw new Error(`iperf3 ${args.slice(3).join(' ')} did not finish within ${limitSeconds} s: the tunnel stalled or died during the run.`);
  const text = client.output();
  let parsed: IperfJson;
  try {
    parsed = JSON.parse(text) as IperfJson;
  } catch {
    throw new Error(`iperf3 (exit ${code}) printed no JSON:\n${text.slice(0, 2000)}`);
  }
  const bps = parsed.end?.sum_received?.bits_per_second;
  if (parsed.error !== undefined || code !== 0 || typeof bps !== 'number' || !(bps > 0)) {
    throw new Error(`iperf3 ${args.slice(3).join(' ')} did not run: ${parsed.error ?? `exit ${code}, no received bytes`}`);
  }
  return { gbps: bps / 1e9, retransmits: parsed.end?.sum_sent?.retransmits ?? null, seconds: parsed.end?.sum_received?.seconds ?? options.seconds };
}

export interface RttSummary {
  readonly count: number;
  readonly lost: number;
  readonly p50: number;
  readonly p90: number;
  readonly mean: number;
}

/** `ping -i interval` to the server for `seconds` (whole seconds: ping's -w); RTT in milliseconds. Root allows intervals under 0.2 s. */
export async function pingRtt(netns: string, intervalSeconds: number, seconds: number): Promise<RttSummary> {
  const proc = spawnInNetns('ping', netns, ['ping', '-n', '-i', String(intervalSeconds), '-w', String(Math.max(1, Math.floor(seconds))), SERVER_IP]);
  await proc.exited;
  const text = proc.output();
  const samples = [...text.matchAll(/time=([\d.]+) ms/g)].map((match) => Number(match[1]));
  const sent = Number(/(\d+) packets transmitted/.exec(text)?.[1] ?? samples.length);
  if (samples.length === 0) throw new Error(`ping to ${SERVER_IP} got no answers:\n${text.slice(0, 2000)}`);
  const sorted = samples.sort((a, b) => a - b);
  return { count: sorted.length, lost: sent - sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

/** Fails with the ping output unless the server answers through the tunnel. */
export async function checkReachable(netns: string, what: string): Promise<void> {
  const proc = spawnInNetns('ping', netns, ['ping', '-n', '-c', '3', '-i', '0.2', '-W', '3', SERVER_IP]);
  const code = await proc.exited;
  if (code !== 0) throw new Error(`${what}: the server ${SERVER_IP} does not answer ping through the tunnel:\n${proc.output()}`);
}

export interface TunnelProcess {
  /** What it is, for the results: "edge", "device", "wireguard-go client"... */
  readonly role: string;
  readonly pid: number;
}

interface MachineTicks {
  busy: number;
  softirq: number;
  total: number;
}

function machineTicks(): MachineTicks {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: total - idle - iowait, softirq, total };
}

export interface CpuUsage {
  /** Percent of one core, per tunnel process (role → %). */
  readonly byRole: Record<string, number>;
  /** Their sum: 200 would be both cores of this machine. */
  readonly tunnel: number;
  /** The whole machine (iperf3, the kernel's forwarding and softirq, everything else), percent of one core. */
  readonly machine: number;
  /** The machine's softirq share alone (packet processing in the kernel), percent of one core. */
  readonly softirq: number;
}

/** Starts counting CPU; the returned function stops and reports. */
export function cpuMeter(processes: readonly TunnelProcess[]): () => CpuUsage {
  const startedAt = process.hrtime.bigint();
  const before = processes.map((proc) => cpuSeconds(proc.pid));
  const machineBefore = machineTicks();
  return () => {
    const wall = Number(process.hrtime.bigint() - startedAt) / 1e9;
    const machineAfter = machineTicks();
    const byRole: Record<string, number> = {};
    processes.forEach((proc, i) => (byRole[proc.role] = ((cpuSeconds(proc.pid) - (before[i] ?? 0)) / wall) * 100));
    const cores = cpus().length;
    const share = (key: keyof MachineTicks) => ((machineAfter[key] - machineBefore[key]) / (machineAfter.total - machineBefore.total)) * 100 * cores;
    return { byRole, tunnel: Object.values(byRole).reduce((a, b) => a + b, 0), machine: share('busy'), softirq: share('softirq') };
  };
}

/** USER_HZ, as in proc-cpu.ts. */
const TICKS_PER_SECOND = 100;

interface ThreadTimes {
  user: number;
  system: number;
  byThread: Map<string, number>;
}

function statTimes(path: string): { comm: string; user: number; system: number } {
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), user: Number(fields[11]) / TICKS_PER_SECOND, system: Number(fields[12]) / TICKS_PER_SECOND };
}

function threadTimes(pid: number): ThreadTimes {
  const times: ThreadTimes = { user: 0, system: 0, byThread: new Map() };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const { comm, user, system } = statTimes(`/proc/${pid}/task/${tid}/stat`);
      times.user += user;
      times.system += system;
      times.byThread.set(comm, (times.byThread.get(comm) ?? 0) + user + system);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return times;
}

export interface ProcessBreakdown {
  /** Percent of one core in user mode (the program itself: JS, crypto, copies). */
  readonly user: number;
  /** Percent of one core in the kernel on its behalf (syscalls: TUN and socket reads and writes). */
  readonly system: number;
  /** Percent of one core per thread name, busiest first. */
  readonly threads: readonly (readonly [string, number])[];
}

/** Like cpuMeter, split into user and system time and by thread name, for finding where a process spends. */
export function breakdownMeter(processes: readonly TunnelProcess[]): () => Record<string, ProcessBreakdown> {
  const startedAt = process.hrtime.bigint();
  const before = processes.map((proc) => threadTimes(proc.pid));
  return () => {
    const wall = Number(process.hrtime.bigint() - startedAt) / 1e9;
    const result: Record<string, ProcessBreakdown> = {};
    processes.forEach((proc, i) => {
      const start = before[i];
      const end = threadTimes(proc.pid);
      if (start === undefined) return;
      const pct = (seconds: number) => (seconds / wall) * 100;
      const threads = [...end.byThread].map(([comm, seconds]) => [comm, pct(seconds - (start.byThread.get(comm) ?? 0))] as const).filter(([, p]) => p >= 0.5);
      result[proc.role] = { user: pct(end.user - start.user), system: pct(end.system - start.system), threads: threads.sort((a, b) => b[1] - a[1]) };
    });
    return result;
  };
}

/** The whole machine's busy CPU over `ms`, percent of one core. */
export async function machineBusy(ms: number): Promise<number> {
  const before = machineTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = machineTicks();
  return ((after.busy - before.busy) / (after.total - before.total)) * 100 * cpus().length;
}

/**
 * Waits (up to `maxWaitMs`) until the machine is nearly idle, since other work on two cores moves
 * every figure; resolves with the busy share it last saw (percent of one core), to be reported.
 */
export async function waitForQuiet(maxWaitMs: number, thresholdPercent = 25): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  let busy = await machineBusy(1000);
  let said = false;
  while (busy > thresholdPercent && Date.now() < deadline) {
    if (!said) console.error(`  the machine is busy with other work (${busy.toFixed(0)} % of a core); waiting up to ${Math.round(maxWaitMs / 1000)} s for it to settle…`);
    said = true;
    busy = await machineBusy(1000);
  }
  return busy;
}

/** Bytes queued in the kernel on the TCP connections between the client's and the edge's addresses (a TCP tunnel). */
export interface TcpQueues {
  /** Sent by the device and not yet acknowledged by the edge's kernel. */
  readonly deviceSend: number;
  /** Acknowledged by the edge's kernel and not yet read by the edge process. */
  readonly edgeReceive: number;
  /** Sent by the edge and not yet acknowledged by the device's kernel. */
  readonly edgeSend: number;
  /** Acknowledged by the device's kernel and not yet read by the device process. */
  readonly deviceReceive: number;
}

export interface QueueSample {
  readonly tcp: TcpQueues;
  /** Bytes waiting in each interface's qdisc, `client:DEV` / `edge:DEV` (only those with a backlog). */
  readonly qdisc: Record<string, number>;
}

/** Recv-Q and Send-Q summed over the established TCP connections to `peer`. */
async function tcpQueues(netns: string, peer: string): Promise<{ receive: number; send: number }> {
  const text = await inNetns(netns, ['ss', '-Htn', 'state', 'established', 'dst', peer]).catch(() => '');
  const rows = text.split('\n').map((line) => line.trim().split(/\s+/).map(Number));
  return { receive: rows.reduce((sum, row) => sum + (row[0] || 0), 0), send: rows.reduce((sum, row) => sum + (row[1] || 0), 0) };
}

const parseQdiscs = (value: unknown): { dev: string; backlog: number }[] =>
  Array.isArray(value) ? value.flatMap((q: { dev?: unknown; backlog?: unknown }) => (typeof q.dev === 'string' && typeof q.backlog === 'number' ? [{ dev: q.dev, backlog: q.backlog }] : [])) : [];

async function qdiscBacklogs(netns: string, side: string, into: Record<string, number>): Promise<void> {
  const text = await inNetns(netns, ['tc', '-s', '-j', 'qdisc', 'show']).catch(() => '[]');
  for (const { dev, backlog } of parseQdiscs(JSON.parse(text || '[]'))) if (backlog > 0) into[`${side}:${dev}`] = (into[`${side}:${dev}`] ?? 0) + backlog;
}

/**
 * Samples, every `everyMs` until stopped, where a standing queue can build under load: the outer
 * TCP connection's kernel queues at both ends (TCP tunnels) and every interface's qdisc backlog in the client and
 * edge namespaces (the TUNs' queues in front of the tunnel processes).
 */
export function queueSampler(clientNetns: string, edgeNetns: string, everyMs = 250): () => Promise<QueueSample[]> {
  const samples: QueueSample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const qdisc: Record<string, number> = {};
      const [device, edge] = await Promise.all([
        tcpQueues(clientNetns, EDGE_CLIENT_SIDE),
        tcpQueues(edgeNetns, CLIENT_IP),
        qdiscBacklogs(clientNetns, 'client', qdisc),
        qdiscBacklogs(edgeNetns, 'edge', qdisc),
      ]);
      samples.push({ tcp: { deviceSend: device.send, edgeReceive: edge.receive, edgeSend: edge.send, deviceReceive: device.receive }, qdisc });
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return samples;
  };
}
