import { describe, expect, it } from 'vitest';
import { planUninstall, type UninstallOptions } from '../../../../host/installers/plan.js';

const M = 'org.waygate.native.json';

function posix(overrides: Partial<UninstallOptions> = {}): UninstallOptions {
  return { platform: 'linux', scope: 'user', home: '/home/ada', env: {}, ...overrides };
}

function windows(overrides: Partial<UninstallOptions> = {}): UninstallOptions {
  return { platform: 'win32', scope: 'user', home: 'C:\\Users\\ada', env: { SystemRoot: 'C:\\Windows' }, ...overrides };
}

describe('uninstall plan', () => {
  it('removes every manifest and the launcher (linux, user)', () => {
    expect(planUninstall(posix())).toEqual([
      { kind: 'remove-file', path: `/home/ada/.config/google-chrome/NativeMessagingHosts/${M}` },
      { kind: 'remove-file', path: `/home/ada/.config/chromium/NativeMessagingHosts/${M}` },
      { kind: 'remove-file', path: `/home/ada/.config/microsoft-edge/NativeMessagingHosts/${M}` },
      { kind: 'remove-file', path: `/home/ada/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts/${M}` },
      { kind: 'remove-file', path: `/home/ada/.config/vivaldi/NativeMessagingHosts/${M}` },
      { kind: 'remove-file', path: `/home/ada/.mozilla/native-messaging-hosts/${M}` },
      { kind: 'remove-file', path: '/home/ada/.local/share/waygate/waygate-native' },
    ]);
  });

  it('removes the system manifests once each and the system launcher (macOS, system)', () => {
    expect(planUninstall(posix({ platform: 'darwin', scope: 'system', home: '/Users/ada' }))).toEqual([
      { kind: 'remove-file', path: `/Library/Google/Chrome/NativeMessagingHosts/${M}` },
      { kind: 'remove-file', path: `/Library/Application Support/Chromium/NativeMessagingHosts/${M}` },
      { kind: 'remove-file', path: `/Library/Microsoft/Edge/NativeMessagingHosts/${M}` },
      { kind: 'remove-file', path: `/Library/Application Support/Mozilla/NativeMessagingHosts/${M}` },
      { kind: 'remove-file', path: '/Library/Application Support/Waygate/waygate-native' },
    ]);
  });

  it('deletes registry keys first, tolerating ones already gone, then files (windows, system)', () => {
    const reg = 'C:\\Windows\\System32\\reg.exe';
    expect(planUninstall(windows({ scope: 'system', env: { ProgramFiles: 'D:\\PF', SystemRoot: 'C:\\Windows' } }))).toEqual([
      { kind: 'run', command: reg, args: ['delete', 'HKLM\\Software\\Google\\Chrome\\NativeMessagingHosts\\org.waygate.native', '/f'], tolerateFailure: true },
      { kind: 'run', command: reg, args: ['delete', 'HKLM\\Software\\Chromium\\NativeMessagingHosts\\org.waygate.native', '/f'], tolerateFailure: true },
      { kind: 'run', command: reg, args: ['delete', 'HKLM\\Software\\Microsoft\\Edge\\NativeMessagingHosts\\org.waygate.native', '/f'], tolerateFailure: true },
      { kind: 'run', command: reg, args: ['delete', 'HKLM\\Software\\Mozilla\\NativeMessagingHosts\\org.waygate.native', '/f'], tolerateFailure: true },
      { kind: 'remove-file', path: `D:\\PF\\Waygate\\NativeMessagingHosts\\${M}` },
      { kind: 'remove-file', path: 'D:\\PF\\Waygate\\NativeMessagingHosts\\org.waygate.native.firefox.json' },
      { kind: 'remove-file', path: 'D:\\PF\\Waygate\\waygate-native.cmd' },
    ]);
  });

  it('keeps what other browsers still read when only some are uninstalled', () => {
    // Brave shares /etc/chromium with Chromium and Vivaldi; the launcher serves every browser.
    expect(planUninstall(posix({ scope: 'system', browsers: ['brave', 'edge'] }))).toEqual([
      { kind: 'remove-file', path: `/etc/opt/edge/native-messaging-hosts/${M}` },
    ]);
    expect(planUninstall(posix({ scope: 'system', browsers: ['brave', 'chromium', 'vivaldi'] }))).toEqual([
      { kind: 'remove-file', path: `/etc/chromium/native-messaging-hosts/${M}` },
    ]);
    // On Windows Brave reads Chrome's key and every Chromium browser reads the one Chromium manifest.
    expect(planUninstall(windows({ browsers: ['brave', 'firefox'] }))).toEqual([
      {
        kind: 'run',
        command: 'C:\\Windows\\System32\\reg.exe',
        args: ['delete', 'HKCU\\Software\\Mozilla\\NativeMessagingHosts\\org.waygate.native', '/f'],
        tolerateFailure: true,
      },
      { kind: 'remove-file', path: 'C:\\Users\\ada\\AppData\\Local\\Waygate\\NativeMessagingHosts\\org.waygate.native.firefox.json' },
    ]);
  });

  it('empties a --user-data-dir profile whichever browsers are named', () => {
    const expected = [
      { kind: 'remove-file', path: `/tmp/profile/NativeMessagingHosts/${M}` },
      { kind: 'remove-file', path: '/tmp/profile/NativeMessagingHosts/waygate-native' },
    ];
    expect(planUninstall(posix({ userDataDir: '/tmp/profile' }))).toEqual(expected);
    expect(planUninstall(posix({ userDataDir: '/tmp/profile', browsers: ['chromium'] }))).toEqual(expected);
  });
});
