/**
 * Runs an installer plan against the machine, in order, stopping at the first failure (except a
 * `run` that tolerates failure). Files are written atomically — a temp file beside the target,
 * given its mode, then renamed over it — so a browser never reads half a manifest. A dry run only
 * describes each action.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { WaygateError } from '../../protocol/errors.js';
import type { InstallerAction } from './plan.js';
import { writeFileAtomic } from '../../platform/state-file.js';

export type RunCommand = (command: string, args: readonly string[]) => Promise<void>;

export interface ApplyOptions {
  dryRun: boolean;
  /** Receives one line per action (and per tolerated failure). */
  log: (line: string) => void;
  /** Runs a `run` action; defaults to `execFile` without a shell. */
  runCommand?: RunCommand;
}

export async function applyActions(actions: readonly InstallerAction[], options: ApplyOptions): Promise<void> {
  const runCommand = options.runCommand ?? execFileCommand;
  for (const action of actions) {
    options.log(describeAction(action));
    if (options.dryRun) continue;
    try {
      await perform(action, runCommand);
    } catch (err) {
      if (action.kind === 'run' && action.tolerateFailure) {
        options.log(`  (ignored: ${firstLine(err)})`);
        continue;
      }
      throw failure(action, err);
    }
  }
}

/** One human line per action, e.g. `write /path (0644)` or `run reg.exe add …`. */
export function describeAction(action: InstallerAction): string {
  switch (action.kind) {
    case 'mkdir':
      return `mkdir ${action.path}`;
    case 'write-file':
      return `write ${action.path} (${action.mode.toString(8).padStart(4, '0')})`;
    case 'remove-file':
      return `remove ${action.path}`;
    case 'run':
      return `run ${[action.command, ...action.args].map(displayArg).join(' ')}`;
  }
}

async function perform(action: InstallerAction, runCommand: RunCommand): Promise<void> {
  switch (action.kind) {
    case 'mkdir':
      await mkdir(action.path, { recursive: true });
      return;
    case 'write-file':
      await writeFileAtomic(action.path, action.content, action.mode);
      return;
    case 'remove-file':
      await rm(action.path, { force: true });
      return;
    case 'run':
      await runCommand(action.command, action.args);
      return;
  }
}


const execFileAsync = promisify(execFile);

async function execFileCommand(command: string, args: readonly string[]): Promise<void> {
  await execFileAsync(command, args, { windowsHide: true });
}

function failure(action: InstallerAction, err: unknown): Error {
  const code = errorCode(err);
  if (code === 'EACCES' || code === 'EPERM') {
    return new WaygateError(
      'PERMISSION_DENIED',
      `Could not ${describeAction(action)}: permission denied. A system-wide install needs an administrator (sudo on Linux and macOS); or install for this user only with --scope user.`,
      { path: 'path' in action ? action.path : action.command },
    );
  }
  return new Error(`Could not ${describeAction(action)}: ${firstLine(err)}`, { cause: err });
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

function firstLine(err: unknown): string {
  const stderr = typeof err === 'object' && err !== null && 'stderr' in err ? String(err.stderr).trim() : '';
  const text = stderr || (err instanceof Error ? err.message : String(err));
  return text.split(/\r?\n/, 1)[0] ?? text;
}

function displayArg(arg: string): string {
  return /\s/.test(arg) || arg === '' ? `"${arg}"` : arg;
}
