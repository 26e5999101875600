/**
 * The operating system's proxy setting, which apps other than the browser follow: while protection
 * is on it points at the PAC file the service serves on loopback; when protection ends (plan action
 * "none", logout, uninstall) the user's own settings come back exactly as they were.
 *
 * Each OS mechanism is a `SystemProxyBackend` (GNOME and KDE on Linux, `networksetup` on macOS,
 * WinINET on Windows) that only runs commands through an injected `CommandRunner`, so what it runs is
 * unit-tested without the OS. `SystemProxyManager` owns the order that makes restoring safe:
 *
 *   1. snapshot every backend it has no snapshot for yet, and write the snapshots to `savedFile`
 *      atomically, before changing anything (a backend is only changed once its snapshot is on disk);
 *   2. apply; applying again (another port) does not snapshot again, so the file keeps the user's
 *      own settings and never ours;
 *   3. restore from the file, then delete it. A file left behind means the service died while
 *      applied, so `recoverAtStart()` restores from it.
 *
 * A failing backend never stops the others; every call returns a result the status can show.
 */
import { execFile } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';
import { z } from 'zod';
import { readStateFile, writeFileAtomic } from '../../platform/state-file.js';
import type { Logger } from '../log.js';

export type SystemProxyTarget = { kind: 'pac'; url: string };

/** What a backend needs to put the user's settings back: JSON, checked by the backend's own schema when read back. */
export type SavedSettings = z.infer<ReturnType<typeof z.json>>;

export interface SystemProxyBackend {
  /** 'gnome' | 'kde' | 'macos' | 'windows': the key of its snapshot in the saved file. */
  readonly name: string;
  /** What must be installed or true for this backend to work, for messages when it is not. */
  readonly needs: string;
  /** Whether this mechanism exists here (its tool is installed, its schema present). */
  available(): Promise<boolean>;
  snapshot(): Promise<SavedSettings>;
  apply(target: SystemProxyTarget): Promise<void>;
  /** Puts back what `snapshot()` returned; rejects saved settings that do not match its schema. */
  restore(saved: SavedSettings): Promise<void>;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program without a shell and resolves with how it ended; it never rejects. A program that
 * cannot be started resolves with code 127 (126 when it is not executable), as a shell would say.
 */
export type CommandRunner = (file: string, args: readonly string[], options?: { env?: NodeJS.ProcessEnv }) => Promise<CommandResult>;

/** A wedged `networksetup` or D-Bus call must not hang the service's start or shutdown. */
const COMMAND_TIMEOUT_MS = 15_000;
const NOT_FOUND = 127;
const NOT_EXECUTABLE = 126;
const TIMED_OUT = 124;

/** The real runner: `execFile`, no shell, with a timeout. */
export const execFileRunner: CommandRunner = (file, args, options) =>
  new Promise((resolve) => {
    execFile(
      file,
      args,
      { encoding: 'utf8', env: options?.env, timeout: COMMAND_TIMEOUT_MS, windowsHide: true },
      (error, stdout, stderr) => {
        if (!error) resolve({ code: 0, stdout, stderr });
        else if (error.code === 'ENOENT') resolve({ code: NOT_FOUND, stdout, stderr: `${file}: not found` });
        else if (error.code === 'EACCES') resolve({ code: NOT_EXECUTABLE, stdout, stderr: `${file}: not executable` });
        else if (error.killed) resolve({ code: TIMED_OUT, stdout, stderr: `${file}: no answer after ${COMMAND_TIMEOUT_MS / 1000} s` });
        else resolve({ code: typeof error.code === 'number' ? error.code : 1, stdout, stderr: stderr || error.message });
      },
    );
  });

/** A command that failed: the message names the command, how it failed, and what to do (`hint`). */
export class SystemProxyCommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly result: CommandResult,
    hint: string,
  ) {
    // The first line of what it said, without its full stop: the message adds its own.
    const output = ((result.stderr.trim() || result.stdout.trim()).split('\n')[0] ?? '').replace(/[.\s]+$/, '');
    const how = result.code === NOT_FOUND ? 'could not start (not installed)' : `exited with ${result.code}${output ? `: ${output}` : ''}`;
    super(`\`${argv.join(' ')}\` ${how}. ${hint}`);
    this.name = 'SystemProxyCommandError';
  }
}

/** Runs a command and returns its stdout; throws a `SystemProxyCommandError` carrying `hint` when it fails. */
export async function runChecked(
  run: CommandRunner,
  argv: readonly [string, ...string[]],
  hint: string,
  env?: NodeJS.ProcessEnv,
): Promise<string> {
  const [file, ...args] = argv;
  const result = await run(file, args, env ? { env } : undefined);
  if (result.code !== 0) throw new SystemProxyCommandError(argv, result, hint);
  return result.stdout;
}

/** Whether `run` could start `file` at all (any exit status counts: only 126/127 mean it is missing). */
export async function canRun(run: CommandRunner, file: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<boolean> {
  const { code } = await run(file, args, env ? { env } : undefined);
  return code !== NOT_FOUND && code !== NOT_EXECUTABLE;
}

/**
 * The backends for a platform, in the order they are applied. Linux gets both desktops' backends:
 * apps follow whichever desktop they belong to, and the manager applies to every one available.
 * `env` is the environment of the user whose settings change (HOME, XDG_CONFIG_HOME, the session bus).
 */
export async function systemProxyBackends(platform: NodeJS.Platform, run: CommandRunner, env: NodeJS.ProcessEnv): Promise<SystemProxyBackend[]> {
  switch (platform) {
    case 'linux': {
      const { GnomeProxyBackend, KdeProxyBackend } = await import('./system-proxy.linux.js');
      return [new GnomeProxyBackend(run, env), new KdeProxyBackend(run, env)];
    }
    case 'darwin': {
      const { MacosProxyBackend } = await import('./system-proxy.darwin.js');
      return [new MacosProxyBackend(run, env)];
    }
    case 'win32': {
      const { WindowsProxyBackend } = await import('./system-proxy.win32.js');
      return [new WindowsProxyBackend(run, env)];
    }
    default:
      return [];
  }
}

export interface SystemProxyResult {
  /** 'failed' when any backend failed, even if others succeeded (they are in `backends`). */
  state: 'applied' | 'restored' | 'unavailable' | 'failed';
  /** The backends that ended in the state asked for. */
  backends: string[];
  failures: { backend: string; message: string }[];
  /** One sentence or a few for people: what happened and, on failure, what to do. */
  detail: string;
}

const SavedFile = z.object({
  version: z.literal(1),
  entries: z.array(z.object({ backend: z.string(), saved: z.json() })),
});
type SavedEntry = z.infer<typeof SavedFile>['entries'][number];

export interface SystemProxyManagerOptions {
  backends: readonly SystemProxyBackend[];
  /** In the service's state dir; holds the user's settings while ours are applied (mode 0600). */
  savedFile: string;
  logger?: Logger;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Only a web URL can be a PAC URL here; anything else would be written verbatim into the user's settings. */
function checkTarget(target: SystemProxyTarget): string | null {
  if (!URL.canParse(target.url)) return `"${target.url}" is not a URL.`;
  const { protocol } = new URL(target.url);
  if (protocol !== 'http:' && protocol !== 'https:') return `the PAC URL must be http or https, not ${protocol}.`;
  // A newline would split a line of kioslaverc or a `reg add` argument.
  if (/[\s\p{Cc}]/u.test(target.url)) return 'the PAC URL must not contain spaces or control characters.';
  return null;
}

export class SystemProxyManager {
  private readonly backends: readonly SystemProxyBackend[];
  private readonly savedFile: string;
  private readonly logger: Logger | undefined;
  /** Calls run one after another: an apply racing a restore could snapshot our own settings. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: SystemProxyManagerOptions) {
    this.backends = options.backends;
    this.savedFile = options.savedFile;
    this.logger = options.logger;
  }

  apply(target: SystemProxyTarget): Promise<SystemProxyResult> {
    return this.serially(() => this.applyNow(target));
  }

  /** Puts the user's settings back and deletes the saved file; with no saved file there is nothing to do. */
  restore(): Promise<SystemProxyResult> {
    return this.serially(async () => (await this.restoreNow()).result);
  }

  /** After a crash while applied, the saved file is still there: restore from it. `recovered` says whether it did. */
  recoverAtStart(): Promise<SystemProxyResult & { recovered: boolean }> {
    return this.serially(async () => {
      const { result, recovered } = await this.restoreNow();
      if (recovered) this.logger?.warn({ state: result.state, backends: result.backends }, 'system proxy: restored the settings a previous run left applied');
      return { ...result, recovered };
    });
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async applyNow(target: SystemProxyTarget): Promise<SystemProxyResult> {
    const invalid = checkTarget(target);
    if (invalid) return this.report('apply', { state: 'failed', backends: [], failures: [], detail: `Did not set the system proxy: ${invalid}` });
    const loaded = await this.load();
    const entries = loaded.entries ?? [];
    const failures: SystemProxyResult['failures'] = [];
    const added: SavedEntry[] = [];
    for (const backend of this.backends) {
      if (entries.some((entry) => entry.backend === backend.name)) continue;
      try {
        if (await backend.available()) added.push({ backend: backend.name, saved: await backend.snapshot() });
      } catch (error) {
        failures.push({ backend: backend.name, message: `could not read the current settings, so left them alone: ${message(error)}` });
      }
    }
    if (added.length > 0) {
      try {
        await writeFileAtomic(this.savedFile, `${JSON.stringify({ version: 1, entries: [...entries, ...added] })}\n`, 0o600);
      } catch (error) {
        const detail = `Did not set the system proxy: could not save the current settings to ${this.savedFile} first (${message(error)}).`;
        return this.report('apply', { state: 'failed', backends: [], failures, detail });
      }
    }
    const saved = new Set([...entries, ...added].map((entry) => entry.backend));
    const targets = this.backends.filter((backend) => saved.has(backend.name));
    if (targets.length === 0 && failures.length === 0) {
      const needs = this.backends.map((backend) => `${backend.name}: ${backend.needs}`).join('; ');
      const detail = `Apps other than the browser are not protected: no way to set the system proxy was found here${needs ? ` (${needs})` : ''}.`;
      return this.report('apply', { state: 'unavailable', backends: [], failures, detail });
    }
    const done: string[] = [];
    for (const backend of targets) {
      try {
        await backend.apply(target);
        done.push(backend.name);
      } catch (error) {
        failures.push({ backend: backend.name, message: message(error) });
      }
    }
    const prefix = loaded.problem ? `${loaded.problem} ` : '';
    if (failures.length > 0) return this.report('apply', { state: 'failed', backends: done, failures, detail: `${prefix}${describeFailures('set', failures)}` });
    return this.report('apply', { state: 'applied', backends: done, failures, detail: `${prefix}Apps other than the browser use the Waygate PAC file (${done.join(', ')}).` });
  }

  /** `recovered`: there was a saved file, so something had been applied. */
  private async restoreNow(): Promise<{ result: SystemProxyResult; recovered: boolean }> {
    const loaded = await this.load();
    if (loaded.problem) return { result: this.report('restore', { state: 'failed', backends: [], failures: [], detail: loaded.problem }), recovered: true };
    if (loaded.entries === null) {
      return { result: { state: 'restored', backends: [], failures: [], detail: 'Nothing to restore: Waygate had not changed the system proxy.' }, recovered: false };
    }
    const done: string[] = [];
    const failures: SystemProxyResult['failures'] = [];
    const remaining: SavedEntry[] = [];
    for (const entry of loaded.entries) {
      const backend = this.backends.find((candidate) => candidate.name === entry.backend);
      try {
        if (!backend) throw new Error('this build has no such backend; restore the system proxy settings by hand.');
        await backend.restore(entry.saved);
        done.push(entry.backend);
      } catch (error) {
        failures.push({ backend: entry.backend, message: message(error) });
        remaining.push(entry);
      }
    }
    try {
      // What failed stays saved, so the next restore (or start) tries again from the user's settings.
      if (remaining.length > 0) await writeFileAtomic(this.savedFile, `${JSON.stringify({ version: 1, entries: remaining })}\n`, 0o600);
      else await rm(this.savedFile, { force: true });
    } catch (error) {
      failures.push({ backend: 'saved-file', message: `could not update ${this.savedFile}: ${message(error)}` });
    }
    const result: SystemProxyResult =
      failures.length > 0
        ? { state: 'failed', backends: done, failures, detail: describeFailures('restore', failures) }
        : { state: 'restored', backends: done, failures, detail: `The user's own proxy settings are back (${done.join(', ')}).` };
    return { result: this.report('restore', result), recovered: true };
  }

  /**
   * The saved entries, null when there is no file. A file that cannot be parsed is moved aside rather
   * than kept: it would otherwise block every later snapshot, and it still helps whoever fixes it by hand.
   */
  private async load(): Promise<{ entries: SavedEntry[] | null; problem?: string }> {
    try {
      const file = await readStateFile(this.savedFile, SavedFile);
      return { entries: file?.entries ?? null };
    } catch (error) {
      const aside = `${this.savedFile}.corrupt`;
      const moved = await rename(this.savedFile, aside).then(
        () => `they were moved to ${aside}`,
        (renameError: unknown) => `and could not be moved aside either (${message(renameError)})`,
      );
      return { entries: null, problem: `The saved proxy settings could not be read (${message(error)}); ${moved}, so check the system proxy settings by hand.` };
    }
  }

  private report(action: 'apply' | 'restore', result: SystemProxyResult): SystemProxyResult {
    if (result.state === 'failed' || result.state === 'unavailable') {
      this.logger?.warn({ action, state: result.state, backends: result.backends, failures: result.failures }, 'system proxy: %s did not fully succeed', action);
    } else {
      this.logger?.info({ action, state: result.state, backends: result.backends }, 'system proxy: %s done', action);
    }
    return result;
  }
}

function describeFailures(verb: 'set' | 'restore', failures: SystemProxyResult['failures']): string {
  return `Could not ${verb} the system proxy for ${failures.map(({ backend, message }) => `${backend}: ${message}`).join('; ')}`;
}
