/**
 * Network namespaces for root-only platform tests: every namespace is created by the test, named
 * `wgt-<pid>-<n>` so parallel files never meet, and deleted afterwards. Nothing here touches the
 * root namespace's interfaces, addresses or firewall.
 *
 * `netnsBlocker()` says why such tests cannot run here (skip with that message), except in CI
 * (CI=true), where a missing prerequisite is a failure rather than a silently thinner run.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const REPO_ROOT = join(import.meta.dirname, '..', '..');

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => existsSync(join(dir, program)));
}

/** Why root-only namespace tests cannot run (null when they can); throws in CI instead of skipping. */
export function netnsBlocker(programs: readonly string[]): string | null {
  const packages: Record<string, string> = { ip: 'iproute2', ping: 'iputils-ping', nft: 'nftables', dnsmasq: 'dnsmasq-base' };
  let missing: string | null = null;
  if (process.platform !== 'linux') missing = 'they need Linux';
  else if (process.getuid?.() !== 0) missing = 'they need root (to create network namespaces and TUN devices)';
  else if (!existsSync('/dev/net/tun')) missing = 'they need /dev/net/tun (modprobe tun)';
  else {
    const absent = programs.filter((program) => !onPath(program));
    if (absent.length > 0) missing = `they need ${absent.join(', ')} (apt-get install -y ${absent.map((p) => packages[p] ?? p).join(' ')})`;
  }
  if (missing === null) return null;
  if (process.env.CI === 'true') throw new Error(`The TUN and netconfig tests must run in CI, but ${missing}.`);
  console.warn(`Skipping the TUN and netconfig tests: ${missing}.`);
  return missing;
}

let created = 0;
const live = new Set<string>();

/** Runs a program; rejects with its stderr when it exits non-zero. */
export async function run(argv: readonly string[]): Promise<string> {
  const [program = '', ...args] = argv;
  try {
    return (await execFileAsync(program, args, { encoding: 'utf8' })).stdout;
  } catch (error) {
    const stderr = error instanceof Error && 'stderr' in error ? String(error.stderr) : '';
    throw new Error(`\`${argv.join(' ')}\` failed: ${stderr || String(error)}`, { cause: error });
  }
}

export async function createNetns(): Promise<string> {
  created += 1;
  const name = `wgt-${process.pid}-${created}`;
  await run(['ip', 'netns', 'add', name]);
  live.add(name);
  await run(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

/** Deletes every namespace this process created; call from afterAll so failures clean up too. */
export async function deleteAllNetns(): Promise<void> {
  for (const name of live) {
    await run(['ip', 'netns', 'delete', name]).catch(() => undefined);
    live.delete(name);
  }
}

export function inNetns(netns: string, argv: readonly string[]): Promise<string> {
  return run(['ip', 'netns', 'exec', netns, ...argv]);
}

export type ChildEvent = Record<string, unknown> & { event: string };

/** A TypeScript child in a namespace that speaks JSON lines: events out on stdout, commands in on stdin. */
export class NetnsChild {
  private readonly events: ChildEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private stderr = '';
  private exitCode: number | null | undefined = undefined;
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(netns: string, script: string, args: readonly string[]) {
    this.child = spawn('ip', ['netns', 'exec', netns, process.execPath, '--import', 'tsx', join(REPO_ROOT, 'test', 'support', script), ...args], {
      cwd: REPO_ROOT,
    });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.events.push(JSON.parse(line) as ChildEvent);
      this.wake();
    });
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code) => {
        this.exitCode = code;
        this.wake();
        resolve(code);
      }),
    );
  }

  /** The first event named `name` not taken yet; rejects if the child exits before sending it. */
  async next(name: string): Promise<ChildEvent> {
    for (;;) {
      const index = this.events.findIndex((event) => event.event === name);
      if (index !== -1) return this.events.splice(index, 1)[0]!;
      if (this.exitCode !== undefined) throw new Error(`The child exited (${this.exitCode}) before sending "${name}". stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
  }

  send(command: string): void {
    this.child.stdin.write(`${command}\n`);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }
}

/**
 * Like `netnsBlocker`, for namespace tests that need root and `programs` but no TUN: `suite` names
 * them in the skip message (and in the CI failure).
 */
export function rootNetnsBlocker(suite: string, programs: readonly string[]): string | null {
  let missing: string | null = null;
  if (process.platform !== 'linux') missing = 'they need Linux';
  else if (process.getuid?.() !== 0) missing = 'they need root (to create network namespaces)';
  else {
    const absent = programs.filter((program) => !onPath(program));
    if (absent.length > 0) missing = `they need ${absent.join(', ')} (apt-get install -y ${absent.join(' ')})`;
  }
  if (missing === null) return null;
  if (process.env.CI === 'true') throw new Error(`${suite} must run in CI, but ${missing}.`);
  console.warn(`Skipping ${suite}: ${missing}.`);
  return missing;
}

const etcDirs = new Set<string>();

/**
 * Writes /etc/netns/NETNS/FILE, which `ip netns exec` bind-mounts over /etc/FILE for the processes it
 * starts (only if the file exists when they start). Rewrites go into the same inode, since a process
 * already running keeps seeing the inode that was mounted: a rename would hide the change from it.
 */
export async function writeNetnsEtcFile(netns: string, file: string, text: string): Promise<void> {
  const dir = join('/etc/netns', netns);
  await mkdir(dir, { recursive: true });
  etcDirs.add(dir);
  await writeFile(join(dir, file), text);
}

/** Removes every /etc/netns/NETNS directory this process wrote (`ip netns delete` leaves them behind). */
export async function deleteAllNetnsEtc(): Promise<void> {
  for (const dir of etcDirs) {
    await rm(dir, { recursive: true, force: true });
    etcDirs.delete(dir);
  }
}
