/**
 * Trusted-network probes against real sockets: a TLS beacon on 127.0.0.1 with a self-signed P-256
 * certificate (the pin computed by the openssl CLI, not by the code under test), a closed port, a
 * listener that never speaks TLS, and the system resolver.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { createSecureContext, createServer as createTlsServer, type SecureContext, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateTrust } from '../../../core/trusted-network.js';
import { observeTrust, type TrustBase } from '../../../host/netmon/trust-probes.js';
import { TrustedNetworkCriteria } from '../../../protocol/policy.js';
import { tempDir } from '../../support/waygate-process.js';
import { REFUSED_PORT } from '../../support/refused-port.js';

const run = promisify(execFile);

const BASE: TrustBase = { dnsServers: [], searchDomains: [], defaultGateways: [], addresses: ['127.0.0.1/8'], vpnDefaultRoute: false };

let tmp: { dir: string; cleanup: () => Promise<void> };
let beacon: TlsServer;
let beaconPort: number;
let pin: string;
const servernames: string[] = [];
let silent: TcpServer;
let silentPort: number;
const silentSockets: Socket[] = [];

async function listen(server: TlsServer | TcpServer): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  return address.port;
}

function beaconCriteria(address: string, spkiSha256: string): TrustedNetworkCriteria {
  return TrustedNetworkCriteria.parse({
    match: 'all',
    dnsServers: [],
    dnsSearchDomains: [],
    hostnameResolves: [],
    defaultGateways: [],
    networkRanges: [],
    beacon: { address, spkiSha256 },
  });
}

beforeAll(async () => {
  tmp = await tempDir('trust-probes');
  const keyFile = join(tmp.dir, 'beacon-key.pem');
  const certFile = join(tmp.dir, 'beacon-cert.pem');
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=beacon.test',
    '-keyout', keyFile, '-out', certFile]);
  // The pin as an admin computes it: SHA-256 of the DER SubjectPublicKeyInfo.
  const script = `openssl x509 -in '${certFile}' -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -hex`;
  const { stdout } = await run('sh', ['-c', script]);
  pin = /([0-9a-f]{64})\s*$/.exec(stdout)?.[1] ?? '';
  expect(pin).toMatch(/^[0-9a-f]{64}$/);

  const [key, cert] = await Promise.all([readFile(keyFile), readFile(certFile)]);
  const context = createSecureContext({ key, cert });
  // SNICallback runs on the ClientHello, before the probe has seen the key and hung up.
  const SNICallback = (servername: string, done: (error: Error | null, context: SecureContext) => void): void => {
    servernames.push(servername);
    done(null, context);
  };
  beacon = createTlsServer({ key, cert, SNICallback }, (socket: TLSSocket) => socket.end());
  beaconPort = await listen(beacon);

  silent = createTcpServer((socket) => {
    silentSockets.push(socket);
    socket.resume(); // reads the ClientHello and never answers it; reading is what lets it see the close
  });
  silentPort = await listen(silent);

});

afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  beacon?.close();
  silent?.close();
  await tmp?.cleanup();
});

describe('the TLS beacon, for real', () => {
  it('is met when the beacon presents the pinned key', async () => {
    const criteria = beaconCriteria(`127.0.0.1:${beaconPort}`, pin.toUpperCase());
    const obs = await observeTrust(criteria, BASE);
    expect(obs.beacon).toEqual({ address: `127.0.0.1:${beaconPort}`, spkiSha256: pin, error: null });
    const verdict = evaluateTrust(criteria, obs);
    expect(verdict.type).toBe('trusted');
    expect(verdict.checks).toEqual([{ criterion: 'beacon', met: true, detail: `beacon 127.0.0.1:${beaconPort} presented the pinned key` }]);
  });

  it('is not met under another pin, and the detail names the key the beacon presented', async () => {
    const criteria = beaconCriteria(`127.0.0.1:${beaconPort}`, '0'.repeat(64));
    const verdict = evaluateTrust(criteria, await observeTrust(criteria, BASE));
    expect(verdict.type).toBe('off-trusted');
    expect(verdict.checks).toEqual([
      { criterion: 'beacon', met: false, detail: `beacon 127.0.0.1:${beaconPort} presented a key with SHA-256 ${pin} — not the pinned one` },
    ]);
  });

  it('sends the beacon its name as SNI, and nothing for an address', async () => {
    servernames.length = 0;
    await observeTrust(beaconCriteria(`localhost:${beaconPort}`, pin), BASE);
    await observeTrust(beaconCriteria(`127.0.0.1:${beaconPort}`, pin), BASE);
    expect(servernames).toEqual(['localhost']);
  });

  it('says the connection was refused on a closed port', async () => {
    const criteria = beaconCriteria(`127.0.0.1:${REFUSED_PORT}`, pin);
    const verdict = evaluateTrust(criteria, await observeTrust(criteria, BASE));
    expect(verdict.type).toBe('off-trusted');
    expect(verdict.checks[0]).toEqual({ criterion: 'beacon', met: false, detail: `checking beacon 127.0.0.1:${REFUSED_PORT} failed: ECONNREFUSED` });
  });

  it('gives up on a listener that never answers the handshake, and closes the connection', async () => {
    const criteria = beaconCriteria(`127.0.0.1:${silentPort}`, pin);
    const started = Date.now();
    const obs = await observeTrust(criteria, BASE, { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(obs.beacon?.error).toBe('no answer within 300 ms');
    const [socket] = silentSockets;
    if (socket === undefined) throw new Error('the probe never connected');
    if (!socket.closed) await once(socket, 'close');
  });
});

describe('hostname lookups, for real', () => {
  it('resolves through the system resolver, and reports a name that does not exist', async () => {
    const criteria = TrustedNetworkCriteria.parse({
      match: 'any',
      dnsServers: [],
      dnsSearchDomains: [],
      hostnameResolves: [{ hostname: 'localhost', ip: '127.0.0.1' }, { hostname: 'waygate-test.invalid', ip: '10.1.2.3' }],
      defaultGateways: [],
      networkRanges: [],
      beacon: null,
    });
    const obs = await observeTrust(criteria, BASE);
    expect(obs.resolved['waygate-test.invalid']).toEqual({ error: expect.stringMatching(/^E[A-Z_]+$/) });
    const verdict = evaluateTrust(criteria, obs);
    expect(verdict.type).toBe('trusted');
    expect(verdict.checks[0]?.detail).toMatch(/^localhost resolves to .*127\.0\.0\.1/);
  });
});
