/**
 * Where an install puts things, for any platform, computed without touching the machine: the
 * manifest files and registry keys each browser reads, and the launcher. POSIX paths are joined with
 * `path.posix` and Windows paths with `path.win32`, so every platform's layout is computed (and
 * tested) on any OS.
 */
import { posix, win32 } from 'node:path';
import { NATIVE_HOST_NAME } from '../../protocol/native.js';
import { BROWSERS, type BrowserId, type UserDir } from './browsers.js';
import { POSIX_LAUNCHER_NAME, WINDOWS_LAUNCHER_NAME } from './launcher.js';
import { MANIFEST_FILE_NAME, type BrowserFamily } from './native-host-manifest.js';

export type InstallPlatform = 'linux' | 'darwin' | 'win32';
export type InstallScope = 'user' | 'system';

export interface LayoutInputs {
  platform: InstallPlatform;
  scope: InstallScope;
  /** Absolute home directory of the user the install is for. */
  home: string;
  /** Environment to read XDG_CONFIG_HOME, XDG_DATA_HOME, LOCALAPPDATA, ProgramFiles and SystemRoot from. */
  env: Readonly<Record<string, string | undefined>>;
  /** A Chromium user data dir (`--user-data-dir`) to install into instead of the browsers' own. */
  userDataDir?: string | undefined;
}

/** Something a browser reads to find the host; several browsers may read the same one. */
export type HostTarget =
  | { kind: 'file'; family: BrowserFamily; path: string }
  | { kind: 'registry'; key: string; manifestPath: string };

/** Identifies a target, so one read by several browsers is written and removed once. */
export function targetKey(target: HostTarget): string {
  return target.kind === 'file' ? `file:${target.path}` : `registry:${target.key.toLowerCase()}`;
}

const WINDOWS_FIREFOX_MANIFEST = `${NATIVE_HOST_NAME}.firefox.json`;

/** What `browser` reads, in the order it must be written (a registry key after the file it names). */
export function browserTargets(browser: BrowserId, inputs: LayoutInputs): HostTarget[] {
  const entry = BROWSERS[browser];
  if (inputs.userDataDir !== undefined) {
    return [{ kind: 'file', family: 'chromium', path: posix.join(inputs.userDataDir, 'NativeMessagingHosts', MANIFEST_FILE_NAME) }];
  }
  if (inputs.platform === 'win32') {
    const manifestPath = win32.join(
      windowsWaygateDir(inputs),
      'NativeMessagingHosts',
      entry.family === 'firefox' ? WINDOWS_FIREFOX_MANIFEST : MANIFEST_FILE_NAME,
    );
    const root = inputs.scope === 'system' ? 'HKLM' : 'HKCU';
    return [
      { kind: 'file', family: entry.family, path: manifestPath },
      { kind: 'registry', key: `${root}\\${entry.win32.registryKey}\\${NATIVE_HOST_NAME}`, manifestPath },
    ];
  }
  const locations = entry[inputs.platform];
  const dir = inputs.scope === 'system' ? locations.system : userDir(locations.user, inputs);
  return [{ kind: 'file', family: entry.family, path: posix.join(dir, MANIFEST_FILE_NAME) }];
}

/** Where a wrapper install writes the launcher the manifests point at. */
export function launcherPath(inputs: LayoutInputs): string {
  if (inputs.userDataDir !== undefined) {
    return posix.join(inputs.userDataDir, 'NativeMessagingHosts', POSIX_LAUNCHER_NAME);
  }
  const system = inputs.scope === 'system';
  switch (inputs.platform) {
    case 'win32':
      return win32.join(windowsWaygateDir(inputs), WINDOWS_LAUNCHER_NAME);
    case 'darwin':
      return posix.join(system ? '/' : inputs.home, 'Library', 'Application Support', 'Waygate', POSIX_LAUNCHER_NAME);
    case 'linux':
      return system
        ? posix.join('/usr/local/lib/waygate', POSIX_LAUNCHER_NAME)
        : posix.join(xdgDir(inputs, 'XDG_DATA_HOME', ['.local', 'share']), 'waygate', POSIX_LAUNCHER_NAME);
  }
}

/** `reg.exe` by absolute path: a bare name would be searched for in the current directory first. */
export function regExePath(inputs: LayoutInputs): string {
  return win32.join(envVar(inputs.env, 'SystemRoot') ?? 'C:\\Windows', 'System32', 'reg.exe');
}

function userDir(dir: UserDir, inputs: LayoutInputs): string {
  const base = dir.base === 'home' ? inputs.home : xdgDir(inputs, 'XDG_CONFIG_HOME', ['.config']);
  return posix.join(base, ...dir.segments);
}

/** An XDG base directory; per the spec a relative value is invalid and ignored. */
function xdgDir(inputs: LayoutInputs, name: string, fallback: readonly string[]): string {
  const value = inputs.env[name];
  return value !== undefined && posix.isAbsolute(value) ? value : posix.join(inputs.home, ...fallback);
}

/**
 * System scope uses Program Files, not ProgramData: any user may create folders under ProgramData,
 * so one could plant a `Waygate` folder before the install and later swap the launcher every
 * user's browser runs. Program Files is writable by administrators only.
 */
function windowsWaygateDir(inputs: LayoutInputs): string {
  const base =
    inputs.scope === 'system'
      ? (envVar(inputs.env, 'ProgramFiles') ?? 'C:\\Program Files')
      : (envVar(inputs.env, 'LOCALAPPDATA') ?? win32.join(inputs.home, 'AppData', 'Local'));
  return win32.join(base, 'Waygate');
}

/** Windows environment names are case-insensitive; a copied env object is not. */
function envVar(env: LayoutInputs['env'], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(env)) {
    if (key.toLowerCase() === wanted && value) return value;
  }
  return undefined;
}
