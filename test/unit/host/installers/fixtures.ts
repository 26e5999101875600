import type { InstallOptions, InstallerAction } from '../../../../host/installers/plan.js';

export const EXTENSION_ID = 'abcdefghijklmnopabcdefghijklmnop';

export const WRAPPER = {
  kind: 'wrapper',
  nodePath: '/usr/bin/node',
  entryScript: '/opt/waygate/waygate.mjs',
  extraArgs: [],
} as const;

export const WINDOWS_WRAPPER = {
  kind: 'wrapper',
  nodePath: 'C:\\Program Files\\nodejs\\node.exe',
  entryScript: 'C:\\Program Files\\Waygate\\waygate.mjs',
} as const;

export function posixInstall(overrides: Partial<InstallOptions> = {}): InstallOptions {
  return {
    platform: 'linux',
    scope: 'user',
    home: '/home/ada',
    env: {},
    extensionIds: [EXTENSION_ID],
    launch: WRAPPER,
    ...overrides,
  };
}

export function windowsInstall(overrides: Partial<InstallOptions> = {}): InstallOptions {
  return {
    platform: 'win32',
    scope: 'user',
    home: 'C:\\Users\\ada',
    env: {
      LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local',
      ProgramFiles: 'C:\\Program Files',
      SystemRoot: 'C:\\Windows',
    },
    extensionIds: [EXTENSION_ID],
    launch: WINDOWS_WRAPPER,
    ...overrides,
  };
}

export function writes(actions: readonly InstallerAction[]): Extract<InstallerAction, { kind: 'write-file' }>[] {
  return actions.filter((a): a is Extract<InstallerAction, { kind: 'write-file' }> => a.kind === 'write-file');
}

export function manifestWrites(actions: readonly InstallerAction[]) {
  return writes(actions).filter((a) => a.path.endsWith('.json'));
}

export function runs(actions: readonly InstallerAction[]): Extract<InstallerAction, { kind: 'run' }>[] {
  return actions.filter((a): a is Extract<InstallerAction, { kind: 'run' }> => a.kind === 'run');
}
