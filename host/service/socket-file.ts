/**
 * Making the LocalAPI socket path ready to listen on: its directory exists, and a socket file left
 * by a service that died is removed — but one that still answers, or a file that is not a socket,
 * is never taken over.
 */
import { lstat, mkdir, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { WaygateError } from '../../protocol/errors.js';

/** Resolves true when something accepts connections on `path`. */
export function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

export async function prepareSocketPath(path: string, dirMode: number): Promise<void> {
  if (process.platform === 'win32') return; // named pipes have no file to prepare
  await mkdir(dirname(path), { recursive: true, mode: dirMode });
  if (await socketAnswers(path)) {
    throw new WaygateError('SERVICE_ALREADY_RUNNING', `A Waygate service is already running on ${path}.`, { socket: path });
  }
  const existing = await lstat(path).catch(() => null);
  if (existing === null) return;
  if (!existing.isSocket()) {
    throw new WaygateError('BAD_REQUEST', `${path} exists and is not a socket; refusing to replace it. Choose another --socket path.`);
  }
  await unlink(path);
}
