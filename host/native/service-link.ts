/**
 * The bridge's live link to the service: watches its status and reports it up, or down with the
 * reason; while down it retries with capped exponential backoff, so a restarted service is picked up
 * within RETRY_MAX_MS without the browser doing anything.
 */
import type { ServiceLink } from '../../protocol/native.js';
import type { LocalApiClient, WatchHandle } from '../client/localapi-client.js';
import type { Logger } from '../log.js';

export const RETRY_MIN_MS = 100;
export const RETRY_MAX_MS = 1000;

export interface ServiceLinkOptions {
  client: Pick<LocalApiClient, 'watch'>;
  onLink: (link: ServiceLink) => void;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
}

export class ServiceLinkWatcher {
  private stopped = false;
  private running = false;
  private handle: WatchHandle | null = null;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: ServiceLinkOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()));
  }

  /** Starts watching; calling it again while it runs does nothing. */
  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.handle?.close();
  }

  private async loop(): Promise<void> {
    let delay = RETRY_MIN_MS;
    while (!this.stopped) {
      let reason: string;
      try {
        this.handle = await this.options.client.watch((event) => {
          delay = RETRY_MIN_MS;
          this.options.onLink({ state: 'up', status: event.status });
        });
        await this.handle.done;
        if (this.stopped) return;
        reason = 'the service stopped';
      } catch (err) {
        if (this.stopped) return;
        reason = err instanceof Error ? err.message : String(err);
      }
      this.options.logger.info({ reason, retryInMs: delay }, 'native: service link down');
      this.options.onLink({ state: 'down', reason, retryInMs: delay });
      await this.sleep(delay);
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  }
}
