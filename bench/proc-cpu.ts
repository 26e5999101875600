/**
 * CPU time a process (and its live child processes, such as Squid's log daemon) has used, from
 * /proc/PID/stat: utime + stime. Linux only; read before and after a run and subtract.
 */
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of /proc/PID/stat times. 100 on every Linux this bench runs on. */
const TICKS_PER_SECOND = 100;

function ownSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Seconds of CPU used so far by `pid` and its live descendants. */
export function cpuSeconds(pid: number): number {
  return ownSeconds(pid) + childrenOf(pid).reduce((sum, child) => sum + cpuSeconds(child), 0);
}
