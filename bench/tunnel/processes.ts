/**
 * The processes the tunnel benchmark starts inside its namespaces, each tracked by PID from spawn to
 * exit, so that cleanup (after a run, on a failure, on Ctrl-C) ends exactly these and nothing else.
 * `ip netns exec` execs the program itself, so the PID spawn returns is the program's own.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface BenchProcess {
  readonly name: string;
  readonly pid: number;
  /** Resolves with the exit code (null after a signal). */
  readonly exited: Promise<number | null>;
  /** Everything it printed so far (stdout and stderr), for error messages. */
  output(): string;
  /**
   * The first line (stdout or stderr, from the start) matching `pattern` that no earlier call took;
   * rejects if the process exits or the time runs out first.
   */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Writes one line to its stdin. */
  send(line: string): void;
  /** SIGTERM (or `signal`), then SIGKILL if it is still running after a grace period. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const live = new Set<BenchProcess>();
const GRACE_MS = 3000;
const MAX_OUTPUT_CHARS = 64 * 1024;

export interface SpawnOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export function spawnInNetns(name: string, netns: string, argv: readonly string[], options: SpawnOptions = {}): BenchProcess {
  const child = spawn('ip', ['netns', 'exec', netns, ...argv], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`Could not start ${name} (${argv[0] ?? ''}).`);
  const pid = child.pid;
  const lines: string[] = [];
  const taken = new Set<number>();
  let text = '';
  let exitCode: number | null | undefined;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      text = (text + line + '\n').slice(-MAX_OUTPUT_CHARS);
      wake();
    });
  }
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      live.delete(handle);
      wake();
      resolve(code);
    }),
  );
  const handle: BenchProcess = {
    name,
    pid,
    exited,
    output: () => text,
    async waitForLine(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (let seen = 0; ; ) {
        for (; seen < lines.length; seen += 1) {
          const line = lines[seen] ?? '';
          if (taken.has(seen) || !pattern.test(line)) continue;
          taken.add(seen);
          return line;
        }
        if (exitCode !== undefined) throw new Error(`${name} exited (${exitCode}) before printing ${pattern}. Its output:\n${text}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`${name} did not print ${pattern} within ${timeoutMs} ms. Its output:\n${text}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, left);
          function done() {
            clearTimeout(timer);
            waiters.delete(done);
            resolve();
          }
          waiters.add(done);
        });
      }
    },
    send(line) {
      child.stdin.write(`${line}\n`);
    },
    async stop(signal = 'SIGTERM') {
      if (exitCode !== undefined) return;
      process.kill(pid, signal);
      const killer = setTimeout(() => {
        if (exitCode === undefined) process.kill(pid, 'SIGKILL');
      }, GRACE_MS);
      await exited;
      clearTimeout(killer);
    },
  };
  // A child that dies on its own must not take the benchmark down with an EPIPE on its stdin.
  child.stdin.on('error', () => undefined);
  live.add(handle);
  return handle;
}

/** Stops every process this benchmark started and that is still running. */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...live].map((proc) => proc.stop().catch(() => undefined)));
}
