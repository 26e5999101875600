/**
 * What the extension knows about its native host and, through it, the Waygate service. The
 * background worker is the only writer; the popup reads it and watches for changes. It lives in
 * extension storage because the worker may be stopped at any moment (MV3): every wake resumes from here.
 */
import { z } from 'zod';
import { ServiceLink } from '../../protocol/native.js';
import { storage } from 'wxt/utils/storage';

export const HostLink = z.discriminatedUnion('state', [
  /** `connectNative` was called; nothing heard yet. */
  z.object({ state: z.literal('connecting'), since: z.number() }),
  /** The native host answers; `service` is its link to the Waygate service (null until the first push). */
  z.object({ state: z.literal('connected'), since: z.number(), service: ServiceLink.nullable() }),
  /** The browser found no native-host manifest for Waygate: the host is not installed. */
  z.object({ state: z.literal('not-installed'), reason: z.string(), retryAt: z.number() }),
  /** The host exited or failed; `reason` is the browser's own words; retried at `retryAt` (epoch ms). */
  z.object({ state: z.literal('disconnected'), reason: z.string(), retryAt: z.number() }),
]);
export type HostLink = z.infer<typeof HostLink>;

const INITIAL: HostLink = { state: 'connecting', since: 0 };

/** Stored raw, parsed on every read: a value written by an older build must not be trusted blindly. */
const item = storage.defineItem<unknown>('local:hostLink', { fallback: INITIAL });

export async function readHostLink(): Promise<HostLink> {
  return parseHostLink(await item.getValue());
}

export async function writeHostLink(link: HostLink): Promise<void> {
  await item.setValue(link);
}

/** Calls `onChange` with every new value; returns the function that stops watching. */
export function watchHostLink(onChange: (link: HostLink) => void): () => void {
  return item.watch((value) => onChange(parseHostLink(value)));
}

function parseHostLink(value: unknown): HostLink {
  const parsed = HostLink.safeParse(value);
  return parsed.success ? parsed.data : INITIAL;
}
