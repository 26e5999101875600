/**
 * `waygate install` / `waygate uninstall` as pure plans: options in, an ordered list of file and
 * registry actions out. Nothing here reads or writes the machine (apply.ts does), so every
 * platform's plan is computed and tested anywhere.
 *
 * Install writes the launcher (unless the caller names its own executable), then each manifest, then
 * the registry keys that point at manifests. Uninstall reverses that and tolerates anything already
 * gone. A target several browsers read (a shared system dir, Chrome's registry key on Windows, the
 * launcher) is removed only when every browser reading it is being uninstalled.
 */
import { posix, win32 } from 'node:path';
import { z } from 'zod';
import { WaygateError } from '../../protocol/errors.js';
import { ALL_BROWSERS, BrowserId } from './browsers.js';
import { renderPosixLauncher, renderWindowsLauncher } from './launcher.js';
import {
  browserTargets,
  launcherPath,
  regExePath,
  targetKey,
  type HostTarget,
  type LayoutInputs,
} from './layout.js';
import {
  CHROMIUM_EXTENSION_ID,
  DEFAULT_FIREFOX_EXTENSION_ID,
  FIREFOX_EXTENSION_ID,
  buildManifest,
  renderManifest,
} from './native-host-manifest.js';

export type InstallerAction =
  | { kind: 'mkdir'; path: string }
  | { kind: 'write-file'; path: string; content: string; mode: number }
  | { kind: 'remove-file'; path: string }
  /** `tolerateFailure`: a failure is logged and the plan goes on (deleting a key that is not there). */
  | { kind: 'run'; command: string; args: readonly string[]; tolerateFailure: boolean };

export const MANIFEST_MODE = 0o644;
export const LAUNCHER_MODE = 0o755;

const Platform = z.enum(['linux', 'darwin', 'win32']);
const Scope = z.enum(['user', 'system']);

const ChromiumExtensionId = z.string().regex(CHROMIUM_EXTENSION_ID, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not a Chromium extension ID (32 letters a–p). Copy the ID shown for Waygate on chrome://extensions with Developer mode on, and pass it with --extension-id.`,
});

const FirefoxExtensionId = z.string().regex(FIREFOX_EXTENSION_ID, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not a Firefox add-on ID (name@domain or {GUID}). Pass the ID from the extension's browser_specific_settings.gecko.id.`,
});

/** How the browser starts the host. */
const Launch = z.discriminatedUnion('kind', [
  /** Write a launcher script that runs `node <entryScript> native <extraArgs…> <browser args…>`. */
  z.object({
    kind: z.literal('wrapper'),
    nodePath: z.string().min(1),
    entryScript: z.string().min(1),
    extraArgs: z.array(z.string()).readonly().default([]),
  }),
  /** Point the manifests at an existing executable; no launcher is written. */
  z.object({ kind: z.literal('executable'), path: z.string().min(1) }),
]);

const TargetOptions = z.object({
  platform: Platform,
  scope: Scope.default('user'),
  /** Default: every supported browser. */
  browsers: z.array(BrowserId).min(1).readonly().optional(),
  home: z.string().min(1),
  env: z.record(z.string(), z.string().optional()),
  /** A Chromium user data dir: the manifest goes to `<dir>/NativeMessagingHosts/` (Linux, macOS). */
  userDataDir: z.string().min(1).optional(),
});

export const InstallOptions = TargetOptions.extend({
  extensionIds: z
    .array(ChromiumExtensionId)
    .min(1, { error: 'Give the Waygate extension ID with --extension-id (shown on chrome://extensions with Developer mode on).' })
    .readonly(),
  firefoxExtensionId: FirefoxExtensionId.default(DEFAULT_FIREFOX_EXTENSION_ID),
  launch: Launch,
});
/** What the caller passes; defaults are filled in by `planInstall`. */
export type InstallOptions = z.input<typeof InstallOptions>;

export const UninstallOptions = TargetOptions;
export type UninstallOptions = z.input<typeof UninstallOptions>;

export function planInstall(options: InstallOptions): InstallerAction[] {
  const opts = parse(InstallOptions, options, 'install');
  const layout = checkLayout(opts);
  const browsers = selectedBrowsers(opts.browsers);
  const actions: InstallerAction[] = [];
  const made = new Set<string>();
  const mkdir = (path: string) => {
    if (made.has(path)) return;
    made.add(path);
    actions.push({ kind: 'mkdir', path });
  };

  let hostPath: string;
  if (opts.launch.kind === 'wrapper') {
    const command = { nodePath: opts.launch.nodePath, entryScript: opts.launch.entryScript, extraArgs: opts.launch.extraArgs };
    requireAbsolute(layout, 'The node binary path', command.nodePath);
    requireAbsolute(layout, 'The waygate entry script path', command.entryScript);
    hostPath = launcherPath(layout);
    const content = layout.platform === 'win32' ? renderWindowsLauncher(command) : renderPosixLauncher(command);
    mkdir(dirnameFor(layout, hostPath));
    actions.push({ kind: 'write-file', path: hostPath, content, mode: LAUNCHER_MODE });
  } else {
    hostPath = opts.launch.path;
    requireAbsolute(layout, 'The host executable path', hostPath);
  }

  const manifestInputs = { hostPath, extensionIds: opts.extensionIds, firefoxExtensionId: opts.firefoxExtensionId };
  const targets = uniqueTargets(browsers.flatMap((browser) => browserTargets(browser, layout)));
  for (const target of targets) {
    if (target.kind !== 'file') continue;
    mkdir(dirnameFor(layout, target.path));
    const content = renderManifest(buildManifest(target.family, manifestInputs));
    actions.push({ kind: 'write-file', path: target.path, content, mode: MANIFEST_MODE });
  }
  for (const target of targets) {
    if (target.kind !== 'registry') continue;
    actions.push({
      kind: 'run',
      command: regExePath(layout),
      args: ['add', target.key, '/ve', '/t', 'REG_SZ', '/d', target.manifestPath, '/f'],
      tolerateFailure: false,
    });
  }
  return actions;
}

export function planUninstall(options: UninstallOptions): InstallerAction[] {
  const opts = parse(UninstallOptions, options, 'uninstall');
  const layout = checkLayout(opts);
  const browsers = new Set(selectedBrowsers(opts.browsers));
  // With --user-data-dir the profile holds the only copy, whichever browser the user names.
  const removable = (target: HostTarget) =>
    layout.userDataDir !== undefined ||
    ALL_BROWSERS.every(
      (browser) => browsers.has(browser) || !browserTargets(browser, layout).some((t) => targetKey(t) === targetKey(target)),
    );
  const targets = uniqueTargets([...browsers].flatMap((browser) => browserTargets(browser, layout))).filter(removable);

  const actions: InstallerAction[] = [];
  for (const target of targets) {
    if (target.kind !== 'registry') continue;
    actions.push({ kind: 'run', command: regExePath(layout), args: ['delete', target.key, '/f'], tolerateFailure: true });
  }
  for (const target of targets) {
    if (target.kind === 'file') actions.push({ kind: 'remove-file', path: target.path });
  }
  if (layout.userDataDir !== undefined || ALL_BROWSERS.every((browser) => browsers.has(browser))) {
    actions.push({ kind: 'remove-file', path: launcherPath(layout) });
  }
  return actions;
}

function parse<S extends z.ZodType>(schema: S, input: unknown, command: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) =>
    issue.path.length === 0 ? issue.message : `${issue.path.join('.')}: ${issue.message}`,
  );
  throw new WaygateError('BAD_REQUEST', `Invalid options for waygate ${command}. ${problems.join(' ')}`);
}

function checkLayout(opts: z.output<typeof TargetOptions>): LayoutInputs {
  const layout: LayoutInputs = {
    platform: opts.platform,
    scope: opts.scope,
    home: opts.home,
    env: opts.env,
    userDataDir: opts.userDataDir,
  };
  requireAbsolute(layout, 'The home directory', opts.home);
  if (opts.userDataDir !== undefined) {
    if (opts.platform === 'win32') {
      throw new WaygateError(
        'BAD_REQUEST',
        'On Windows, browsers find native hosts only through the registry, never in a --user-data-dir profile. Install without --user-data-dir.',
      );
    }
    if (opts.browsers?.includes('firefox')) {
      throw new WaygateError(
        'BAD_REQUEST',
        '--user-data-dir names a Chromium profile, which Firefox does not read. Drop --browser firefox, or install Firefox without --user-data-dir.',
      );
    }
    requireAbsolute(layout, 'The --user-data-dir path', opts.userDataDir);
  }
  return layout;
}

function selectedBrowsers(browsers: readonly BrowserId[] | undefined): BrowserId[] {
  return [...new Set(browsers ?? ALL_BROWSERS)];
}

function uniqueTargets(targets: readonly HostTarget[]): HostTarget[] {
  const seen = new Set<string>();
  return targets.filter((target) => {
    const key = targetKey(target);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function requireAbsolute(layout: LayoutInputs, what: string, path: string): void {
  // On Windows a path rooted without a drive (`\\x`) is relative to the current drive, which Chromium rejects.
  const absolute = layout.platform === 'win32' ? /^([A-Za-z]:[\\/]|[\\/]{2})/.test(path) : posix.isAbsolute(path);
  if (!absolute) {
    throw new WaygateError('BAD_REQUEST', `${what} must be absolute, but is ${JSON.stringify(path)}. Pass a full path.`);
  }
}

function dirnameFor(layout: LayoutInputs, path: string): string {
  return layout.platform === 'win32' ? win32.dirname(path) : posix.dirname(path);
}
