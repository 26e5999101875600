/**
 * Opens a captive portal's sign-in page once per detection. The service pauses forwarding while a
 * portal stands between the device and the internet; the user has to sign in to it, so the worker
 * opens its page. What was opened is persisted, because the MV3 worker may restart mid-detection
 * and must not open the page again for the same one.
 *
 * A detection is identified by when its pause ends (`resumesAt`, fixed when the portal is found),
 * or by its login URL when the service gives no end: a new pause after a missed `none` (the worker
 * was asleep) is still a new detection.
 */
import { z } from 'zod';
import type { CaptivePortalView } from '../../protocol/localapi.js';
import { storedItem, type StoredItem } from '../lib/stored.js';
import { webUrl } from '../lib/web-url.js';

export const CaptiveMemory = z.object({
  /** The detection last seen; null when the last status said no portal (or none was ever seen). */
  detection: z.string().nullable(),
  /** Whether its sign-in page was opened. */
  opened: z.boolean(),
});
export type CaptiveMemory = z.infer<typeof CaptiveMemory>;

export const NO_DETECTION: CaptiveMemory = { detection: null, opened: false };

export const captiveMemoryItem: StoredItem<CaptiveMemory> = storedItem('local:captivePortalTab', CaptiveMemory, NO_DETECTION);

function detectionOf(portal: CaptivePortalView): string {
  return portal.resumesAt !== null ? `until:${portal.resumesAt}` : `url:${portal.loginUrl ?? ''}`;
}

/** The next memory after `portal`, and the page to open now (at most once per detection). */
export function captiveStep(memory: CaptiveMemory, portal: CaptivePortalView): { memory: CaptiveMemory; open: string | null } {
  if (portal.state === 'none') return { memory: NO_DETECTION, open: null };
  const detection = detectionOf(portal);
  if (memory.detection === detection && memory.opened) return { memory, open: null };
  const open = webUrl(portal.loginUrl);
  return { memory: { detection, opened: open !== null }, open };
}

/** Runs `captiveStep` on every status, one at a time, persisting before the tab opens. */
export class CaptiveTab {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly memory: StoredItem<CaptiveMemory>,
    private readonly openTab: (url: string) => void,
  ) {}

  onStatus(portal: CaptivePortalView): Promise<void> {
    this.queue = this.queue
      .then(async () => {
        const before = await this.memory.get();
        const { memory, open } = captiveStep(before, portal);
        if (memory.detection !== before.detection || memory.opened !== before.opened) await this.memory.set(memory);
        // Written first: a worker that dies in between loses one tab rather than opening it twice.
        if (open !== null) this.openTab(open);
      })
      .catch(() => undefined);
    return this.queue;
  }
}
