/**
 * The Linux network, read with iproute2 and resolv.conf, watched with a long-running
 * `ip monitor address route link` (any line it prints is an event) and inotify on resolv.conf.
 *
 * resolv.conf is watched three ways because it changes three ways: replaced by rename (NetworkManager,
 * resolvconf: seen on its directory), rewritten in place (seen on the file itself, which also covers
 * the bind mount `ip netns exec` puts over it), or behind a symlink into /run/systemd/resolve (seen on
 * that directory). When it names only systemd-resolved's stub, the servers come from resolved's own
 * file. The monitor is restarted when it dies, with an event, since changes may have been missed.
 *
 * Works in whatever network namespace the process runs in; reading needs no privileges.
 * The monitor is this source's child and dies with it (see SETPRIV).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, realpathSync, watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { createLogger } from '../log.js';
import { execFileRunner, type CommandRunner } from '../proxy/system-proxy.js';
import { systemClock, type Clock } from '../service/clock.js';
import { namesOnlyResolvedStub, parseIpAddress, parseIpRoutes, parseResolvConf, type ResolvConf } from './parse-linux.js';
import type { NetmonSource } from './source.js';
import type { NetworkSnapshot } from './snapshot.js';

/** A dead monitor is restarted after 1 s, then 2, 4… up to a minute while it keeps dying without printing. */
const MONITOR_RESTART_MS = 1_000;
const MONITOR_RESTART_MAX_MS = 60_000;
const MONITOR = ['ip', 'monitor', 'address', 'route', 'link'];
/**
 * util-linux's setpriv makes the kernel end `ip monitor` when the service dies, even by SIGKILL;
 * otherwise it would live on until the next network event made its write fail.
 */
const SETPRIV = '/usr/bin/setpriv';

export interface LinuxNetmonOptions {
  run?: CommandRunner;
  clock?: Clock;
  resolvConf?: string;
  resolvedConf?: string;
  /** Told when the monitor dies or a watch cannot be set up (default: a warning in the log); the source carries on regardless. */
  onWarning?: (message: string) => void;
}

export class LinuxNetmonSource implements NetmonSource {
  private readonly run: CommandRunner;
  private readonly clock: Clock;
  private readonly resolvConf: string;
  private readonly resolvedConf: string;
  private readonly onWarning: (message: string) => void;

  constructor(options: LinuxNetmonOptions = {}) {
    this.run = options.run ?? execFileRunner;
    this.clock = options.clock ?? systemClock;
    this.resolvConf = options.resolvConf ?? '/etc/resolv.conf';
    this.resolvedConf = options.resolvedConf ?? '/run/systemd/resolve/resolv.conf';
    this.onWarning = options.onWarning ?? defaultWarning;
  }

  async read(): Promise<NetworkSnapshot> {
    const [addresses, routes4, routes6, dns] = await Promise.all([
      this.ip(['-d', '-j', 'address', 'show']),
      this.ip(['-4', '-j', 'route', 'show', 'default']),
      // A kernel booted with IPv6 disabled refuses the question: no IPv6 routes then.
      this.ip(['-6', '-j', 'route', 'show', 'default']).catch(() => ''),
      this.readDns(),
    ]);
    return {
      interfaces: parseIpAddress(addresses),
      defaultRoutes: [...parseIpRoutes(routes4, 4), ...parseIpRoutes(routes6, 6)],
      dnsServers: dns.nameservers,
      searchDomains: dns.search,
    };
  }

  watch(onEvent: () => void): () => void {
    const stopMonitor = this.watchMonitor(onEvent);
    const stopFiles = this.watchResolvConf(onEvent);
    return () => {
      stopMonitor();
      stopFiles();
    };
  }

  private async ip(args: string[]): Promise<string> {
    const result = await this.run('ip', args);
    if (result.code !== 0) throw new Error(`\`ip ${args.join(' ')}\` failed (${result.code}): ${result.stderr.trim()}`);
    return result.stdout;
  }

  private async readDns(): Promise<ResolvConf> {
    const conf = parseResolvConf(await readOrEmpty(this.resolvConf));
    if (!namesOnlyResolvedStub(conf) || !existsSync(this.resolvedConf)) return conf;
    return parseResolvConf(await readOrEmpty(this.resolvedConf));
  }

  private watchMonitor(onEvent: () => void): () => void {
    let stopped = false;
    let child: ChildProcess | null = null;
    let cancelRestart: (() => void) | null = null;
    let restartMs = MONITOR_RESTART_MS;
    const start = (): void => {
      const [program = 'ip', ...args] = existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'TERM', ...MONITOR] : MONITOR;
      const monitor = spawn(program, args, { stdio: ['ignore', 'pipe', 'ignore'] });
      child = monitor;
      monitor.stdout?.on('data', () => {
        restartMs = MONITOR_RESTART_MS;
        onEvent();
      });
      monitor.on('error', (error) => this.onWarning(`ip monitor could not run: ${error.message}`));
      monitor.on('close', (code, signal) => {
        if (stopped) return;
        this.onWarning(`ip monitor ended (${signal ?? code}); restarting it in ${restartMs} ms.`);
        const delay = restartMs;
        restartMs = Math.min(2 * restartMs, MONITOR_RESTART_MAX_MS);
        cancelRestart = this.clock.schedule(delay, () => {
          cancelRestart = null;
          if (stopped) return;
          start();
          onEvent();
        });
      });
    };
    start();
    return () => {
      stopped = true;
      cancelRestart?.();
      child?.kill();
    };
  }

  private watchResolvConf(onEvent: () => void): () => void {
    const target = realpathOrSelf(this.resolvConf);
    const names = new Set([basename(this.resolvConf), basename(target), basename(this.resolvedConf)]);
    const dirs = new Set([dirname(this.resolvConf), dirname(target), dirname(this.resolvedConf)]);
    let fileWatcher: FSWatcher | null = null;
    // Re-armed on every directory event: after a rename the old watch follows a file nobody reads.
    const armFile = (): void => {
      fileWatcher?.close();
      fileWatcher = this.tryWatch(this.resolvConf, () => onEvent());
    };
    const dirWatchers = [...dirs].flatMap((dir) => {
      const watcher = this.tryWatch(dir, (filename) => {
        if (filename !== null && !names.has(filename)) return;
        armFile();
        onEvent();
      });
      return watcher ? [watcher] : [];
    });
    armFile();
    return () => {
      fileWatcher?.close();
      for (const watcher of dirWatchers) watcher.close();
    };
  }

  private tryWatch(path: string, onChange: (filename: string | null) => void): FSWatcher | null {
    if (!existsSync(path)) return null;
    try {
      const watcher = watch(path, { persistent: false }, (_event, filename) => onChange(filename));
      watcher.on('error', (error) => this.onWarning(`Watching ${path} failed: ${error.message}`));
      return watcher;
    } catch (error) {
      this.onWarning(`Cannot watch ${path}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }
}

let logger: ReturnType<typeof createLogger> | null = null;
function defaultWarning(message: string): void {
  logger ??= createLogger('netmon');
  logger.warn(message);
}

async function readOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    // No resolv.conf means no DNS servers configured, which is a state worth reporting, not an error.
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return '';
    throw error;
  }
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
