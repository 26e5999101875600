/** The JSON-line events of the test children (tunnel-edge-child.ts, tunnel-device-child.ts). */
import type { BenchProcess } from './processes.js';

export type ChildEvent = Record<string, unknown> & { event: string };

/** The next event named `name` from the child; rejects if it exits or the time runs out first. */
export async function nextEvent(proc: BenchProcess, name: string, timeoutMs = 30_000): Promise<ChildEvent> {
  const line = await proc.waitForLine(new RegExp(`^\\{"event":"${name}"`), timeoutMs);
  return JSON.parse(line) as ChildEvent;
}

/** `node --import tsx SCRIPT` with the profiler on when TUNNEL_CPU_PROF names a directory. */
export function tsNode(script: string): string[] {
  const profile = process.env.TUNNEL_CPU_PROF;
  return [process.execPath, '--import', 'tsx', ...(profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : []), script];
}
