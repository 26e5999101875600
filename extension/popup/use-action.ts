import { useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { WireError } from '../../protocol/errors.js';
import { PageReply, type PageMessage } from '../lib/messages.js';

const NO_ANSWER: PageReply = { ok: false, error: { code: 'INTERNAL', message: 'The extension did not answer.' } };

export interface Action {
  /** The message type in flight, so its button can say it is busy. */
  busy: PageMessage['type'] | null;
  /** Why the last action failed; cleared when the next one starts. */
  error: WireError | null;
  run(message: PageMessage): Promise<PageReply | null>;
}

/** Sends one action at a time to the worker; its outcome shows through the stored state it changes. */
export function useAction(): Action {
  const [busy, setBusy] = useState<PageMessage['type'] | null>(null);
  const [error, setError] = useState<WireError | null>(null);
  async function run(message: PageMessage): Promise<PageReply | null> {
    setBusy(message.type);
    setError(null);
    try {
      const parsed = PageReply.safeParse(await browser.runtime.sendMessage(message));
      const reply = parsed.success ? parsed.data : NO_ANSWER;
      if (!reply.ok) setError(reply.error);
      return reply;
    } catch (err) {
      setError({ code: 'DISCONNECTED', message: err instanceof Error ? err.message : String(err) });
      return null;
    } finally {
      setBusy(null);
    }
  }
  return { busy, error, run };
}
