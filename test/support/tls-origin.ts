/**
 * An HTTPS origin on loopback for `origin.test`, with a throwaway certificate made by the openssl
 * CLI: what a client sees through a proxy's CONNECT tunnel. Curl trusts it with `--cacert certPath`,
 * Chromium with `--ignore-certificate-errors-spki-list=spki` (this key only, not every certificate).
 */
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TlsOrigin {
  readonly port: number;
  readonly certPath: string;
  /** base64 SHA-256 of the certificate's public key (SPKI). */
  readonly spki: string;
  close(): void;
}

export async function startTlsOrigin(dir: string, body: string): Promise<TlsOrigin> {
  const certPath = join(dir, 'origin-cert.pem');
  const keyPath = join(dir, 'origin-key.pem');
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=origin.test',
    '-addext', 'subjectAltName=DNS:origin.test', '-keyout', keyPath, '-out', certPath]);
  const cert = await readFile(certPath);
  const server = createServer({ key: await readFile(keyPath), cert }, (_req, res) => res.end(body));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const spki = createHash('sha256').update(new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
  return { port: (server.address() as AddressInfo).port, certPath, spki, close: () => server.close() };
}
