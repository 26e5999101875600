/**
 * `waygate native`: what the browser spawns for `connectNative`. Wires stdin/stdout to the bridge
 * and the bridge to the service; if no service answers, runs a user-mode service in this process.
 *
 * Lifecycle: stdin EOF (the browser disconnected) → answer what is in flight → exit 0.
 * A fatal frame → log why → answer what is in flight → exit 2. Never a crash, never a hang.
 */
import { WaygateError } from '../../protocol/errors.js';
import { FrameDecoder } from '../../protocol/frame-codec.js';
import { BROWSER_TO_HOST_MAX_BYTES } from '../../protocol/native.js';
import { LocalApiClient } from '../client/localapi-client.js';
import type { Logger } from '../log.js';
import { startService, type RunningService } from '../service/service.js';
import { socketAnswers } from '../service/socket-file.js';
import { NativeBridge } from './bridge.js';
import { createHostWriter } from './host-writer.js';

export const EXIT_OK = 0;
export const EXIT_PROTOCOL_ERROR = 2;

/** How long in-flight requests may take to finish once the bridge is closing. */
const DRAIN_TIMEOUT_MS = 3000;

export interface NativeOptions {
  socketPath: string;
  logger: Logger;
  /** The extension origin Chromium passes as the first argument, for the log. */
  origin?: string | undefined;
}

export async function runNative({ socketPath, logger, origin }: NativeOptions): Promise<number> {
  logger.info({ origin, socket: socketPath }, 'native: started');
  const inProcess = await startServiceUnlessRunning(socketPath, logger);
  const client = new LocalApiClient(socketPath);
  const decoder = new FrameDecoder(BROWSER_TO_HOST_MAX_BYTES);
  const send = createHostWriter((frame) => process.stdout.write(frame), logger);

  return new Promise<number>((resolve) => {
    let closing = false;
    const close = async (code: number): Promise<void> => {
      if (closing) return;
      closing = true;
      process.stdin.pause();
      await Promise.race([bridge.drain(), new Promise((r) => setTimeout(r, DRAIN_TIMEOUT_MS).unref())]);
      bridge.stop();
      await new Promise<void>((r) => process.stdout.write('', () => r()));
      await client.close();
      await inProcess?.close();
      resolve(code);
    };
    const bridge = new NativeBridge({
      client,
      send,
      logger,
      onFatal: (reason) => {
        logger.error({ reason }, 'native: closing the connection: unrecoverable frame from the browser');
        void close(EXIT_PROTOCOL_ERROR);
      },
    });
    process.stdin.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        if (closing) return;
        bridge.handle(event);
      }
    });
    process.stdin.once('end', () => {
      if (decoder.bufferedBytes > 0) logger.warn({ bytes: decoder.bufferedBytes }, 'native: input ended inside a frame');
      logger.info('native: browser disconnected');
      void close(EXIT_OK);
    });
    process.stdout.on('error', () => void close(EXIT_OK));
  });
}

async function startServiceUnlessRunning(socketPath: string, logger: Logger): Promise<RunningService | null> {
  if (await socketAnswers(socketPath)) return null;
  logger.info({ socket: socketPath }, 'native: no service running; starting one in user mode in this process');
  try {
    return await startService({ socketPath, mode: 'user', logger });
  } catch (err) {
    // Another bridge won the race to start one: use it.
    if (err instanceof WaygateError && err.code === 'SERVICE_ALREADY_RUNNING') return null;
    throw err;
  }
}
