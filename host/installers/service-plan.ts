/**
 * `waygate install --service` / `uninstall --service` as pure plans: the installer actions
 * (plan.ts) that register the Waygate service with the OS service manager, for apply.ts to run.
 *
 * With a root other than `/` (building an image, tests) only files are written, plus on Linux an
 * offline `systemctl --root=<dir> enable`: nothing is started on the machine running the install.
 * Uninstall stops the service first; on stop it restores the proxy settings it changed and removes
 * its TUN device and routes, so nothing else needs undoing here. It tolerates a service that is not
 * installed.
 */
import { posix, win32 } from 'node:path';
import { WaygateError } from '../../protocol/errors.js';
import type { InstallPlatform } from './layout.js';
import type { InstallerAction } from './plan.js';
import {
  LAUNCHD_LABEL,
  LAUNCHD_LOG_DIR,
  LAUNCHD_PLIST_NAME,
  SYSTEMD_UNIT_NAME,
  WINDOWS_SERVICE_NAME,
  renderLaunchdPlist,
  renderSystemdUnit,
  windowsServiceArgs,
} from './service-unit.js';

export const SERVICE_FILE_MODE = 0o644;
export const SYSTEMCTL = 'systemctl';
/** launchctl by absolute path, as macOS ships it. */
export const LAUNCHCTL = '/bin/launchctl';

export interface ServiceTarget {
  platform: InstallPlatform;
  /** Absolute; default `/`. Not supported on Windows, whose services live in the registry. */
  rootDir?: string;
  /** Where SystemRoot is read from on Windows, to run sc.exe by absolute path. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ServiceInstallOptions extends ServiceTarget {
  nodePath: string;
  entryScript: string;
}

export function planServiceInstall(options: ServiceInstallOptions): InstallerAction[] {
  const root = rootOf(options);
  requireAbsolute(options.platform, 'The node binary path', options.nodePath);
  requireAbsolute(options.platform, 'The waygate entry script path', options.entryScript);
  const command = { nodePath: options.nodePath, entryScript: options.entryScript };
  switch (options.platform) {
    case 'linux': {
      const dir = posix.join(root, 'etc', 'systemd', 'system');
      const write: InstallerAction[] = [
        { kind: 'mkdir', path: dir },
        { kind: 'write-file', path: posix.join(dir, SYSTEMD_UNIT_NAME), content: renderSystemdUnit(command), mode: SERVICE_FILE_MODE },
      ];
      if (root !== '/') return [...write, run(SYSTEMCTL, [`--root=${root}`, 'enable', SYSTEMD_UNIT_NAME])];
      return [...write, run(SYSTEMCTL, ['daemon-reload']), run(SYSTEMCTL, ['enable', '--now', SYSTEMD_UNIT_NAME])];
    }
    case 'darwin': {
      const plist = launchdPlistPath(root);
      const write: InstallerAction[] = [
        { kind: 'mkdir', path: posix.join(root, LAUNCHD_LOG_DIR) },
        { kind: 'mkdir', path: posix.dirname(plist) },
        { kind: 'write-file', path: plist, content: renderLaunchdPlist(command), mode: SERVICE_FILE_MODE },
      ];
      if (root !== '/') return write;
      // bootstrap refuses a label that is already loaded, so a reinstall unloads the old one first.
      return [...write, run(LAUNCHCTL, ['bootout', `system/${LAUNCHD_LABEL}`], true), run(LAUNCHCTL, ['bootstrap', 'system', plist])];
    }
    case 'win32': {
      const sc = scExePath(options.env ?? {});
      const args = windowsServiceArgs(command);
      return [run(sc, args.create), run(sc, args.failure), run(sc, args.description)];
    }
  }
}

export function planServiceUninstall(options: ServiceTarget): InstallerAction[] {
  const root = rootOf(options);
  switch (options.platform) {
    case 'linux': {
      const unit = posix.join(root, 'etc', 'systemd', 'system', SYSTEMD_UNIT_NAME);
      if (root !== '/') return [run(SYSTEMCTL, [`--root=${root}`, 'disable', SYSTEMD_UNIT_NAME], true), { kind: 'remove-file', path: unit }];
      return [run(SYSTEMCTL, ['disable', '--now', SYSTEMD_UNIT_NAME], true), { kind: 'remove-file', path: unit }, run(SYSTEMCTL, ['daemon-reload'])];
    }
    case 'darwin': {
      const remove: InstallerAction = { kind: 'remove-file', path: launchdPlistPath(root) };
      if (root !== '/') return [remove];
      return [run(LAUNCHCTL, ['bootout', `system/${LAUNCHD_LABEL}`], true), remove];
    }
    case 'win32': {
      const sc = scExePath(options.env ?? {});
      return [run(sc, ['stop', WINDOWS_SERVICE_NAME], true), run(sc, ['delete', WINDOWS_SERVICE_NAME], true)];
    }
  }
}

export function launchdPlistPath(root: string): string {
  return posix.join(root, 'Library', 'LaunchDaemons', LAUNCHD_PLIST_NAME);
}

function run(command: string, args: readonly string[], tolerateFailure = false): InstallerAction {
  return { kind: 'run', command, args, tolerateFailure };
}

function rootOf(options: ServiceTarget): string {
  if (options.rootDir === undefined) return '/';
  if (options.platform === 'win32') {
    throw new WaygateError('BAD_REQUEST', 'A Windows service is registered with the service manager, not written under a root directory. Drop --service-root.');
  }
  if (!posix.isAbsolute(options.rootDir)) {
    throw new WaygateError('BAD_REQUEST', `The service root must be absolute, but is ${JSON.stringify(options.rootDir)}. Pass a full path.`);
  }
  return posix.normalize(options.rootDir).replace(/(.)\/$/, '$1');
}

function requireAbsolute(platform: InstallPlatform, what: string, path: string): void {
  const absolute = platform === 'win32' ? /^[A-Za-z]:[\\/]/.test(path) : posix.isAbsolute(path);
  if (!absolute) {
    throw new WaygateError('BAD_REQUEST', `${what} must be absolute, but is ${JSON.stringify(path)}. Pass a full path.`);
  }
}

/** sc.exe by absolute path: a bare name would be searched for in the current directory first. */
function scExePath(env: Readonly<Record<string, string | undefined>>): string {
  const systemRoot = Object.entries(env).find(([key, value]) => key.toLowerCase() === 'systemroot' && value)?.[1];
  return win32.join(systemRoot ?? 'C:\\Windows', 'System32', 'sc.exe');
}
