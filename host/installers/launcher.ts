/**
 * The launcher a wrapper install registers as the host: browsers spawn one program with their own
 * arguments (the caller's origin, and on Windows `--parent-window=`), so this script runs node on the
 * `waygate` entry script with `native`, any fixed arguments, then whatever the browser passed.
 */
import { WaygateError } from '../../protocol/errors.js';

export interface LauncherCommand {
  /** Absolute path of the node binary. */
  nodePath: string;
  /** Absolute path of the `waygate` entry script. */
  entryScript: string;
  /** Placed after `native` and before the browser's arguments, e.g. `['--socket', '/tmp/x.sock']`. */
  extraArgs: readonly string[];
}

export const POSIX_LAUNCHER_NAME = 'waygate-native';
export const WINDOWS_LAUNCHER_NAME = 'waygate-native.cmd';

const SHELL_SAFE = /^[A-Za-z0-9_/.,:=+@%-]+$/;

/** One word for `/bin/sh`: bare when nothing in it is special, else single-quoted. */
export function shellQuote(arg: string): string {
  if (SHELL_SAFE.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

export function renderPosixLauncher(command: LauncherCommand): string {
  const words = [command.nodePath, command.entryScript, 'native', ...command.extraArgs].map(shellQuote);
  return [
    '#!/bin/sh',
    '# Written by `waygate install`; `waygate uninstall` removes it.',
    `exec ${words.join(' ')} "$@"`,
    '',
  ].join('\n');
}

const CMD_SAFE = /^[A-Za-z0-9_\\/.,:=+@-]+$/;

/**
 * One argument in a `.cmd` file: double-quoted unless plainly safe, with `%` doubled so it is not
 * expanded. A double quote or line break cannot be carried through cmd.exe reliably, so it is refused.
 */
export function cmdQuote(arg: string): string {
  if (/["\r\n]/.test(arg)) {
    throw new WaygateError(
      'BAD_REQUEST',
      `The launcher argument ${JSON.stringify(arg)} contains a double quote or a line break, which a Windows .cmd launcher cannot pass on. Use a path or value without them.`,
    );
  }
  if (CMD_SAFE.test(arg)) return arg;
  return `"${arg.replaceAll('%', '%%')}"`;
}

export function renderWindowsLauncher(command: LauncherCommand): string {
  const words = [command.nodePath, command.entryScript, 'native', ...command.extraArgs].map(cmdQuote);
  return ['@echo off', `rem Written by "waygate install"; "waygate uninstall" removes it.`, `${words.join(' ')} %*`, ''].join('\r\n');
}
