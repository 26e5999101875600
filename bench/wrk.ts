/** Runs Debian's wrk against a URL with a Lua script and reads its throughput and latency figures. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface WrkResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx3xx: number;
  requests: number;
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : n;
}

export function parseWrk(output: string): WrkResult {
  const latency = (pct: string) => {
    const m = new RegExp(`^\\s*${pct}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(output);
    if (!m) throw new Error(`wrk output has no ${pct}% latency:\n${output}`);
    return toMs(m[1]!, m[2]!);
  };
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const total = /(\d+) requests in/.exec(output);
  const errors = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  if (!rps || !total) throw new Error(`unexpected wrk output:\n${output}`);
  return { requestsPerSecond: Number(rps[1]), p50Ms: latency('50'), p99Ms: latency('99'), non2xx3xx: errors ? Number(errors[1]) : 0, requests: Number(total[1]) };
}

export async function wrk(url: string, script: string, opts: { threads?: number; connections?: number; seconds?: number } = {}): Promise<WrkResult> {
  const args = ['-t', String(opts.threads ?? 2), '-c', String(opts.connections ?? 64), '-d', `${opts.seconds ?? 10}s`, '--latency', '-s', script, url];
  const { stdout } = await run('wrk', args, { maxBuffer: 16 * 1024 * 1024 });
  return parseWrk(stdout);
}
