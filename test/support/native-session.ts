/** A `waygate native` process driven like the browser drives it: frames on stdin, frames from stdout. */
import { encodeFrame } from '../../protocol/frame-codec.js';
import { BROWSER_TO_HOST_MAX_BYTES, type HostMessage } from '../../protocol/native.js';
import { HostOutput } from './native-frames.js';
import { dirname } from 'node:path';
import { isolatedEnv, spawnWaygate, type WaygateProcess } from './waygate-process.js';

export const EXTENSION_ORIGIN = 'chrome-extension://kikjmbfpgdcnelfidohningkimchabdc/';

export interface NativeSession {
  proc: WaygateProcess;
  output: HostOutput;
  send(message: unknown): void;
  sendRaw(bytes: Buffer): void;
  /** Resolves with the first message matching `predicate` (already received or still to come). */
  next(predicate: (m: HostMessage) => boolean, timeoutMs?: number): Promise<HostMessage>;
}

export function startNative(socketPath: string): NativeSession {
  const proc = spawnWaygate(['native', '--socket', socketPath, EXTENSION_ORIGIN], isolatedEnv(dirname(socketPath)));
  const output = new HostOutput();
  proc.child.stdout!.on('data', (chunk: Buffer) => output.push(chunk));
  return {
    proc,
    output,
    send: (message) => proc.child.stdin!.write(encodeFrame(message, BROWSER_TO_HOST_MAX_BYTES)),
    sendRaw: (bytes) => proc.child.stdin!.write(bytes),
    next: (predicate, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const seen = new Set<HostMessage>();
        const check = () => {
          const found = output.messages.find((m) => !seen.has(m) && predicate(m));
          if (!found) return;
          clearTimeout(timer);
          proc.child.stdout!.off('data', check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          proc.child.stdout!.off('data', check);
          reject(new Error(`no matching message in ${timeoutMs} ms; got ${JSON.stringify(output.messages).slice(0, 500)}`));
        }, timeoutMs);
        proc.child.stdout!.on('data', check);
        check();
      }),
  };
}
