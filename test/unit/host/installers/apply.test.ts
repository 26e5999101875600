/** A real install and uninstall on this (Linux) machine, confined to a temp dir standing in for $HOME. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WaygateError } from '../../../../protocol/errors.js';
import { applyActions, describeAction } from '../../../../host/installers/apply.js';
import { ChromiumHostManifest, FirefoxHostManifest } from '../../../../host/installers/native-host-manifest.js';
import { planInstall, planUninstall, type InstallOptions } from '../../../../host/installers/plan.js';
import { EXTENSION_ID } from './fixtures.js';

let home: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'waygate-install-'));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

function options(): InstallOptions {
  return {
    platform: 'linux',
    scope: 'user',
    home,
    env: { XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data') },
    extensionIds: [EXTENSION_ID],
    launch: { kind: 'wrapper', nodePath: process.execPath, entryScript: join(home, 'waygate.mjs'), extraArgs: ['--socket', join(home, 'w.sock')] },
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

const quiet = { dryRun: false, log: () => {} };

describe('applying a Linux user install', () => {
  it('writes the launcher and manifests with their modes, as valid JSON, and nothing else', async () => {
    await applyActions(planInstall(options()), quiet);

    expect(filesUnder(home)).toEqual([
      '.mozilla/native-messaging-hosts/org.waygate.native.json',
      'config/BraveSoftware/Brave-Browser/NativeMessagingHosts/org.waygate.native.json',
      'config/chromium/NativeMessagingHosts/org.waygate.native.json',
      'config/google-chrome/NativeMessagingHosts/org.waygate.native.json',
      'config/microsoft-edge/NativeMessagingHosts/org.waygate.native.json',
      'config/vivaldi/NativeMessagingHosts/org.waygate.native.json',
      'data/waygate/waygate-native',
    ]);
    const launcher = join(home, 'data/waygate/waygate-native');
    expect(statSync(launcher).mode & 0o777).toBe(0o755);

    const chrome = join(home, 'config/google-chrome/NativeMessagingHosts/org.waygate.native.json');
    expect(statSync(chrome).mode & 0o777).toBe(0o644);
    expect(ChromiumHostManifest.parse(JSON.parse(readFileSync(chrome, 'utf8')))).toMatchObject({
      path: launcher,
      allowed_origins: [`chrome-extension://${EXTENSION_ID}/`],
    });
    const firefox = join(home, '.mozilla/native-messaging-hosts/org.waygate.native.json');
    expect(FirefoxHostManifest.parse(JSON.parse(readFileSync(firefox, 'utf8')))).toMatchObject({ path: launcher });
  });

  it('writes a launcher that starts node with `native`, the fixed args and the browser args', async () => {
    const entryScript = join(home, 'print-args.mjs');
    writeFileSync(entryScript, 'console.log(JSON.stringify(process.argv.slice(2)));\n');
    await applyActions(planInstall({ ...options(), launch: { kind: 'wrapper', nodePath: process.execPath, entryScript, extraArgs: ['--socket', join(home, 'w.sock')] } }), quiet);
    const out = execFileSync(join(home, 'data/waygate/waygate-native'), [`chrome-extension://${EXTENSION_ID}/`], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(['native', '--socket', join(home, 'w.sock'), `chrome-extension://${EXTENSION_ID}/`]);
  });

  it('reinstalls over an existing install, leaving no temp files', async () => {
    await applyActions(planInstall(options()), quiet);
    const before = filesUnder(home);
    await applyActions(planInstall(options()), quiet);
    expect(filesUnder(home)).toEqual(before);
  });

  it('a dry run writes nothing and describes every action', async () => {
    const actions = planInstall(options());
    const lines: string[] = [];
    await applyActions(actions, { dryRun: true, log: (line) => lines.push(line) });
    expect(filesUnder(home)).toEqual([]);
    expect(lines).toEqual(actions.map(describeAction));
    expect(lines).toContain(`write ${join(home, 'data/waygate/waygate-native')} (0755)`);
    expect(lines).toContain(`mkdir ${join(home, 'config/google-chrome/NativeMessagingHosts')}`);
  });

  it('uninstall removes what install wrote, and a second uninstall is fine', async () => {
    await applyActions(planInstall(options()), quiet);
    await applyActions(planUninstall(options()), quiet);
    expect(filesUnder(home)).toEqual([]);
    await expect(applyActions(planUninstall(options()), quiet)).resolves.toBeUndefined();
  });

  it('installs into and empties a temporary Chromium profile', async () => {
    const profile = join(home, 'profile');
    await applyActions(planInstall({ ...options(), userDataDir: profile }), quiet);
    expect(filesUnder(profile)).toEqual(['NativeMessagingHosts/org.waygate.native.json', 'NativeMessagingHosts/waygate-native']);
    await applyActions(planUninstall({ ...options(), userDataDir: profile }), quiet);
    expect(filesUnder(profile)).toEqual([]);
  });
});

describe('applying failures', () => {
  it('reports a directory it may not write to as PERMISSION_DENIED with what to do', async () => {
    const locked = join(home, 'locked');
    await applyActions([{ kind: 'mkdir', path: locked }], quiet);
    execFileSync('chmod', ['0555', locked]);
    const write = applyActions([{ kind: 'write-file', path: join(locked, 'x.json'), content: '{}', mode: 0o644 }], quiet);
    if (process.getuid?.() === 0) {
      await expect(write).resolves.toBeUndefined(); // root ignores directory modes
      return;
    }
    await expect(write).rejects.toSatisfy(
      (err) => err instanceof WaygateError && err.code === 'PERMISSION_DENIED' && /--scope user/.test(err.message),
    );
  });

  it('reports EPERM and EACCES from any action as PERMISSION_DENIED', async () => {
    const runCommand = () => Promise.reject(Object.assign(new Error('spawn EPERM'), { code: 'EPERM' }));
    const run = applyActions([{ kind: 'run', command: 'reg.exe', args: ['add', 'HKLM\\Software\\X'], tolerateFailure: false }], {
      ...quiet,
      runCommand,
    });
    await expect(run).rejects.toSatisfy(
      (err) => err instanceof WaygateError && err.code === 'PERMISSION_DENIED' && err.message.startsWith('Could not run reg.exe add'),
    );
  });

  it('goes on past a tolerated command failure, logging it, and stops at any other', async () => {
    const lines: string[] = [];
    const calls: string[] = [];
    const runCommand = (command: string, args: readonly string[]) => {
      calls.push([command, ...args].join(' '));
      return Promise.reject(Object.assign(new Error('Command failed'), { stderr: 'ERROR: The system was unable to find the specified registry key or value.\r\n' }));
    };
    await applyActions(
      [
        { kind: 'run', command: 'C:\\Windows\\System32\\reg.exe', args: ['delete', 'HKCU\\Software\\X', '/f'], tolerateFailure: true },
        { kind: 'remove-file', path: join(home, 'absent') },
      ],
      { dryRun: false, log: (line) => lines.push(line), runCommand },
    );
    expect(lines).toEqual([
      'run C:\\Windows\\System32\\reg.exe delete HKCU\\Software\\X /f',
      '  (ignored: ERROR: The system was unable to find the specified registry key or value.)',
      `remove ${join(home, 'absent')}`,
    ]);

    const strict = applyActions(
      [
        { kind: 'run', command: 'reg.exe', args: ['add', 'HKCU\\Software\\X'], tolerateFailure: false },
        { kind: 'mkdir', path: join(home, 'never') },
      ],
      { dryRun: false, log: () => {}, runCommand },
    );
    await expect(strict).rejects.toThrow(/Could not run reg\.exe add HKCU\\Software\\X: ERROR: The system was unable/);
    expect(existsSync(join(home, 'never'))).toBe(false);
    expect(calls).toHaveLength(2);
  });

  it('describes each kind of action in one line', () => {
    expect(describeAction({ kind: 'mkdir', path: '/a' })).toBe('mkdir /a');
    expect(describeAction({ kind: 'write-file', path: '/a/b.json', content: '', mode: 0o644 })).toBe('write /a/b.json (0644)');
    expect(describeAction({ kind: 'remove-file', path: '/a/b.json' })).toBe('remove /a/b.json');
    expect(
      describeAction({
        kind: 'run',
        command: 'reg.exe',
        args: ['add', 'HKCU\\K', '/ve', '/t', 'REG_SZ', '/d', 'C:\\Program Files\\m.json', '/f'],
        tolerateFailure: false,
      }),
    ).toBe('run reg.exe add HKCU\\K /ve /t REG_SZ /d "C:\\Program Files\\m.json" /f');
  });
});
