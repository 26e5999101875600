/**
 * `waygate install --service` and `uninstall --service` for real on this machine's file system,
 * confined to a temp dir standing in for `/` (--service-root). Commands go to a recording runner:
 * no systemctl or launchctl ever runs.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WaygateError } from '../../../protocol/errors.js';
import { installServiceCommand, uninstallServiceCommand, type ServiceEnvironment } from '../../../host/cli/install-service.js';

let root: string;
let lines: string[];
let calls: string[][];
const log = (line: string) => lines.push(line);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'waygate-service-'));
  lines = [];
  calls = [];
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function machine(overrides: Partial<ServiceEnvironment> = {}): ServiceEnvironment {
  return {
    platform: 'linux',
    uid: 1000,
    env: {},
    nodePath: '/usr/bin/node',
    entryScript: '/opt/waygate/waygate.mjs',
    runCommand: (command, args) => {
      calls.push([command, ...args]);
      return Promise.resolve();
    },
    ...overrides,
  };
}

function filesUnder(base: string): string[] {
  return readdirSync(base, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(base.length + 1))
    .sort();
}

describe('install --service', () => {
  it('writes the unit 0644 under the root and enables it offline there', async () => {
    await installServiceCommand({ service: true, serviceRoot: root }, log, machine());

    expect(filesUnder(root)).toEqual(['etc/systemd/system/waygate.service']);
    const unit = join(root, 'etc/systemd/system/waygate.service');
    expect(statSync(unit).mode & 0o777).toBe(0o644);
    expect(readFileSync(unit, 'utf8')).toContain('\nExecStart=/usr/bin/node /opt/waygate/waygate.mjs service\n');
    expect(calls).toEqual([['systemctl', `--root=${root}`, 'enable', 'waygate.service']]);
    expect(lines.at(-1)).toMatch(/written under/);
  });

  it('writes the macOS plist and log dir under the root, running nothing', async () => {
    await installServiceCommand({ service: true, serviceRoot: root }, log, machine({ platform: 'darwin' }));
    expect(filesUnder(root)).toEqual(['Library/LaunchDaemons/org.waygate.service.plist']);
    expect(existsSync(join(root, 'Library/Logs/Waygate'))).toBe(true);
    expect(calls).toEqual([]);
  });

  it('a dry run as a normal user changes nothing and describes every action', async () => {
    await installServiceCommand({ service: true, dryRun: true }, log, machine());
    expect(filesUnder(root)).toEqual([]);
    expect(calls).toEqual([]);
    expect(lines).toEqual([
      'mkdir /etc/systemd/system',
      'write /etc/systemd/system/waygate.service (0644)',
      'run systemctl daemon-reload',
      'run systemctl enable --now waygate.service',
      'dry run: nothing was changed',
    ]);
  });

  it('a dry run under a root writes nothing there', async () => {
    await installServiceCommand({ service: true, dryRun: true, serviceRoot: root }, log, machine());
    expect(filesUnder(root)).toEqual([]);
    expect(calls).toEqual([]);
    expect(lines).toContain(`write ${root}/etc/systemd/system/waygate.service (0644)`);
  });

  it('refuses a normal user installing into the real root, before doing anything', async () => {
    const attempt = installServiceCommand({ service: true }, log, machine());
    await expect(attempt).rejects.toSatisfy(
      (err) => err instanceof WaygateError && err.code === 'PERMISSION_DENIED' && /sudo waygate install --service/.test(err.message),
    );
    expect(lines).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('stops at a failing command with what failed', async () => {
    const runCommand = () => Promise.reject(Object.assign(new Error('Command failed'), { stderr: 'Failed to enable unit: Access denied\n' }));
    const attempt = installServiceCommand({ service: true, serviceRoot: root }, log, machine({ runCommand }));
    await expect(attempt).rejects.toThrow(/Could not run systemctl --root=.* enable waygate\.service: Failed to enable unit: Access denied/);
  });
});

describe('uninstall --service', () => {
  it('removes the unit and disables it offline, and a second uninstall is fine', async () => {
    await installServiceCommand({ service: true, serviceRoot: root }, log, machine());
    calls = [];
    await uninstallServiceCommand({ service: true, serviceRoot: root }, log, machine());
    expect(filesUnder(root)).toEqual([]);
    expect(calls).toEqual([['systemctl', `--root=${root}`, 'disable', 'waygate.service']]);

    const notInstalled = () => Promise.reject(new Error('Failed to disable unit: Unit file waygate.service does not exist.'));
    await expect(uninstallServiceCommand({ service: true, serviceRoot: root }, log, machine({ runCommand: notInstalled }))).resolves.toBeUndefined();
    expect(lines).toContain('  (ignored: Failed to disable unit: Unit file waygate.service does not exist.)');
  });

  it('refuses a normal user uninstalling from the real root', async () => {
    await expect(uninstallServiceCommand({ service: true }, log, machine())).rejects.toThrow(/Only root can uninstall/);
  });
});
