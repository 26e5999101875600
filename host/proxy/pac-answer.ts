/**
 * What a PAC's `FindProxyForURL` answered, as an ordered list of routes to try: `"PROXY a:1;
 * HTTPS b:2; DIRECT"` → proxy a, then TLS proxy b, then direct. Pure: a value in, routes out.
 *
 * Entries this proxy cannot use (SOCKS, a malformed host or port) are skipped, as browsers skip them;
 * an answer with no usable entry at all, or one that is not a string, is garbage and yields null,
 * which the caller turns into the profile's fail-open or fail-closed answer.
 */

export type PacRoute =
  | { readonly kind: 'direct' }
  /** `PROXY host:port` (plain HTTP) or `HTTPS host:port` (TLS to the proxy). */
  | { readonly kind: 'proxy'; readonly tls: boolean; readonly host: string; readonly port: number };

export type ProxyRoute = Extract<PacRoute, { kind: 'proxy' }>;

/** A PAC answer can be long (one entry per fallback), but not unboundedly so. */
const MAX_ANSWER_LENGTH = 4096;

export function parsePacAnswer(answer: unknown): PacRoute[] | null {
  if (typeof answer !== 'string' || answer.length > MAX_ANSWER_LENGTH) return null;
  const routes: PacRoute[] = [];
  for (const entry of answer.split(';')) {
    const route = parseEntry(entry.trim());
    if (route !== null) routes.push(route);
  }
  return routes.length === 0 ? null : routes;
}

function parseEntry(entry: string): PacRoute | null {
  const [keyword = '', address, ...rest] = entry.split(/\s+/);
  if (rest.length > 0) return null;
  switch (keyword.toUpperCase()) {
    case 'DIRECT':
      return address === undefined ? { kind: 'direct' } : null;
    case 'PROXY':
      return proxyRoute(address, false);
    case 'HTTPS':
      return proxyRoute(address, true);
    default:
      return null;
  }
}

function proxyRoute(address: string | undefined, tls: boolean): PacRoute | null {
  if (address === undefined) return null;
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::([0-9]{1,5}))?$/.exec(address);
  const host = match?.[1];
  if (host === undefined) return null;
  const port = match?.[2] === undefined ? (tls ? 443 : 80) : Number(match[2]);
  if (port < 1 || port > 65535) return null;
  return { kind: 'proxy', tls, host: host.toLowerCase(), port };
}

/** The route as a PAC would write it: `DIRECT`, `PROXY host:port`, `HTTPS host:port`. */
export function formatRoute(route: PacRoute): string {
  return route.kind === 'direct' ? 'DIRECT' : `${route.tls ? 'HTTPS' : 'PROXY'} ${route.host}:${route.port}`;
}
