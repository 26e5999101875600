/**
 * Headers that belong to one connection, not to the message (RFC 9110 §7.6.1), plus the proxy's
 * own credentials: none of them is forwarded, in either direction. Pure.
 */

const ALWAYS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Removes hop-by-hop headers from raw header pairs (as `IncomingMessage.rawHeaders` lists them),
 * including every header the `Connection` header names. Order and repeated headers are kept.
 */
export function stripHopByHop(rawHeaders: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) pairs.push([rawHeaders[i] ?? '', rawHeaders[i + 1] ?? '']);
  const named = new Set<string>();
  for (const [name, value] of pairs) {
    if (name.toLowerCase() !== 'connection') continue;
    for (const token of value.split(',')) named.add(token.trim().toLowerCase());
  }
  return pairs.filter(([name]) => !ALWAYS.has(name.toLowerCase()) && !named.has(name.toLowerCase()));
}
