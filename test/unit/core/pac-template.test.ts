import { describe, expect, it } from 'vitest';
import { pacDirective, proxyHostPort, resolvePac } from '../../../core/pac-template.js';
import type { Edge } from '../../../protocol/policy.js';

const edge = (id: string, proxyUrl: string): Edge => ({ id, region: id, proxyUrl, tunnelUrl: `wss://${id}.example/tunnel/v1` });

const TLS_DEFAULT_PORT = edge('eu', 'https://eu.edge.example');
const TLS_OWN_PORT = edge('us', 'https://us.edge.example:8443');
const LOOPBACK_PLAIN = edge('local', 'http://127.0.0.1:8080');

const ALL = 'e=${EDGE} s=${SECONDARY_EDGE} l=${LOCAL_PROXY}';

describe('pacDirective', () => {
  it('is HTTPS host:port for a TLS edge, 443 when the URL has no port', () => {
    expect(pacDirective(TLS_DEFAULT_PORT.proxyUrl)).toBe('HTTPS eu.edge.example:443');
    expect(pacDirective(TLS_OWN_PORT.proxyUrl)).toBe('HTTPS us.edge.example:8443');
  });

  it('is PROXY host:port for a plain edge, 80 when the URL has no port', () => {
    expect(pacDirective(LOOPBACK_PLAIN.proxyUrl)).toBe('PROXY 127.0.0.1:8080');
    expect(pacDirective('http://127.0.0.1')).toBe('PROXY 127.0.0.1:80');
  });
});

describe('resolvePac', () => {
  it('fills every variable with a complete directive, everywhere it appears', () => {
    const pac = resolvePac(`${ALL} again=\${EDGE}`, { primary: TLS_DEFAULT_PORT, secondary: TLS_OWN_PORT, localProxyPort: 3128 });
    expect(pac).toBe('e=HTTPS eu.edge.example:443 s=HTTPS us.edge.example:8443 l=PROXY 127.0.0.1:3128 again=HTTPS eu.edge.example:443');
  });

  it('uses the primary for ${SECONDARY_EDGE} when there is no secondary', () => {
    const pac = resolvePac(ALL, { primary: TLS_OWN_PORT, secondary: null, localProxyPort: 3128 });
    expect(pac).toBe('e=HTTPS us.edge.example:8443 s=HTTPS us.edge.example:8443 l=PROXY 127.0.0.1:3128');
  });

  it('falls back to the edge for ${LOCAL_PROXY} when no local proxy runs', () => {
    const pac = resolvePac(ALL, { primary: LOOPBACK_PLAIN, secondary: TLS_DEFAULT_PORT, localProxyPort: null });
    expect(pac).toBe('e=PROXY 127.0.0.1:8080 s=HTTPS eu.edge.example:443 l=PROXY 127.0.0.1:8080');
  });

  it('leaves a template without variables unchanged', () => {
    const text = 'function FindProxyForURL(url, host) { return "DIRECT"; }';
    expect(resolvePac(text, { primary: TLS_DEFAULT_PORT, secondary: null, localProxyPort: null })).toBe(text);
  });
});

describe('proxyHostPort', () => {
  it('names the host and port a proxy-auth challenge comes from, with the scheme’s default port', () => {
    expect(proxyHostPort(TLS_DEFAULT_PORT.proxyUrl)).toBe('eu.edge.example:443');
    expect(proxyHostPort(TLS_OWN_PORT.proxyUrl)).toBe('us.edge.example:8443');
    expect(proxyHostPort(LOOPBACK_PLAIN.proxyUrl)).toBe('127.0.0.1:8080');
    expect(proxyHostPort('http://127.0.0.1')).toBe('127.0.0.1:80');
  });
});
