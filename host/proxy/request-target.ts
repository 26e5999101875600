/**
 * Where a request to the local proxy wants to go, read from its request target (RFC 9112 §3.2):
 * absolute-form `http://host:port/path` for plain HTTP, authority-form `host:port` for CONNECT.
 * Pure: strings in, values out.
 */

export interface ProxyTarget {
  /** As the URL parser normalises it: lower case, IPv6 in brackets. */
  readonly host: string;
  readonly port: number;
}

export interface HttpTarget extends ProxyTarget {
  /** The absolute URL, as a proxy upstream is sent it. */
  readonly href: string;
  /** Origin-form path and query, as the origin is sent it. */
  readonly path: string;
  /** The `Host` header value. */
  readonly authority: string;
}

export type TargetParse<T> = { readonly ok: true; readonly target: T } | { readonly ok: false; readonly reason: string };

export function parseAbsoluteTarget(requestTarget: string): TargetParse<HttpTarget> {
  let url: URL;
  try {
    url = new URL(requestTarget);
  } catch {
    return { ok: false, reason: 'The request target is not a valid absolute URL.' };
  }
  if (url.protocol !== 'http:') return { ok: false, reason: `This proxy forwards only http:// URLs; use CONNECT for ${url.protocol.replace(/:$/, '')}.` };
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'The URL carries credentials; the proxy does not forward them.' };
  if (url.hostname === '') return { ok: false, reason: 'The URL has no host.' };
  const port = url.port === '' ? 80 : Number(url.port);
  const path = `${url.pathname}${url.search}`;
  return { ok: true, target: { host: url.hostname, port, href: `http://${url.host}${path}`, path, authority: url.host } };
}

/** `host:port` or `[v6]:port`; the port is required (RFC 9110 §9.3.6). */
export function parseConnectTarget(authority: string): TargetParse<ProxyTarget> {
  const match = /^(\[[^\]]+\]|[^:[\]/@]+):([0-9]{1,5})$/.exec(authority);
  const rawHost = match?.[1];
  const port = Number(match?.[2]);
  if (rawHost === undefined || !(port >= 1 && port <= 65535)) return { ok: false, reason: 'CONNECT needs a host:port authority, such as example.com:443.' };
  try {
    return { ok: true, target: { host: new URL(`http://${rawHost}/`).hostname, port } };
  } catch {
    return { ok: false, reason: `"${rawHost}" is not a valid host.` };
  }
}

/** A host as sockets take it: IPv6 without its brackets. */
export function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

const LOOPBACK = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|::1)$/i;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host);
}
