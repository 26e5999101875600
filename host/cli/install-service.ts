/**
 * `waygate install --service` / `waygate uninstall --service`: register the Waygate service with
 * the OS service manager (systemd, launchd, the Windows service manager) so it runs privileged at
 * boot, or remove it. The service runs this node on this entry script, as `waygate install` does.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { WaygateError } from '../../protocol/errors.js';
import { applyActions, type RunCommand } from '../installers/apply.js';
import type { InstallPlatform } from '../installers/layout.js';
import { planServiceInstall, planServiceUninstall } from '../installers/service-plan.js';

export interface ServiceFlags {
  /** Set by `--service`; the caller dispatches here when it is true. */
  service?: boolean;
  /** Root the service files are written under; default `/`. */
  serviceRoot?: string;
  dryRun?: boolean;
}

/** The machine this runs on; tests pass their own. */
export interface ServiceEnvironment {
  platform: NodeJS.Platform;
  /** Effective uid; null where there is none (Windows). */
  uid: number | null;
  env: NodeJS.ProcessEnv;
  nodePath: string;
  entryScript: string;
  /** Runs the plan's commands; default execFile (apply.ts). */
  runCommand?: RunCommand;
}

export function currentServiceEnvironment(): ServiceEnvironment {
  return {
    platform: process.platform,
    uid: process.getuid?.() ?? null,
    env: process.env,
    nodePath: process.execPath,
    // The script node is running now: the bundle in production, host/main.ts under tsx in development.
    entryScript: resolve(process.argv[1] ?? ''),
  };
}

export function addServiceOptions(command: Command, which: 'install' | 'uninstall' = 'install'): Command {
  return command
    .option(
      '--service',
      which === 'install'
        ? 'register the Waygate service to start at boot, privileged (needs root), instead of the native host'
        : 'stop and remove the Waygate service registered by install --service',
    )
    .option('--service-root <dir>', 'with --service: root the service files are written under (default: /); for image building and tests');
}

export async function installServiceCommand(flags: ServiceFlags, log: (line: string) => void, machine = currentServiceEnvironment()): Promise<void> {
  const platform = installPlatform(machine.platform);
  checkPrivileges(flags, machine, 'install');
  const actions = planServiceInstall({
    platform,
    nodePath: machine.nodePath,
    entryScript: machine.entryScript,
    env: machine.env,
    ...(flags.serviceRoot === undefined ? {} : { rootDir: resolve(flags.serviceRoot) }),
  });
  await applyActions(actions, applyOptions(flags, machine, log));
  if (flags.dryRun) log('dry run: nothing was changed');
  else if (flags.serviceRoot !== undefined) log(`Waygate service files written under ${resolve(flags.serviceRoot)}; it starts when that system boots.`);
  else log('Waygate service installed; it starts now and at every boot.');
}

export async function uninstallServiceCommand(flags: ServiceFlags, log: (line: string) => void, machine = currentServiceEnvironment()): Promise<void> {
  const platform = installPlatform(machine.platform);
  checkPrivileges(flags, machine, 'uninstall');
  const actions = planServiceUninstall({
    platform,
    env: machine.env,
    ...(flags.serviceRoot === undefined ? {} : { rootDir: resolve(flags.serviceRoot) }),
  });
  await applyActions(actions, applyOptions(flags, machine, log));
  log(flags.dryRun ? 'dry run: nothing was changed' : 'Waygate service removed.');
}

function applyOptions(flags: ServiceFlags, machine: ServiceEnvironment, log: (line: string) => void) {
  return { dryRun: flags.dryRun === true, log, ...(machine.runCommand ? { runCommand: machine.runCommand } : {}) };
}

function installPlatform(platform: NodeJS.Platform): InstallPlatform {
  if (platform === 'linux' || platform === 'darwin' || platform === 'win32') return platform;
  throw new WaygateError('BAD_REQUEST', `Installing the Waygate service is not supported on ${platform}.`);
}

/**
 * Registering a system service needs root. Checked up front on Linux and macOS so the user gets one
 * clear line, not a failure half way through. Windows has no uid: sc.exe itself reports a missing
 * elevation ("Access is denied").
 */
function checkPrivileges(flags: ServiceFlags, machine: ServiceEnvironment, verb: 'install' | 'uninstall'): void {
  if (flags.dryRun || flags.serviceRoot !== undefined || machine.uid === null || machine.uid === 0) return;
  throw new WaygateError(
    'PERMISSION_DENIED',
    `Only root can ${verb} the Waygate service. Run \`sudo waygate ${verb} --service\`, or add --dry-run to see what it would do.`,
  );
}
