/**
 * Runs the edge network plan (netconfig.ts) on Linux: `ip`, then the ip_forward sysctl, then nft
 * (or iptables when nft is not installed). Each step is undone in reverse order by `remove()`, or
 * at once when a later step fails during apply.
 *
 * Needs CAP_NET_ADMIN in the network namespace it runs in; every change stays in that namespace.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import {
  checkEdgeNetworkOptions,
  firewallCommands,
  IP_FORWARD_SYSCTL,
  linkCommands,
  NetworkCommandError,
  type CommandPlan,
  type EdgeNetwork,
  type EdgeNetworkOptions,
  type FirewallBackend,
  type NetworkCommand,
} from './netconfig.js';

/** Written through /proc rather than sysctl(8), which slim images lack (procps). */
const IP_FORWARD_PATH = `/proc/sys/${IP_FORWARD_SYSCTL.replaceAll('.', '/')}`;
/** A stuck command (a wedged xtables lock, say) must not hang the edge's startup forever. */
const COMMAND_TIMEOUT_MS = 30_000;

function run(command: NetworkCommand): Promise<string> {
  const [program, ...args] = command.argv;
  return new Promise((resolve, reject) => {
    const child = execFile(program, args, { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error) reject(new NetworkCommandError(command.argv, stderr || error.message));
      else resolve(stdout);
    });
    // A program that exits without reading its input (ip, or nft failing early) makes this EPIPE;
    // its exit status already says what went wrong.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(command.stdin);
  });
}

async function runAll(commands: readonly NetworkCommand[]): Promise<void> {
  for (const command of commands) {
    try {
      await run(command);
    } catch (error) {
      if (!command.mayFail) throw error;
    }
  }
}

function isNotInstalled(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

async function installed(program: string): Promise<boolean> {
  return new Promise((resolve) => execFile(program, ['--version'], (error) => resolve(!isNotInstalled(error))));
}

async function pickFirewall(): Promise<FirewallBackend> {
  if (await installed('nft')) return 'nftables';
  if (await installed('iptables')) return 'iptables';
  throw new Error('Edge network: neither nft nor iptables is installed; install nftables (apt-get install nftables).');
}

/** An applied step and how to take it back. */
type Undo = () => Promise<void>;

async function applyPlan(plan: CommandPlan): Promise<Undo> {
  await runAll(plan.setup);
  return () => runAll(plan.remove);
}

/** Turns forwarding on; the undo restores what was there only if we changed it. */
async function enableForwarding(): Promise<Undo> {
  const previous = (await readFile(IP_FORWARD_PATH, 'utf8')).trim();
  if (previous === '1') return () => Promise.resolve();
  await writeFile(IP_FORWARD_PATH, '1\n');
  return () => writeFile(IP_FORWARD_PATH, `${previous}\n`);
}

/** Runs every undo, newest first, even when some fail; then reports all failures at once. */
async function undoAll(undos: Undo[]): Promise<void> {
  const failures: unknown[] = [];
  for (const undo of [...undos].reverse()) {
    try {
      await undo();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, `Edge network: ${failures.length} cleanup steps failed.`);
}

export async function applyLinuxEdgeNetwork(options: EdgeNetworkOptions): Promise<EdgeNetwork> {
  checkEdgeNetworkOptions(options);
  const firewall = await pickFirewall();
  const undos: Undo[] = [];
  try {
    undos.push(await applyPlan(linkCommands(options)));
    undos.push(await enableForwarding());
    undos.push(await applyPlan(firewallCommands(firewall, options)));
  } catch (error) {
    // Leave the host as we found it; the apply error matters more than any cleanup error.
    await undoAll(undos).catch(() => undefined);
    throw error;
  }
  let removal: Promise<void> | null = null;
  return {
    firewall,
    remove: () => (removal ??= undoAll(undos)),
  };
}
