/**
 * The PAC that points browsers and apps at the service's local proxy (the `local-proxy` action):
 * everything through 127.0.0.1:port, which then applies the profile's PAC per request, except
 * loopback and plain host names, which stay on this machine or network. The local proxy serves the
 * same text at /proxy.pac for apps that take a PAC URL.
 */
export function localProxyPac(port: number): string {
  return `function FindProxyForURL(url, host) {
  if (isPlainHostName(host) || host === "localhost" || dnsDomainIs(host, ".localhost") ||
      shExpMatch(host, "127.*") || host === "::1" || host === "[::1]") {
    return "DIRECT";
  }
  return "PROXY 127.0.0.1:${port}";
}
`;
}
