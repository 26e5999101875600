/**
 * The PAC the local proxy serves at /proxy.pac, for apps that take a PAC URL rather than a proxy:
 * everything through the local proxy (which then applies the profile's PAC), except loopback and
 * plain host names, which stay on this machine or network.
 */
export function selfPac(port: number): string {
  return `function FindProxyForURL(url, host) {
  if (isPlainHostName(host) || host === "localhost" || dnsDomainIs(host, ".localhost") ||
      shExpMatch(host, "127.*") || host === "::1" || host === "[::1]") {
    return "DIRECT";
  }
  return "PROXY 127.0.0.1:${port}";
}
`;
}
