/**
 * Where the service's LocalAPI socket lives, shared by the service and its clients so both agree
 * without configuration. A privileged service uses a system path anyone may connect to (the route
 * table decides what each caller may do); a user-mode service uses the user's private runtime dir.
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';

export interface SocketPathInputs {
  platform: NodeJS.Platform;
  /** Effective uid; null where the platform has none (Windows). */
  uid: number | null;
  env: NodeJS.ProcessEnv;
}

export function defaultSocketPath({ platform, uid, env }: SocketPathInputs): string {
  if (platform === 'win32') return uid === 0 ? '\\\\.\\pipe\\waygate' : `\\\\.\\pipe\\waygate-${env.USERNAME ?? 'user'}`;
  if (uid === 0) return platform === 'darwin' ? '/var/run/waygate/waygate.sock' : '/run/waygate/waygate.sock';
  const runtimeDir = env.XDG_RUNTIME_DIR;
  if (runtimeDir) return join(runtimeDir, 'waygate.sock');
  return join(env.TMPDIR ?? tmpdir(), `waygate-${uid ?? 'user'}`, 'waygate.sock');
}

export function currentSocketPath(): string {
  return defaultSocketPath({ platform: process.platform, uid: process.getuid?.() ?? null, env: process.env });
}
