/**
 * Where `waygate install` puts each browser's manifest and registry key, on every platform and
 * scope. The expected paths are written out here, not derived from browsers.ts, so a change to the
 * table shows up as a failing line.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserId } from '../../../../host/installers/browsers.js';
import { planInstall } from '../../../../host/installers/plan.js';
import { manifestWrites, posixInstall, runs, windowsInstall } from './fixtures.js';

const M = 'org.waygate.native.json';

const POSIX_DIRS: Record<'linux' | 'darwin', Record<'user' | 'system', Record<BrowserId, string>>> = {
  linux: {
    user: {
      chrome: '/home/ada/.config/google-chrome/NativeMessagingHosts',
      chromium: '/home/ada/.config/chromium/NativeMessagingHosts',
      edge: '/home/ada/.config/microsoft-edge/NativeMessagingHosts',
      brave: '/home/ada/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts',
      vivaldi: '/home/ada/.config/vivaldi/NativeMessagingHosts',
      firefox: '/home/ada/.mozilla/native-messaging-hosts',
    },
    system: {
      chrome: '/etc/opt/chrome/native-messaging-hosts',
      chromium: '/etc/chromium/native-messaging-hosts',
      edge: '/etc/opt/edge/native-messaging-hosts',
      brave: '/etc/chromium/native-messaging-hosts',
      vivaldi: '/etc/chromium/native-messaging-hosts',
      firefox: '/usr/lib/mozilla/native-messaging-hosts',
    },
  },
  darwin: {
    user: {
      chrome: '/Users/ada/Library/Application Support/Google/Chrome/NativeMessagingHosts',
      chromium: '/Users/ada/Library/Application Support/Chromium/NativeMessagingHosts',
      edge: '/Users/ada/Library/Application Support/Microsoft Edge/NativeMessagingHosts',
      brave: '/Users/ada/Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts',
      vivaldi: '/Users/ada/Library/Application Support/Vivaldi/NativeMessagingHosts',
      firefox: '/Users/ada/Library/Application Support/Mozilla/NativeMessagingHosts',
    },
    system: {
      chrome: '/Library/Google/Chrome/NativeMessagingHosts',
      chromium: '/Library/Application Support/Chromium/NativeMessagingHosts',
      edge: '/Library/Microsoft/Edge/NativeMessagingHosts',
      brave: '/Library/Application Support/Chromium/NativeMessagingHosts',
      vivaldi: '/Library/Application Support/Chromium/NativeMessagingHosts',
      firefox: '/Library/Application Support/Mozilla/NativeMessagingHosts',
    },
  },
};

const LAUNCHERS = {
  linux: { user: '/home/ada/.local/share/waygate/waygate-native', system: '/usr/local/lib/waygate/waygate-native' },
  darwin: {
    user: '/Users/ada/Library/Application Support/Waygate/waygate-native',
    system: '/Library/Application Support/Waygate/waygate-native',
  },
} as const;

const REGISTRY_KEYS: Record<BrowserId, string> = {
  chrome: 'Software\\Google\\Chrome\\NativeMessagingHosts\\org.waygate.native',
  chromium: 'Software\\Chromium\\NativeMessagingHosts\\org.waygate.native',
  edge: 'Software\\Microsoft\\Edge\\NativeMessagingHosts\\org.waygate.native',
  brave: 'Software\\Google\\Chrome\\NativeMessagingHosts\\org.waygate.native',
  vivaldi: 'Software\\Google\\Chrome\\NativeMessagingHosts\\org.waygate.native',
  firefox: 'Software\\Mozilla\\NativeMessagingHosts\\org.waygate.native',
};

const BROWSERS: BrowserId[] = ['chrome', 'chromium', 'edge', 'brave', 'vivaldi', 'firefox'];

describe.each(['linux', 'darwin'] as const)('%s', (platform) => {
  describe.each(['user', 'system'] as const)('%s scope', (scope) => {
    it.each(BROWSERS)('writes the %s manifest where that browser reads it, pointing at the launcher', (browser) => {
      const home = platform === 'darwin' ? '/Users/ada' : '/home/ada';
      const actions = planInstall(posixInstall({ platform, scope, home, browsers: [browser] }));
      const [manifest, ...rest] = manifestWrites(actions);
      expect(rest).toEqual([]);
      expect(manifest?.path).toBe(`${POSIX_DIRS[platform][scope][browser]}/${M}`);
      expect(manifest?.mode).toBe(0o644);
      const parsed: unknown = JSON.parse(manifest?.content ?? '');
      expect(parsed).toMatchObject({ name: 'org.waygate.native', type: 'stdio', path: LAUNCHERS[platform][scope] });
      if (browser === 'firefox') {
        expect(parsed).toHaveProperty('allowed_extensions', ['waygate@waygate.org']);
        expect(parsed).not.toHaveProperty('allowed_origins');
      } else {
        expect(parsed).toHaveProperty('allowed_origins', ['chrome-extension://abcdefghijklmnopabcdefghijklmnop/']);
        expect(parsed).not.toHaveProperty('allowed_extensions');
      }
      expect(runs(actions)).toEqual([]);
    });
  });
});

describe('linux, user scope, every browser', () => {
  it('plans the launcher, then one mkdir and one write per manifest, in order', () => {
    const actions = planInstall(posixInstall());
    expect(actions.map((a) => (a.kind === 'write-file' ? `${a.kind} ${a.path} ${a.mode.toString(8)}` : `${a.kind} ${'path' in a ? a.path : ''}`))).toEqual([
      'mkdir /home/ada/.local/share/waygate',
      'write-file /home/ada/.local/share/waygate/waygate-native 755',
      'mkdir /home/ada/.config/google-chrome/NativeMessagingHosts',
      `write-file /home/ada/.config/google-chrome/NativeMessagingHosts/${M} 644`,
      'mkdir /home/ada/.config/chromium/NativeMessagingHosts',
      `write-file /home/ada/.config/chromium/NativeMessagingHosts/${M} 644`,
      'mkdir /home/ada/.config/microsoft-edge/NativeMessagingHosts',
      `write-file /home/ada/.config/microsoft-edge/NativeMessagingHosts/${M} 644`,
      'mkdir /home/ada/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts',
      `write-file /home/ada/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts/${M} 644`,
      'mkdir /home/ada/.config/vivaldi/NativeMessagingHosts',
      `write-file /home/ada/.config/vivaldi/NativeMessagingHosts/${M} 644`,
      'mkdir /home/ada/.mozilla/native-messaging-hosts',
      `write-file /home/ada/.mozilla/native-messaging-hosts/${M} 644`,
    ]);
  });

  it('follows XDG_CONFIG_HOME and XDG_DATA_HOME, but not relative ones (the spec says ignore them)', () => {
    const xdg = planInstall(posixInstall({ env: { XDG_CONFIG_HOME: '/cfg', XDG_DATA_HOME: '/data' }, browsers: ['chrome', 'firefox'] }));
    expect(manifestWrites(xdg).map((a) => a.path)).toEqual([
      `/cfg/google-chrome/NativeMessagingHosts/${M}`,
      `/home/ada/.mozilla/native-messaging-hosts/${M}`,
    ]);
    expect(xdg[1]).toMatchObject({ kind: 'write-file', path: '/data/waygate/waygate-native' });

    const relative = planInstall(posixInstall({ env: { XDG_CONFIG_HOME: 'cfg', XDG_DATA_HOME: '' }, browsers: ['chrome'] }));
    expect(manifestWrites(relative).map((a) => a.path)).toEqual([`/home/ada/.config/google-chrome/NativeMessagingHosts/${M}`]);
    expect(relative[1]).toMatchObject({ path: '/home/ada/.local/share/waygate/waygate-native' });
  });
});

describe('linux, system scope, every browser', () => {
  it('writes a directory Chromium, Brave and Vivaldi share only once', () => {
    const paths = manifestWrites(planInstall(posixInstall({ scope: 'system' }))).map((a) => a.path);
    expect(paths).toEqual([
      `/etc/opt/chrome/native-messaging-hosts/${M}`,
      `/etc/chromium/native-messaging-hosts/${M}`,
      `/etc/opt/edge/native-messaging-hosts/${M}`,
      `/usr/lib/mozilla/native-messaging-hosts/${M}`,
    ]);
  });
});

describe('an explicit host executable', () => {
  it('writes no launcher and points the manifests at the executable', () => {
    const actions = planInstall(posixInstall({ launch: { kind: 'executable', path: '/opt/waygate/bin/waygate-native' } }));
    expect(actions.filter((a) => 'path' in a && a.path.includes('waygate-native') && !a.path.startsWith('/opt'))).toEqual([]);
    for (const write of manifestWrites(actions)) {
      expect(JSON.parse(write.content)).toHaveProperty('path', '/opt/waygate/bin/waygate-native');
    }
    expect(actions.filter((a) => a.kind === 'write-file')).toHaveLength(6);
  });
});

describe('--user-data-dir', () => {
  it('writes one Chromium manifest and the launcher into the profile, whatever the scope', () => {
    for (const scope of ['user', 'system'] as const) {
      const actions = planInstall(posixInstall({ scope, userDataDir: '/tmp/profile' }));
      expect(actions).toEqual([
        { kind: 'mkdir', path: '/tmp/profile/NativeMessagingHosts' },
        {
          kind: 'write-file',
          path: '/tmp/profile/NativeMessagingHosts/waygate-native',
          content: expect.stringContaining('exec /usr/bin/node /opt/waygate/waygate.mjs native "$@"') as unknown,
          mode: 0o755,
        },
        {
          kind: 'write-file',
          path: `/tmp/profile/NativeMessagingHosts/${M}`,
          content: expect.stringContaining('"allowed_origins"') as unknown,
          mode: 0o644,
        },
      ]);
    }
  });

  it('passes fixed launcher args (a test socket) before the browser args', () => {
    const actions = planInstall(
      posixInstall({ userDataDir: '/tmp/profile', launch: { kind: 'wrapper', nodePath: '/usr/bin/node', entryScript: '/opt/waygate/waygate.mjs', extraArgs: ['--socket', '/tmp/w s/x.sock'] } }),
    );
    expect(actions[1]).toMatchObject({
      content: expect.stringContaining(`exec /usr/bin/node /opt/waygate/waygate.mjs native --socket '/tmp/w s/x.sock' "$@"`) as unknown,
    });
  });
});

describe('windows', () => {
  describe.each([
    ['user', 'HKCU', 'C:\\Users\\ada\\AppData\\Local\\Waygate'],
    ['system', 'HKLM', 'C:\\Program Files\\Waygate'],
  ] as const)('%s scope', (scope, root, waygateDir) => {
    it.each(BROWSERS)('writes the %s manifest to the Waygate dir and registers it with reg.exe', (browser) => {
      const actions = planInstall(windowsInstall({ scope, browsers: [browser] }));
      const manifestPath =
        browser === 'firefox'
          ? `${waygateDir}\\NativeMessagingHosts\\org.waygate.native.firefox.json`
          : `${waygateDir}\\NativeMessagingHosts\\org.waygate.native.json`;
      expect(actions).toEqual([
        { kind: 'mkdir', path: waygateDir },
        { kind: 'write-file', path: `${waygateDir}\\waygate-native.cmd`, content: expect.any(String) as unknown, mode: 0o755 },
        { kind: 'mkdir', path: `${waygateDir}\\NativeMessagingHosts` },
        { kind: 'write-file', path: manifestPath, content: expect.any(String) as unknown, mode: 0o644 },
        {
          kind: 'run',
          command: 'C:\\Windows\\System32\\reg.exe',
          args: ['add', `${root}\\${REGISTRY_KEYS[browser]}`, '/ve', '/t', 'REG_SZ', '/d', manifestPath, '/f'],
          tolerateFailure: false,
        },
      ]);
      const manifest: unknown = JSON.parse(manifestWrites(actions)[0]?.content ?? '');
      expect(manifest).toHaveProperty('path', `${waygateDir}\\waygate-native.cmd`);
      expect(manifest).toHaveProperty(browser === 'firefox' ? 'allowed_extensions' : 'allowed_origins');
    });
  });

  it('writes the shared Chromium manifest once and each distinct key once, Chrome’s read by Brave and Vivaldi', () => {
    const actions = planInstall(windowsInstall());
    expect(manifestWrites(actions).map((a) => a.path)).toEqual([
      'C:\\Users\\ada\\AppData\\Local\\Waygate\\NativeMessagingHosts\\org.waygate.native.json',
      'C:\\Users\\ada\\AppData\\Local\\Waygate\\NativeMessagingHosts\\org.waygate.native.firefox.json',
    ]);
    expect(runs(actions).map((a) => a.args[1])).toEqual([
      'HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts\\org.waygate.native',
      'HKCU\\Software\\Chromium\\NativeMessagingHosts\\org.waygate.native',
      'HKCU\\Software\\Microsoft\\Edge\\NativeMessagingHosts\\org.waygate.native',
      'HKCU\\Software\\Mozilla\\NativeMessagingHosts\\org.waygate.native',
    ]);
    expect(actions.at(-1)?.kind).toBe('run');
  });

  it('finds LOCALAPPDATA whatever its case, and falls back to the home dir without it', () => {
    const lower = planInstall(windowsInstall({ env: { localappdata: 'D:\\Local' }, browsers: ['edge'] }));
    expect(lower[0]).toEqual({ kind: 'mkdir', path: 'D:\\Local\\Waygate' });
    expect(runs(lower)[0]?.command).toBe('C:\\Windows\\System32\\reg.exe');
    const none = planInstall(windowsInstall({ env: {}, browsers: ['edge'] }));
    expect(none[0]).toEqual({ kind: 'mkdir', path: 'C:\\Users\\ada\\AppData\\Local\\Waygate' });
  });
});
