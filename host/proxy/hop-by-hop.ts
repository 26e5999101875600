/**
 * Headers that belong to one connection, not to the message (RFC 9110 §7.6.1), and proxy
 * credentials: the local proxy forwards none of them, in either direction. Pure.
 */

const ALWAYS = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** Raw header pairs (as `IncomingMessage.rawHeaders` lists them) without hop-by-hop ones, flat again. */
export function stripHopByHop(rawHeaders: readonly string[], drop: ReadonlySet<string> = ALWAYS): string[] {
  let named: Set<string> | null = null;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() !== 'connection') continue;
    named ??= new Set();
    for (const token of (rawHeaders[i + 1] ?? '').split(',')) named.add(token.trim().toLowerCase());
  }
  const kept: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    const lower = name.toLowerCase();
    if (drop.has(lower) || named?.has(lower) === true) continue;
    kept.push(name, rawHeaders[i + 1] ?? '');
  }
  return kept;
}

/** For a request: hop-by-hop headers and `Host` (the forwarder sets it first). */
export const REQUEST_DROP: ReadonlySet<string> = new Set([...ALWAYS, 'host']);
