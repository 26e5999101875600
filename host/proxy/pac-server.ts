/**
 * Serves the current PAC on loopback for the system proxy setting, which takes a URL, not a script
 * (GNOME `autoconfig-url`, KDE `Proxy Config Script`, macOS `-setautoproxyurl`, Windows
 * `AutoConfigURL`). Only 127.0.0.1 listens, and only `/proxy.pac` answers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const PAC_PATH = '/proxy.pac';
export const PAC_MIME = 'application/x-ns-proxy-autoconfig';

export class PacServer {
  private script = 'function FindProxyForURL(url, host) { return "DIRECT"; }\n';
  private server: Server | null = null;

  /** The PAC's URL; null until listening. */
  url: string | null = null;

  async listen(port = 0): Promise<string> {
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== PAC_PATH) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      res.writeHead(200, { 'content-type': PAC_MIME, 'cache-control': 'no-store' }).end(this.script);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const address: AddressInfo | string | null = server.address();
    const bound = typeof address === 'object' && address !== null ? address.port : port;
    this.url = `http://127.0.0.1:${bound}${PAC_PATH}`;
    return this.url;
  }

  set(script: string): void {
    this.script = script;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
