/**
 * A throwaway CA and two certificates (server: the edge's client-facing address as its subject
 * alternative name; client: for OpenVPN's mutual TLS), made with the openssl CLI in the given
 * directory. P-256 keys; valid for one day.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface Certs {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

async function openssl(args: readonly string[]): Promise<void> {
  try {
    await execFileAsync('openssl', args);
  } catch (error) {
    const stderr = error instanceof Error && 'stderr' in error ? String(error.stderr) : String(error);
    throw new Error(`openssl ${args[0] ?? ''} failed (apt-get install -y openssl): ${stderr}`, { cause: error });
  }
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function issue(dir: string, name: string, extensions: string): Promise<{ cert: string; key: string }> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const ext = join(dir, `${name}.ext`);
  await writeFile(ext, extensions);
  await openssl(['req', '-new', ...EC_KEY, '-keyout', key, '-out', csr, '-subj', `/CN=waygate-bench-${name}`]);
  await openssl(['x509', '-req', '-in', csr, '-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key'), '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '1', '-out', cert, '-extfile', ext]);
  return { cert, key };
}

export async function makeCerts(dir: string, serverAddress: string): Promise<Certs> {
  await openssl([
    'req', '-x509', ...EC_KEY, '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt'), '-days', '1', '-subj', '/CN=waygate-bench-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const server = await issue(dir, 'server', `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:${serverAddress}\n`);
  const client = await issue(dir, 'client', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  return { caCert: join(dir, 'ca.crt'), serverCert: server.cert, serverKey: server.key, clientCert: client.cert, clientKey: client.key };
}
