/** Messages from extension pages (the popup) to the background worker, validated on arrival. */
import { z } from 'zod';

export const PageMessage = z.discriminatedUnion('type', [
  /** Skip the backoff wait and try the native host again now. */
  z.object({ type: z.literal('retry-now') }),
]);
export type PageMessage = z.infer<typeof PageMessage>;
