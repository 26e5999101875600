import { describe, expect, it } from 'vitest';
import { WaygateError } from '../../../../protocol/errors.js';
import { planInstall, planUninstall } from '../../../../host/installers/plan.js';
import { WRAPPER, posixInstall, windowsInstall } from './fixtures.js';

function badRequest(run: () => unknown): WaygateError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(WaygateError);
    const error = err as WaygateError;
    expect(error.code).toBe('BAD_REQUEST');
    return error;
  }
  throw new Error('expected a BAD_REQUEST');
}

describe('install options that cannot work are refused with what to do', () => {
  it.each([
    ['too short', 'abcdef'],
    ['letters past p', 'abcdefghijklmnopqrstuvwxyzabcdef'],
    ['upper case', 'ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP'],
    ['an origin instead of an ID', 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/'],
  ])('a Chromium extension ID that is %s', (_why, id) => {
    const error = badRequest(() => planInstall(posixInstall({ extensionIds: [id] })));
    expect(error.message).toContain(JSON.stringify(id));
    expect(error.message).toMatch(/32 letters a–p.*--extension-id/);
  });

  it('no extension ID at all', () => {
    expect(badRequest(() => planInstall(posixInstall({ extensionIds: [] }))).message).toMatch(/--extension-id/);
  });

  it('a Firefox add-on ID that is not one', () => {
    expect(badRequest(() => planInstall(posixInstall({ firefoxExtensionId: 'not an id' }))).message).toMatch(/Firefox add-on ID/);
  });

  it('an unknown browser or platform', () => {
    badRequest(() => planInstall(posixInstall({ browsers: ['netscape' as 'chrome'] })));
    badRequest(() => planInstall(posixInstall({ platform: 'freebsd' as 'linux' })));
  });

  it('relative paths, which browsers would resolve against their own working directory', () => {
    expect(badRequest(() => planInstall(posixInstall({ launch: { kind: 'wrapper', nodePath: 'node', entryScript: WRAPPER.entryScript } }))).message).toMatch(
      /node binary path must be absolute/,
    );
    badRequest(() => planInstall(posixInstall({ launch: { kind: 'executable', path: 'bin/waygate' } })));
    badRequest(() => planInstall(posixInstall({ home: '~' })));
    badRequest(() => planInstall(posixInstall({ userDataDir: 'profile' })));
    badRequest(() => planInstall(windowsInstall({ launch: { kind: 'wrapper', nodePath: '/usr/bin/node', entryScript: 'C:\\w.mjs' } })));
  });

  it('--user-data-dir on Windows, or with Firefox', () => {
    expect(badRequest(() => planInstall(windowsInstall({ userDataDir: 'C:\\profile' }))).message).toMatch(/registry/);
    expect(badRequest(() => planUninstall({ platform: 'linux', home: '/home/ada', env: {}, userDataDir: '/p', browsers: ['firefox'] })).message).toMatch(
      /Firefox/,
    );
  });

  it('a Windows launcher argument cmd.exe cannot carry', () => {
    badRequest(() => planInstall(windowsInstall({ launch: { kind: 'wrapper', nodePath: 'C:\\node.exe', entryScript: 'C:\\w.mjs', extraArgs: ['a"b'] } })));
  });
});
