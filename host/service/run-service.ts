/** `waygate service`: starts the service and stops it cleanly on SIGINT/SIGTERM. */
import { startService, type ServiceOptions } from './service.js';

export type RunServiceOptions = Omit<ServiceOptions, 'mode'>;

export async function runService(options: RunServiceOptions): Promise<void> {
  const { logger } = options;
  const mode = process.getuid?.() === 0 ? 'system' : 'user';
  const service = await startService({ ...options, mode });
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'service: stopping');
      void service.close().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
