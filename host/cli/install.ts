/**
 * `waygate install` / `waygate uninstall`: register this program as the native-messaging host of
 * the Waygate extension in each browser (manifests, and registry keys on Windows), or remove it.
 */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { WaygateError } from '../../protocol/errors.js';
import { WAYGATE_EXTENSION_ID } from '../../protocol/native.js';
import { applyActions } from '../installers/apply.js';
import type { BrowserId } from '../installers/browsers.js';
import { planInstall, planUninstall } from '../installers/plan.js';

export interface InstallFlags {
  scope: 'user' | 'system';
  browser?: BrowserId[];
  extensionId: string[];
  firefoxExtensionId?: string;
  userDataDir?: string;
  /** The LocalAPI socket the launched host should use, when not the default one. */
  socket?: string;
  dryRun?: boolean;
}

export const DEFAULT_EXTENSION_IDS = [WAYGATE_EXTENSION_ID];

function target(flags: Pick<InstallFlags, 'scope' | 'browser' | 'userDataDir'>) {
  const platform = process.platform;
  if (platform !== 'linux' && platform !== 'darwin' && platform !== 'win32') {
    throw new WaygateError('BAD_REQUEST', `Installing the native host is not supported on ${platform}.`);
  }
  return {
    platform,
    scope: flags.scope,
    home: homedir(),
    env: { ...process.env },
    ...(flags.browser ? { browsers: flags.browser } : {}),
    ...(flags.userDataDir ? { userDataDir: resolve(flags.userDataDir) } : {}),
  };
}

export async function installCommand(flags: InstallFlags, log: (line: string) => void): Promise<void> {
  const actions = planInstall({
    ...target(flags),
    extensionIds: flags.extensionId,
    ...(flags.firefoxExtensionId ? { firefoxExtensionId: flags.firefoxExtensionId } : {}),
    launch: {
      kind: 'wrapper',
      nodePath: process.execPath,
      // The script node is running now: the bundle in production, host/main.ts under tsx in development.
      entryScript: resolve(process.argv[1] ?? ''),
      extraArgs: flags.socket ? ['--socket', resolve(flags.socket)] : [],
    },
  });
  await applyActions(actions, { dryRun: flags.dryRun === true, log });
  log(flags.dryRun ? 'dry run: nothing was changed' : 'Waygate native host installed; restart the browser if the extension says it is not installed.');
}

export async function uninstallCommand(flags: InstallFlags, log: (line: string) => void): Promise<void> {
  await applyActions(planUninstall(target(flags)), { dryRun: flags.dryRun === true, log });
  log(flags.dryRun ? 'dry run: nothing was changed' : 'Waygate native host removed.');
}
