import type { Socket } from 'node:net';
import { z } from 'zod';

const HandleWithFd = z.object({ fd: z.number().int() });

/** The file descriptor behind a connected Unix socket, or null (not connected, or not a Unix socket). */
export function socketFd(socket: Socket): number | null {
  // Node exposes no public API for it; `_handle.fd` is what libuv's pipe handle carries on Unix.
  const parsed = HandleWithFd.safeParse(Reflect.get(socket, '_handle'));
  return parsed.success && parsed.data.fd >= 0 ? parsed.data.fd : null;
}
