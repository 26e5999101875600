/**
 * Starts one of the bench's helper scripts (a .ts file run with `node --import tsx`) as its own
 * process and resolves with the JSON object it prints as its first stdout line once it is ready.
 * The helper's stdin stays an open pipe: a helper exits when it closes, so nothing outlives a bench
 * that died without cleaning up. Stderr is passed through.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export interface TsChild {
  child: ChildProcess;
  pid: number;
  ready: unknown;
  /** SIGTERM by PID, then SIGKILL if it is still there after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export async function startTsChild(script: string, args: readonly string[] = [], nodeFlags: readonly string[] = []): Promise<TsChild> {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...args], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (graceMs = 5000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    const ready = await new Promise<unknown>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.once('line', (line) => {
        lines.close();
        try {
          resolve(JSON.parse(line));
        } catch {
          reject(new Error(`${script} printed ${JSON.stringify(line)} instead of its JSON ready line`));
        }
      });
      child.once('exit', (code, signal) => reject(new Error(`${script} exited (${code ?? signal}) before it was ready`)));
      child.once('error', reject);
    });
    // Keep draining stdout so the helper never blocks on a full pipe.
    child.stdout.resume();
    if (child.pid === undefined) throw new Error(`${script} has no pid`);
    return { child, pid: child.pid, ready, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** For helpers: exit when the bench that started us closes our stdin (it is gone) or sends SIGTERM. */
export function exitWithParent(shutdown: () => Promise<void>): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop).resume();
}
