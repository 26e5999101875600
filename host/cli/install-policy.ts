/**
 * `waygate install --policy` / `waygate uninstall --policy`: managed deployment of the extension.
 * Instead of registering the native host, write enterprise browser policy that force-installs the
 * extension and gives it its managed configuration (portal address, enrollment token for
 * zero-touch enrollment): the Linux policy files, plus a macOS profile and a Windows .reg for the
 * admin to distribute. Everything is validated before anything is written.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { WaygateError } from '../../protocol/errors.js';
import { ManagedConfig } from '../../protocol/managed-config.js';
import { WAYGATE_EXTENSION_ID } from '../../protocol/native.js';
import { CHROME_WEB_STORE_UPDATE_URL, POLICY_BROWSERS, WINDOWS_POLICY_KEYS, type PolicyBrowser } from '../installers/browser-policy.js';
import { removeLinuxPolicies, writeDistributables, writeLinuxPolicies } from '../installers/browser-policy-files.js';
import type { BrowserId } from '../installers/browsers.js';
import { CHROMIUM_EXTENSION_ID } from '../installers/native-host-manifest.js';

export interface PolicyFlags {
  /** Set by `--policy`; the caller dispatches here when it is true. */
  policy?: boolean;
  browser?: BrowserId[];
  dryRun?: boolean;
  /** The install command's `--extension-id`; policy names exactly one extension. */
  extensionId?: string[];
  portalUrl?: string;
  enrollmentToken?: string;
  userEmail?: string;
  lockPortalUrl?: boolean;
  updateUrl?: string;
  /** `--no-force-install` sets this false: write only the extension's managed configuration. */
  forceInstall?: boolean;
  /** Root the Linux policy directories are under; default `/`. */
  policyRoot?: string;
  /** Where the .mobileconfig and .reg go; default the current directory. */
  policyOut?: string;
}

/** Adds the policy flags; `uninstall` needs only `--policy` and `--policy-root`. */
export function addPolicyOptions(command: Command, which: 'install' | 'uninstall' = 'install'): Command {
  command
    .option('--policy', which === 'install' ? 'write enterprise browser policy that force-installs the extension, instead of the native host' : 'remove the browser policy written by install --policy')
    .option('--policy-root <dir>', 'with --policy: root the Linux policy directories are under (default: /, and only on Linux); for image building and tests');
  if (which === 'uninstall') return command;
  return command
    .option('--portal-url <url>', 'with --policy: the organisation portal the extension uses')
    .option('--enrollment-token <token>', 'with --policy: org enrollment token for zero-touch enrollment (needs --user-email)')
    .option('--user-email <email>', 'with --policy: the user a zero-touch device is enrolled for')
    .option('--lock-portal-url', 'with --policy: the user cannot change the portal address')
    .option('--update-url <url>', 'with --policy: where browsers download the extension (default: the Chrome Web Store)')
    .option('--no-force-install', 'with --policy: write only the extension’s managed configuration, not ExtensionSettings (the extension is installed another way)')
    .option('--policy-out <dir>', 'with --policy: where the macOS .mobileconfig and Windows .reg are written (default: current directory)');
}

export async function installPolicyCommand(flags: PolicyFlags, log: (line: string) => void): Promise<void> {
  const browsers = policyBrowsers(flags.browser);
  const inputs = {
    extensionId: extensionId(flags.extensionId),
    updateUrl: updateUrl(flags.updateUrl),
    managed: managedConfig(flags),
    forceInstall: flags.forceInstall !== false,
  };
  const options = { dryRun: flags.dryRun === true, log };

  if (writesLinuxFiles(flags)) await writeLinuxPolicies(browsers, flags.policyRoot ?? '/', inputs, options);
  const out = await writeDistributables(flags.policyOut ?? process.cwd(), inputs, options);

  if (flags.dryRun) {
    log('dry run: nothing was changed');
    return;
  }
  log('Browser policy written; browsers apply it on restart (or at chrome://policy → Reload policies).');
  log(`macOS: deploy ${out.mobileconfig} with your MDM. Windows: import ${out.reg} (reg import, or your group policy tooling).`);
  log('Both files contain the enrollment token: keep them where only administrators can read them.');
  if (inputs.updateUrl !== CHROME_WEB_STORE_UPDATE_URL) {
    log('Note: Windows and macOS force-install an extension from outside the Chrome Web Store only on managed (domain-joined or MDM-enrolled) machines.');
  }
}

export async function uninstallPolicyCommand(flags: PolicyFlags, log: (line: string) => void): Promise<void> {
  const browsers = policyBrowsers(flags.browser);
  const id = extensionId(flags.extensionId);
  if (writesLinuxFiles(flags)) await removeLinuxPolicies(browsers, flags.policyRoot ?? '/', { dryRun: flags.dryRun === true, log });
  if (flags.dryRun) {
    log('dry run: nothing was changed');
    return;
  }
  log('Browser policy removed; browsers drop it on restart. The extension stays installed until then.');
  log(
    `macOS: remove the Waygate profile with your MDM. Windows: delete HKLM\\${WINDOWS_POLICY_KEYS.chrome}\\3rdparty\\extensions\\${id} and ` +
      `HKLM\\${WINDOWS_POLICY_KEYS.edge}\\3rdparty\\extensions\\${id}, and the ${id} entry of ExtensionSettings under both keys.`,
  );
}

/** Linux files are written on Linux, or anywhere when the caller names a root (building an image). */
function writesLinuxFiles(flags: PolicyFlags): boolean {
  return process.platform === 'linux' || flags.policyRoot !== undefined;
}

function policyBrowsers(selected: readonly BrowserId[] | undefined): PolicyBrowser[] {
  if (selected === undefined) return [...POLICY_BROWSERS];
  const unsupported = selected.filter((browser) => !isPolicyBrowser(browser));
  if (unsupported.length > 0) {
    throw new WaygateError(
      'BAD_REQUEST',
      `Browser policy is written for ${POLICY_BROWSERS.join(', ')}; not for ${unsupported.join(', ')}. Drop --browser ${unsupported.join(' ')}.`,
    );
  }
  return selected.filter(isPolicyBrowser);
}

function isPolicyBrowser(browser: BrowserId): browser is PolicyBrowser {
  return POLICY_BROWSERS.some((candidate) => candidate === browser);
}

function extensionId(ids: readonly string[] | undefined): string {
  if (ids === undefined || ids.length === 0) return WAYGATE_EXTENSION_ID;
  const [id] = ids;
  if (ids.length > 1 || id === undefined) {
    throw new WaygateError('BAD_REQUEST', `Browser policy installs one extension; give one --extension-id, not ${ids.length}.`);
  }
  if (!CHROMIUM_EXTENSION_ID.test(id)) {
    throw new WaygateError('BAD_REQUEST', `${JSON.stringify(id)} is not a Chromium extension ID (32 letters a–p).`);
  }
  return id;
}

const UpdateUrl = z.url({ protocol: /^https?$/ });

function updateUrl(value: string | undefined): string {
  if (value === undefined) return CHROME_WEB_STORE_UPDATE_URL;
  if (!UpdateUrl.safeParse(value).success) {
    throw new WaygateError('BAD_REQUEST', `--update-url must be an http(s) URL of an update manifest; got ${JSON.stringify(value)}.`);
  }
  return value;
}

const FLAG_OF: Readonly<Record<string, string>> = {
  portalUrl: '--portal-url',
  enrollmentToken: '--enrollment-token',
  userEmail: '--user-email',
  lockPortalUrl: '--lock-portal-url',
};

function managedConfig(flags: PolicyFlags): ManagedConfig {
  if (flags.portalUrl === undefined) {
    throw new WaygateError('BAD_REQUEST', 'Give the portal address with --portal-url: browser policy exists to point the extension at it.');
  }
  const raw = {
    portalUrl: flags.portalUrl,
    ...(flags.enrollmentToken === undefined ? {} : { enrollmentToken: flags.enrollmentToken }),
    ...(flags.userEmail === undefined ? {} : { userEmail: flags.userEmail }),
    ...(flags.lockPortalUrl === true ? { lockPortalUrl: true } : {}),
  };
  const result = ManagedConfig.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path[0];
    const flag = typeof key === 'string' ? FLAG_OF[key] : undefined;
    return flag === undefined ? issue.message : `${flag}: ${issue.message}`;
  });
  throw new WaygateError('BAD_REQUEST', `Invalid browser policy settings. ${problems.join('; ')}.`);
}
