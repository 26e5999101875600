/**
 * Puts browser policy on disk: the Linux policy files browsers read, and the macOS profile and
 * Windows .reg an admin distributes through their MDM or group policy. Files are written atomically
 * (temp file beside the target, then rename) so a browser never reads half a policy.
 *
 * Modes: a Linux policy file is 0644 because the browser reads it as the signed-in user (and must not
 * be writable by them, or they could rewrite policy). The profile and .reg are 0600: they carry the
 * enrollment token and are only for the admin to hand to their tooling.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WaygateError } from '../../protocol/errors.js';
import { writeFileAtomic } from '../../platform/state-file.js';
import {
  POLICY_FILE_NAME,
  encodeRegFile,
  linuxPolicyFiles,
  macMobileconfig,
  renderChromiumPolicy,
  windowsRegFile,
  type MobileconfigOptions,
  type PolicyBrowser,
  type PolicyInputs,
} from './browser-policy.js';

export const LINUX_POLICY_MODE = 0o644;
export const DISTRIBUTABLE_MODE = 0o600;
export const MOBILECONFIG_FILE_NAME = 'waygate-browser-policy.mobileconfig';
export const REG_FILE_NAME = 'waygate-browser-policy.reg';

export interface WriteOptions {
  dryRun: boolean;
  /** Receives one line per file (and per warning). */
  log: (line: string) => void;
}

/** Writes our policy file for each browser under `rootDir`, warning about a policy ours would clash with. */
export async function writeLinuxPolicies(
  browsers: readonly PolicyBrowser[],
  rootDir: string,
  inputs: PolicyInputs,
  options: WriteOptions,
): Promise<void> {
  const content = renderChromiumPolicy(inputs);
  for (const { path } of linuxPolicyFiles(browsers, rootDir)) {
    options.log(`write ${path} (${octal(LINUX_POLICY_MODE)})`);
    if (options.dryRun) continue;
    await guarded('write', path, async () => {
      await mkdir(dirname(path), { recursive: true, mode: 0o755 });
      await writeFileAtomic(path, content, LINUX_POLICY_MODE);
    });
    for (const other of await othersSettingExtensionSettings(dirname(path))) {
      options.log(
        `  warning: ${other} also sets ExtensionSettings; the browser applies only one of the two. Merge the Waygate entry into it.`,
      );
    }
  }
}

/** Removes our policy file for each browser (never the directory, nor anyone else's file). */
export async function removeLinuxPolicies(browsers: readonly PolicyBrowser[], rootDir: string, options: WriteOptions): Promise<void> {
  for (const { path } of linuxPolicyFiles(browsers, rootDir)) {
    options.log(`remove ${path}`);
    if (options.dryRun) continue;
    await guarded('remove', path, () => rm(path, { force: true }));
  }
}

/** Writes the macOS profile and the Windows .reg into `outDir`; returns their paths. */
export async function writeDistributables(
  outDir: string,
  inputs: MobileconfigOptions,
  options: WriteOptions,
): Promise<{ mobileconfig: string; reg: string }> {
  const mobileconfig = join(outDir, MOBILECONFIG_FILE_NAME);
  const reg = join(outDir, REG_FILE_NAME);
  const files: [string, string | Buffer][] = [
    [mobileconfig, macMobileconfig(inputs)],
    [reg, encodeRegFile(windowsRegFile(inputs))],
  ];
  for (const [path, content] of files) {
    options.log(`write ${path} (${octal(DISTRIBUTABLE_MODE)})`);
    if (options.dryRun) continue;
    await guarded('write', path, async () => {
      await mkdir(outDir, { recursive: true });
      await writeFileAtomic(path, content, DISTRIBUTABLE_MODE);
    });
  }
  return { mobileconfig, reg };
}


/** Other policy files in `dir` that set ExtensionSettings; a file we cannot read or parse is skipped. */
async function othersSettingExtensionSettings(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => []);
  const found: string[] = [];
  for (const name of names.sort()) {
    if (name === POLICY_FILE_NAME || name.endsWith('.tmp')) continue;
    const text = await readFile(join(dir, name), 'utf8').catch(() => '');
    if (setsExtensionSettings(text)) found.push(join(dir, name));
  }
  return found;
}

function setsExtensionSettings(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && 'ExtensionSettings' in value;
  } catch {
    return false;
  }
}

async function guarded(verb: 'write' | 'remove', path: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (err) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new WaygateError(
        'PERMISSION_DENIED',
        `Could not ${verb} ${path}: permission denied. Browser policy is machine-wide: run as an administrator (sudo), or write under another root with --policy-root.`,
        { path },
      );
    }
    throw new Error(`Could not ${verb} ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}
