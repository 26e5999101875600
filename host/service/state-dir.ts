/**
 * Where the service keeps what must survive a restart: the enrollment (the device credential), the
 * last good signed config, the user's intents, the system-proxy settings it must restore. Files are
 * 0600 in a 0700 directory; the privileged service's directory is root's.
 */
import { join } from 'node:path';
import type { ServiceMode } from '../../protocol/localapi.js';

export interface StateDirInputs {
  platform: NodeJS.Platform;
  mode: ServiceMode;
  env: NodeJS.ProcessEnv;
  home: string;
}

export function defaultStateDir({ platform, mode, env, home }: StateDirInputs): string {
  if (env.WAYGATE_STATE_DIR) return env.WAYGATE_STATE_DIR;
  if (platform === 'win32') {
    return mode === 'system' ? join(env.ProgramData ?? 'C:\\ProgramData', 'Waygate') : join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'Waygate');
  }
  if (platform === 'darwin') return mode === 'system' ? '/Library/Application Support/Waygate' : join(home, 'Library', 'Application Support', 'Waygate');
  if (mode === 'system') return '/var/lib/waygate';
  return join(env.XDG_STATE_HOME ?? join(home, '.local', 'state'), 'waygate');
}
