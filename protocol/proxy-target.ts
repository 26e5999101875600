/**
 * Where a proxy request wants to go, read from its request target (RFC 9112 §3.2): absolute-form
 * (`GET http://host:port/path`) for plain HTTP, authority-form (`CONNECT host:port`) for tunnels.
 * Origin-form (`GET /path`) is a request for the edge itself, not a proxy request, and is refused.
 * Pure: strings in, values out. The host is returned as the URL parser normalised it, so numeric
 * disguises (`0x7f000001`) are already dotted quads when the destination guard sees them. The edge's
 * proxy and the device's local proxy both read their requests with it.
 */

export interface ProxyTarget {
  /** The host without the port; IPv6 addresses keep their brackets, as in a URL. */
  readonly host: string;
  readonly port: number;
}

export interface HttpTarget extends ProxyTarget {
  /** The absolute URL again, normalised, as a further proxy is sent it. */
  readonly href: string;
  /** Origin-form path and query, sent to the origin in place of the absolute URL. */
  readonly path: string;
  /** The `Host` header value the origin expects. */
  readonly authority: string;
}

export type TargetParse<T> = { readonly ok: true; readonly target: T } | { readonly ok: false; readonly reason: string };

/** Reads an absolute-form `http://` request target. */
export function parseAbsoluteTarget(requestTarget: string): TargetParse<HttpTarget> {
  if (requestTarget.startsWith('/') || requestTarget === '*') {
    return { ok: false, reason: 'This is a forward proxy: send requests with an absolute URL (http://host/path), or use CONNECT for HTTPS.' };
  }
  let url: URL;
  try {
    url = new URL(requestTarget);
  } catch {
    return { ok: false, reason: 'The request target is not a valid absolute URL.' };
  }
  if (url.protocol !== 'http:') return { ok: false, reason: `The proxy forwards only http:// URLs; use CONNECT for ${url.protocol.replace(/:$/, '')}.` };
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'The URL carries credentials; the proxy does not forward them.' };
  if (url.hostname === '') return { ok: false, reason: 'The URL has no host.' };
  const port = url.port === '' ? 80 : Number(url.port);
  const path = `${url.pathname}${url.search}`;
  return { ok: true, target: { host: url.hostname, port, href: `http://${url.host}${path}`, path, authority: url.host } };
}

/** Reads a CONNECT authority, `host:port` or `[v6]:port`; the port is required (RFC 9110 §9.3.6). */
export function parseConnectTarget(authority: string): TargetParse<ProxyTarget> {
  // No userinfo: a CONNECT target is uri-host ":" port only (RFC 9110 §9.3.6), and the URL parser
  // would silently drop `user@` and connect to what follows.
  const match = /^(\[[^\]]+\]|[^:[\]/@]+):([0-9]{1,5})$/.exec(authority);
  const rawHost = match?.[1];
  const port = Number(match?.[2]);
  if (rawHost === undefined || !(port >= 1 && port <= 65535)) {
    return { ok: false, reason: 'CONNECT needs a host:port authority, such as example.com:443.' };
  }
  let url: URL;
  try {
    // The URL parser normalises the host exactly as it does for absolute-form requests.
    url = new URL(`http://${rawHost}/`);
  } catch {
    return { ok: false, reason: `"${rawHost}" is not a valid host.` };
  }
  return { ok: true, target: { host: url.hostname, port } };
}

/** A host as sockets take it: IPv6 without its brackets. */
export function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
