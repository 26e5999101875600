/** Registers the built host in a Chromium profile with the real `waygate install`, as a user would. */
import { spawnSync } from 'node:child_process';
import { HOST_BUNDLE } from '../../scripts/build-host.js';

export function installHostInProfile(userDataDir: string, socketPath: string, home: string): void {
  const result = spawnSync(
    process.execPath,
    [HOST_BUNDLE, 'install', '--browser', 'chromium', '--user-data-dir', userDataDir, '--socket', socketPath],
    { encoding: 'utf8', env: { ...process.env, HOME: home, XDG_DATA_HOME: `${home}/.local/share` } },
  );
  if (result.status !== 0) throw new Error(`waygate install failed:\n${result.stdout}\n${result.stderr}`);
}
