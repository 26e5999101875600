/** `waygate service`: starts the service and stops it cleanly on SIGINT/SIGTERM. */
import type { Logger } from '../log.js';
import { startService } from './service.js';

export interface RunServiceOptions {
  socketPath: string;
  operatorUids: readonly number[];
  logger: Logger;
}

export async function runService({ socketPath, operatorUids, logger }: RunServiceOptions): Promise<void> {
  const mode = process.getuid?.() === 0 ? 'system' : 'user';
  const service = await startService({ socketPath, mode, operatorUids, logger });
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'service: stopping');
      void service.close().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
