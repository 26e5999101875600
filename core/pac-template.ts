/**
 * Filling in a profile's PAC template (protocol/policy.ts PacTemplate): each variable becomes a
 * complete PAC proxy directive, so templates need not know edge schemes or ports.
 */
import type { Edge } from '../protocol/policy.js';

/** `HTTPS host:port` for a TLS edge, `PROXY host:port` for a plain one (loopback only, policy-fields.ts). */
export function pacDirective(proxyUrl: string): string {
  const url = new URL(proxyUrl);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.protocol === 'https:' ? 'HTTPS' : 'PROXY'} ${url.hostname}:${port}`;
}

/** `host:port` of an edge's proxy, as a browser's proxy-auth challenge names it. */
export function proxyHostPort(proxyUrl: string): string {
  const url = new URL(proxyUrl);
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

export interface PacVariables {
  primary: Edge;
  secondary: Edge | null;
  /** The service's local proxy port, when it runs one. */
  localProxyPort: number | null;
}

export function resolvePac(template: string, vars: PacVariables): string {
  const edge = pacDirective(vars.primary.proxyUrl);
  const secondary = vars.secondary ? pacDirective(vars.secondary.proxyUrl) : edge;
  // Without a local proxy, a template that names it falls back to the edge rather than to nothing.
  const local = vars.localProxyPort === null ? edge : `PROXY 127.0.0.1:${vars.localProxyPort}`;
  return template.replaceAll('${EDGE}', edge).replaceAll('${SECONDARY_EDGE}', secondary).replaceAll('${LOCAL_PROXY}', local);
}
