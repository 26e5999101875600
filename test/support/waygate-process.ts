/**
 * Runs the built `waygate` binary as a child process, the way a user or the browser would, and
 * waits on its events (log lines, exit) rather than on sleeps.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { HOST_BUNDLE } from '../../scripts/build-host.js';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface WaygateProcess {
  child: ChildProcess;
  /** Everything written to stderr so far (the structured log). */
  stderr(): string;
  exited: Promise<Exit>;
}

export function spawnWaygate(args: string[], env: NodeJS.ProcessEnv = {}): WaygateProcess {
  return spawnBundle(HOST_BUNDLE, args, env);
}

/** Runs one of the built programs (`waygate`, `waygate-edge`) with the test's environment. */
export function spawnBundle(bundle: string, args: string[], env: NodeJS.ProcessEnv = {}): WaygateProcess {
  const child = spawn(process.execPath, [bundle, ...args], {
    env: { ...process.env, WAYGATE_LOG_LEVEL: 'info', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, stderr: () => stderr, exited };
}

/** Resolves when the process logs a line containing `text`; rejects if it exits first or time runs out. */
export function waitForLog(proc: WaygateProcess, text: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!proc.stderr().includes(text)) return false;
      cleanup();
      resolve();
      return true;
    };
    const onData = () => void check();
    const onExit = () => {
      if (check()) return;
      cleanup();
      reject(new Error(`process exited before logging "${text}":\n${proc.stderr()}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no "${text}" in ${timeoutMs} ms:\n${proc.stderr()}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      proc.child.stderr!.off('data', onData);
      proc.child.off('exit', onExit);
    };
    proc.child.stderr!.on('data', onData);
    proc.child.once('exit', onExit);
    check();
  });
}

/**
 * The environment that keeps everything a Waygate process writes inside `dir`: its state dir and
 * the desktop settings it may change (GNOME keyfile and KDE kioslaverc under a private
 * XDG_CONFIG_HOME), so a test never touches the machine's own.
 */
export function isolatedEnv(dir: string): NodeJS.ProcessEnv {
  return {
    WAYGATE_STATE_DIR: join(dir, 'state'),
    XDG_CONFIG_HOME: join(dir, 'xdg-config'),
    XDG_STATE_HOME: join(dir, 'xdg-state'),
    GSETTINGS_BACKEND: 'keyfile',
    // Tests never send traffic off the machine: no captive-portal probe to the internet.
    WAYGATE_CAPTIVE_PROBE_URL: 'off',
    // Many services run at once: each local proxy takes any free port rather than racing for 3128.
    WAYGATE_LOCAL_PROXY_PORT: '0',
  };
}

/** Starts `waygate service` on `socketPath` (state beside it) and resolves once it listens. */
export async function startServiceProcess(socketPath: string): Promise<WaygateProcess> {
  const proc = spawnWaygate(['service', '--socket', socketPath], isolatedEnv(dirname(socketPath)));
  await waitForLog(proc, 'service: listening');
  return proc;
}

/** Ends a process this test started, by its PID, and waits for it to be gone. */
export async function stopProcess(proc: WaygateProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill(signal);
  return proc.exited;
}

/** A private temp dir for one test, removed by the returned cleanup. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `waygate-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
