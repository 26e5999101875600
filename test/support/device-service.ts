/**
 * A real `waygate service` for one test, with everything it owns kept in the test's temp dir: its
 * socket, its state dir, and the desktop settings it may change (GNOME keyfile and KDE kioslaverc
 * under a private XDG_CONFIG_HOME, so the machine's own settings are never touched). Plus the CLI
 * run against it, and the portal-side approval of a device code as the user would give it.
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Status } from '../../protocol/localapi.js';
import { HOST_BUNDLE } from '../../scripts/build-host.js';
import { signIn, type Credentials } from './portal-sign-in.js';
import { isolatedEnv, spawnWaygate, waitForLog, type WaygateProcess } from './waygate-process.js';

export interface DeviceServiceOptions {
  dir: string;
  portalUrl: string;
  args?: string[];
}

export interface DeviceService {
  proc: WaygateProcess;
  socket: string;
  stateDir: string;
  env: NodeJS.ProcessEnv;
}


export async function startDeviceService({ dir, portalUrl, args = [] }: DeviceServiceOptions): Promise<DeviceService> {
  const socket = join(dir, 'waygate.sock');
  const stateDir = join(dir, 'state');
  const env = isolatedEnv(dir);
  await mkdir(join(dir, 'xdg-config'), { recursive: true });
  const proc = spawnWaygate(['service', '--socket', socket, '--state-dir', stateDir, '--portal-url', portalUrl, ...args], env);
  await waitForLog(proc, 'service: listening');
  return { proc, socket, stateDir, env };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `waygate ARGS --socket S` to completion. `onStdout` sees output as it arrives (for `login`). */
export function runCli(service: Pick<DeviceService, 'socket' | 'env'>, args: string[], onStdout?: (text: string) => void): Promise<CliResult> {
  const child = spawn(process.execPath, [HOST_BUNDLE, ...args, '--socket', service.socket], { env: { ...process.env, ...service.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    onStdout?.(stdout);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** `waygate status --json`, parsed; throws with the CLI's stderr when it fails. */
export async function readStatus(service: Pick<DeviceService, 'socket' | 'env'>): Promise<Status> {
  const result = await runCli(service, ['status', '--json']);
  if (result.code !== 0) throw new Error(`waygate status failed (${String(result.code)}): ${result.stderr}`);
  return Status.parse(JSON.parse(result.stdout));
}

/** Signs in to the portal as `who` and approves `userCode` on the verification page, as the person would. */
export async function approveDeviceCode(portalUrl: string, who: Credentials, userCode: string): Promise<void> {
  const session = await signIn(portalUrl, who);
  const page = await session.fetch(`/device?user_code=${encodeURIComponent(userCode)}`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error(`no approval form for ${userCode}`);
  const res = await session.fetch('/device/approve', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ user_code: userCode, _csrf: csrf }),
  });
  if (res.status !== 200) throw new Error(`approving ${userCode}: HTTP ${res.status}`);
}

/**
 * `waygate login` as a person does it: the CLI prints a code, and `who` approves it on the portal's
 * page. Resolves with the CLI's result once both are done.
 */
export async function loginWithApproval(service: Pick<DeviceService, 'socket' | 'env'>, portalUrl: string, who: Credentials): Promise<CliResult> {
  const approvals: Promise<void>[] = [];
  const login = await runCli(service, ['login', '--no-qr'], (stdout) => {
    const code = userCodeFrom(stdout);
    if (code && approvals.length === 0) approvals.push(approveDeviceCode(portalUrl, who, code));
  });
  await Promise.all(approvals);
  return login;
}

/** Waits until `waygate login` prints the code, then returns it. */
export function userCodeFrom(stdout: string): string | null {
  return /code ([A-Z]{4}-[A-Z]{4})/.exec(stdout)?.[1] ?? null;
}

export { type WaygateProcess };
