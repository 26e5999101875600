/**
 * Messages from extension pages (the popup) to the background worker, validated on arrival, and the
 * worker's replies, validated by the popup. Each action is answered once: done (with what it
 * produced, for `explain`) or failed with a wire error the popup can show by its code.
 */
import { z } from 'zod';
import { WireError } from '../../protocol/errors.js';
import { Explanation } from '../../protocol/localapi.js';

const Unlock = { password: z.string().max(1024).optional(), code: z.string().max(64).optional() };

export const PageMessage = z.discriminatedUnion('type', [
  /** Skip the backoff wait and try the native host again now. */
  z.object({ type: z.literal('retry-now') }),
  /** Start signing in (the worker opens the verification page in a tab). */
  z.object({ type: z.literal('sign-in'), portalUrl: z.string().max(2048).optional() }),
  /** Give up on a sign-in waiting for approval (browser-only mode; the app's sign-in just expires). */
  z.object({ type: z.literal('cancel-sign-in') }),
  z.object({ type: z.literal('sign-out'), ...Unlock }),
  z.object({ type: z.literal('turn-off'), ...Unlock }),
  z.object({ type: z.literal('turn-on') }),
  z.object({ type: z.literal('sync') }),
  z.object({ type: z.literal('explain'), url: z.string().min(1).max(8192) }),
]);
export type PageMessage = z.infer<typeof PageMessage>;

export const PageReply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), explanation: Explanation.optional() }),
  z.object({ ok: z.literal(false), error: WireError }),
]);
export type PageReply = z.infer<typeof PageReply>;
