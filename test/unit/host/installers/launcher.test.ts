import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WaygateError } from '../../../../protocol/errors.js';
import {
  cmdQuote,
  renderPosixLauncher,
  renderWindowsLauncher,
  shellQuote,
} from '../../../../host/installers/launcher.js';

describe('POSIX launcher', () => {
  it('execs node on the entry script with native, fixed args, then the browser args', () => {
    expect(
      renderPosixLauncher({
        nodePath: '/usr/bin/node',
        entryScript: '/opt/waygate/waygate.mjs',
        extraArgs: ['--socket', '/tmp/x.sock'],
      }),
    ).toBe(
      [
        '#!/bin/sh',
        '# Written by `waygate install`; `waygate uninstall` removes it.',
        'exec /usr/bin/node /opt/waygate/waygate.mjs native --socket /tmp/x.sock "$@"',
        '',
      ].join('\n'),
    );
  });

  it('single-quotes a path with a space and a quote', () => {
    expect(shellQuote("/home/o'neil/my apps/node")).toBe(`'/home/o'\\''neil/my apps/node'`);
    expect(shellQuote('$(reboot)')).toBe(`'$(reboot)'`);
    expect(shellQuote('')).toBe(`''`);
  });

  describe('run by a real shell', () => {
    let dir: string | undefined;
    afterEach(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('passes awkward paths and arguments through unchanged', () => {
      dir = mkdtempSync(join(tmpdir(), 'waygate-launcher-'));
      // A stand-in "node" that prints its argv, one per line.
      const fakeNode = join(dir, `it's a "node"`);
      writeFileSync(fakeNode, '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
      chmodSync(fakeNode, 0o755);
      const launcher = join(dir, 'waygate-native');
      writeFileSync(
        launcher,
        renderPosixLauncher({ nodePath: fakeNode, entryScript: '/x/$HOME/`id`.mjs', extraArgs: ['--name', "a 'b' c"] }),
      );
      chmodSync(launcher, 0o755);
      const out = execFileSync(launcher, ['chrome-extension://abc/', 'two words'], { encoding: 'utf8' });
      expect(out.split('\n').slice(0, -1)).toEqual([
        '/x/$HOME/`id`.mjs',
        'native',
        '--name',
        "a 'b' c",
        'chrome-extension://abc/',
        'two words',
      ]);
    });
  });
});

describe('Windows launcher', () => {
  it('runs node with native and forwards %* in a CRLF .cmd file', () => {
    expect(
      renderWindowsLauncher({
        nodePath: 'C:\\Program Files\\nodejs\\node.exe',
        entryScript: 'C:\\Users\\ada\\AppData\\Roaming\\npm\\node_modules\\waygate\\dist\\host\\waygate.mjs',
        extraArgs: ['--socket', '\\\\.\\pipe\\waygate-ada'],
      }),
    ).toBe(
      [
        '@echo off',
        'rem Written by "waygate install"; "waygate uninstall" removes it.',
        '"C:\\Program Files\\nodejs\\node.exe" C:\\Users\\ada\\AppData\\Roaming\\npm\\node_modules\\waygate\\dist\\host\\waygate.mjs native --socket \\\\.\\pipe\\waygate-ada %*',
        '',
      ].join('\r\n'),
    );
  });

  it('doubles % so cmd.exe does not expand it', () => {
    expect(cmdQuote('C:\\100% sure\\node.exe')).toBe('"C:\\100%% sure\\node.exe"');
  });

  it('refuses a double quote or a line break', () => {
    expect(() => cmdQuote('say "hi"')).toThrow(WaygateError);
    expect(() => cmdQuote('a\r\nb')).toThrow(/double quote or a line break/);
  });
});
