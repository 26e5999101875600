import { describe, expect, it } from 'vitest';
import { WaygateError } from '../../../../protocol/errors.js';
import { planServiceInstall, planServiceUninstall } from '../../../../host/installers/service-plan.js';
import { renderLaunchdPlist, renderSystemdUnit } from '../../../../host/installers/service-unit.js';

const POSIX = { nodePath: '/usr/bin/node', entryScript: '/opt/waygate/waygate.mjs' };
const WINDOWS = { nodePath: 'C:\\Program Files\\nodejs\\node.exe', entryScript: 'C:\\Program Files\\Waygate\\waygate.mjs' };
const SC = 'D:\\Win\\System32\\sc.exe';

describe('planServiceInstall', () => {
  it('Linux: writes the unit 0644, reloads systemd and enables and starts the service', () => {
    expect(planServiceInstall({ platform: 'linux', ...POSIX })).toEqual([
      { kind: 'mkdir', path: '/etc/systemd/system' },
      { kind: 'write-file', path: '/etc/systemd/system/waygate.service', content: renderSystemdUnit(POSIX), mode: 0o644 },
      { kind: 'run', command: 'systemctl', args: ['daemon-reload'], tolerateFailure: false },
      { kind: 'run', command: 'systemctl', args: ['enable', '--now', 'waygate.service'], tolerateFailure: false },
    ]);
  });

  it('Linux under another root: writes the unit there and enables it offline, starting nothing', () => {
    expect(planServiceInstall({ platform: 'linux', rootDir: '/tmp/image/', ...POSIX })).toEqual([
      { kind: 'mkdir', path: '/tmp/image/etc/systemd/system' },
      { kind: 'write-file', path: '/tmp/image/etc/systemd/system/waygate.service', content: renderSystemdUnit(POSIX), mode: 0o644 },
      { kind: 'run', command: 'systemctl', args: ['--root=/tmp/image', 'enable', 'waygate.service'], tolerateFailure: false },
    ]);
  });

  it('macOS: creates the log dir, writes the plist 0644, unloads any old one and bootstraps it', () => {
    expect(planServiceInstall({ platform: 'darwin', ...POSIX })).toEqual([
      { kind: 'mkdir', path: '/Library/Logs/Waygate' },
      { kind: 'mkdir', path: '/Library/LaunchDaemons' },
      { kind: 'write-file', path: '/Library/LaunchDaemons/org.waygate.service.plist', content: renderLaunchdPlist(POSIX), mode: 0o644 },
      { kind: 'run', command: '/bin/launchctl', args: ['bootout', 'system/org.waygate.service'], tolerateFailure: true },
      { kind: 'run', command: '/bin/launchctl', args: ['bootstrap', 'system', '/Library/LaunchDaemons/org.waygate.service.plist'], tolerateFailure: false },
    ]);
  });

  it('macOS under another root: files only', () => {
    expect(planServiceInstall({ platform: 'darwin', rootDir: '/img', ...POSIX }).map((a) => a.kind)).toEqual(['mkdir', 'mkdir', 'write-file']);
  });

  it('Windows: sc.exe create, failure and description, by absolute path', () => {
    expect(planServiceInstall({ platform: 'win32', env: { SYSTEMROOT: 'D:\\Win' }, ...WINDOWS })).toEqual([
      {
        kind: 'run',
        command: SC,
        args: [
          'create',
          'Waygate',
          'binPath=',
          '"C:\\Program Files\\nodejs\\node.exe" "C:\\Program Files\\Waygate\\waygate.mjs" service',
          'start=',
          'auto',
          'DisplayName=',
          'Waygate',
        ],
        tolerateFailure: false,
      },
      { kind: 'run', command: SC, args: ['failure', 'Waygate', 'reset=', '86400', 'actions=', 'restart/2000'], tolerateFailure: false },
      {
        kind: 'run',
        command: SC,
        args: ['description', 'Waygate', 'Waygate client connector: sends this device traffic through your organisation edge.'],
        tolerateFailure: false,
      },
    ]);
  });

  it.each([
    [{ platform: 'linux', nodePath: 'node', entryScript: '/w.mjs' }, /node binary path must be absolute/],
    [{ platform: 'linux', nodePath: '/usr/bin/node', entryScript: 'w.mjs' }, /entry script path must be absolute/],
    [{ platform: 'win32', nodePath: '\\node.exe', entryScript: 'C:\\w.mjs' }, /node binary path must be absolute/],
    [{ platform: 'linux', rootDir: 'image', ...POSIX }, /service root must be absolute/],
    [{ platform: 'win32', rootDir: 'C:\\img', ...WINDOWS }, /Drop --service-root/],
  ] as const)('refuses %j', (options, message) => {
    expect(() => planServiceInstall(options)).toThrow(WaygateError);
    expect(() => planServiceInstall(options)).toThrow(message);
  });
});

describe('planServiceUninstall', () => {
  it('Linux: disables and stops (tolerating no such unit), removes the file, reloads', () => {
    expect(planServiceUninstall({ platform: 'linux' })).toEqual([
      { kind: 'run', command: 'systemctl', args: ['disable', '--now', 'waygate.service'], tolerateFailure: true },
      { kind: 'remove-file', path: '/etc/systemd/system/waygate.service' },
      { kind: 'run', command: 'systemctl', args: ['daemon-reload'], tolerateFailure: false },
    ]);
  });

  it('Linux under another root: disables offline and removes the file', () => {
    expect(planServiceUninstall({ platform: 'linux', rootDir: '/img' })).toEqual([
      { kind: 'run', command: 'systemctl', args: ['--root=/img', 'disable', 'waygate.service'], tolerateFailure: true },
      { kind: 'remove-file', path: '/img/etc/systemd/system/waygate.service' },
    ]);
  });

  it('macOS: boots the daemon out (tolerating it not loaded) and removes the plist', () => {
    expect(planServiceUninstall({ platform: 'darwin' })).toEqual([
      { kind: 'run', command: '/bin/launchctl', args: ['bootout', 'system/org.waygate.service'], tolerateFailure: true },
      { kind: 'remove-file', path: '/Library/LaunchDaemons/org.waygate.service.plist' },
    ]);
  });

  it('Windows: stops and deletes the service, tolerating either failing; sc.exe from C:\\Windows by default', () => {
    expect(planServiceUninstall({ platform: 'win32' })).toEqual([
      { kind: 'run', command: 'C:\\Windows\\System32\\sc.exe', args: ['stop', 'Waygate'], tolerateFailure: true },
      { kind: 'run', command: 'C:\\Windows\\System32\\sc.exe', args: ['delete', 'Waygate'], tolerateFailure: true },
    ]);
  });
});
