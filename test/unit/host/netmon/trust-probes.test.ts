import { describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { observeTrust, type BeaconTarget, type TrustBase } from '../../../../host/netmon/trust-probes.js';
import { TrustedNetworkCriteria } from '../../../../protocol/policy.js';

/**
 * A self-signed P-256 certificate, and the SHA-256 of its SubjectPublicKeyInfo as OpenSSL computes it
 * (`openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256`), so the
 * hash is checked against a second implementation, not against itself.
 */
const BEACON_CERT = new X509Certificate(`-----BEGIN CERTIFICATE-----
MIIBgjCCASmgAwIBAgIUEBfhvBjvhBlp83dtf/ARbPuZBCswCgYIKoZIzj0EAwIw
FjEUMBIGA1UEAwwLYmVhY29uLnRlc3QwIBcNMjYxMTI2MTIyODQ5WhgPMjEyNjEx
MDIxMjI4NDlaMBYxFDASBgNVBAMMC2JlYWNvbi50ZXN0MFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAESsMpf55lbEuuNQJeoN1P/MbmxnNa7rhXmDjeRj/S1wRAgjFo
qTDACme1DQJbNkHM2tyewuOohzQcc7nhiIvB76NTMFEwHQYDVR0OBBYEFOrU/Z6C
awr1GC/waY6AYAkvvJa3MB8GA1UdIwQYMBaAFOrU/Z6Cawr1GC/waY6AYAkvvJa3
MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgCTizPwh5GW8p02UQ
QrSShlXYW7cRiEfQ/WvJMZGY+qICIC21Gx2tHIGUx/aC2i4JAPV4dm5N6XpPrlH/
f4d3ejZw
-----END CERTIFICATE-----
`);
const BEACON_SPKI_SHA256 = 'cffd515642584f728acce38cca6c810919d5392be8853d21f884fd8f640ac51b';

const BASE: TrustBase = {
  dnsServers: ['10.0.0.53'],
  searchDomains: ['corp.example'],
  defaultGateways: ['10.0.0.1'],
  addresses: ['10.0.0.20/24'],
  vpnDefaultRoute: true,
};

function criteria(fields: Partial<TrustedNetworkCriteria>): TrustedNetworkCriteria {
  return TrustedNetworkCriteria.parse({
    match: 'any',
    dnsServers: [],
    dnsSearchDomains: [],
    hostnameResolves: [],
    defaultGateways: [],
    networkRanges: [],
    beacon: null,
    ...fields,
  });
}

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
const noResolve = (host: string): Promise<string[]> => Promise.reject(new Error(`unexpected lookup of ${host}`));
const noTls = (): Promise<Uint8Array> => Promise.reject(new Error('unexpected TLS connection'));

function systemError(code: string, syscall: string, message: string): Error {
  return Object.assign(new Error(message), { code, syscall });
}

describe('observeTrust', () => {
  it('passes the OS observations through and probes nothing without criteria', async () => {
    const obs = await observeTrust(null, BASE, { resolve: noResolve, tlsConnect: noTls });
    expect(obs).toEqual({ ...BASE, resolved: {}, beacon: null });
  });

  it('looks up only the hostnames the criteria name, each once', async () => {
    const asked: string[] = [];
    const c = criteria({
      dnsServers: ['10.0.0.53'],
      hostnameResolves: [
        { hostname: 'intranet.corp', ip: '10.1.2.3' },
        { hostname: 'intranet.corp', ip: '10.1.2.4' },
        { hostname: 'wiki.corp', ip: '10.1.2.5' },
      ],
    });
    const obs = await observeTrust(c, BASE, {
      resolve: (host) => {
        asked.push(host);
        return Promise.resolve(host === 'wiki.corp' ? ['10.1.2.5', 'fd00::5'] : ['10.1.2.3']);
      },
      tlsConnect: noTls,
    });
    expect(asked.sort()).toEqual(['intranet.corp', 'wiki.corp']);
    expect(obs.resolved).toEqual({ 'intranet.corp': { addresses: ['10.1.2.3'] }, 'wiki.corp': { addresses: ['10.1.2.5', 'fd00::5'] } });
    expect(obs.beacon).toBeNull();
  });

  it('turns a failed lookup into its system code, and anything else into its message', async () => {
    const c = criteria({ hostnameResolves: [{ hostname: 'gone.corp', ip: '10.1.2.3' }, { hostname: 'odd.corp', ip: '10.1.2.3' }] });
    const obs = await observeTrust(c, BASE, {
      resolve: (host) =>
        Promise.reject(host === 'gone.corp' ? systemError('ENOTFOUND', 'getaddrinfo', 'getaddrinfo ENOTFOUND gone.corp') : new Error('resolver exploded')),
    });
    expect(obs.resolved).toEqual({ 'gone.corp': { error: 'ENOTFOUND' }, 'odd.corp': { error: 'resolver exploded' } });
  });

  it('gives up on a lookup at the deadline', async () => {
    const c = criteria({ hostnameResolves: [{ hostname: 'slow.corp', ip: '10.1.2.3' }] });
    const obs = await observeTrust(c, BASE, { resolve: never, timeoutMs: 20 });
    expect(obs.resolved).toEqual({ 'slow.corp': { error: 'no answer within 20 ms' } });
  });

  it("hashes the SubjectPublicKeyInfo of the beacon's certificate", async () => {
    const targets: BeaconTarget[] = [];
    const c = criteria({ beacon: { address: 'beacon.corp.example:8443', spkiSha256: BEACON_SPKI_SHA256 } });
    const obs = await observeTrust(c, BASE, {
      resolve: noResolve,
      tlsConnect: (target) => {
        targets.push(target);
        return Promise.resolve(BEACON_CERT.raw);
      },
    });
    expect(targets).toEqual([{ host: 'beacon.corp.example', port: 8443, servername: 'beacon.corp.example' }]);
    expect(obs.beacon).toEqual({ address: 'beacon.corp.example:8443', spkiSha256: BEACON_SPKI_SHA256, error: null });
  });

  it('sends no SNI to a beacon named by its address', async () => {
    const targets: BeaconTarget[] = [];
    const tlsConnect = (target: BeaconTarget): Promise<Uint8Array> => {
      targets.push(target);
      return Promise.resolve(BEACON_CERT.raw);
    };
    await observeTrust(criteria({ beacon: { address: '10.0.0.10:443', spkiSha256: BEACON_SPKI_SHA256 } }), BASE, { tlsConnect });
    await observeTrust(criteria({ beacon: { address: '[fd00::10]:443', spkiSha256: BEACON_SPKI_SHA256 } }), BASE, { tlsConnect });
    expect(targets).toEqual([
      { host: '10.0.0.10', port: 443, servername: undefined },
      { host: 'fd00::10', port: 443, servername: undefined },
    ]);
  });

  it('turns every beacon failure into an error: refused, unparsable certificate, TLS alert, deadline', async () => {
    const c = criteria({ beacon: { address: '10.0.0.10:443', spkiSha256: BEACON_SPKI_SHA256 } });
    const observe = async (tlsConnect: (target: BeaconTarget, signal: AbortSignal) => Promise<Uint8Array>) =>
      (await observeTrust(c, BASE, { tlsConnect, timeoutMs: 20 })).beacon;

    expect(await observe(() => Promise.reject(systemError('ECONNREFUSED', 'connect', 'connect ECONNREFUSED 10.0.0.10:443')))).toEqual({
      address: '10.0.0.10:443',
      spkiSha256: null,
      error: 'ECONNREFUSED',
    });
    expect((await observe(() => Promise.resolve(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]))))?.error).toBe(
      'the beacon presented a certificate that could not be parsed',
    );
    const alert = Object.assign(new Error('C0:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure'), {
      code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
      reason: 'sslv3 alert handshake failure',
    });
    expect((await observe(() => Promise.reject(alert)))?.error).toBe('TLS handshake failed: sslv3 alert handshake failure');

    let aborted: unknown = null;
    const hung = await observe((_target, signal) => {
      signal.addEventListener('abort', () => {
        aborted = signal.reason;
      });
      return never();
    });
    expect(hung?.error).toBe('no answer within 20 ms');
    expect(aborted).toBeInstanceOf(Error);
  });

  it('runs the lookups and the beacon at the same time', async () => {
    const started: string[] = [];
    const c = criteria({
      hostnameResolves: [{ hostname: 'a.corp', ip: '10.1.2.3' }, { hostname: 'b.corp', ip: '10.1.2.3' }],
      beacon: { address: '10.0.0.10:443', spkiSha256: BEACON_SPKI_SHA256 },
    });
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const pending = observeTrust(c, BASE, {
      resolve: async (host) => {
        started.push(host);
        await gate;
        return ['10.1.2.3'];
      },
      tlsConnect: async () => {
        started.push('beacon');
        await gate;
        return BEACON_CERT.raw;
      },
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(started.sort()).toEqual(['a.corp', 'b.corp', 'beacon']);
    release();
    const obs = await pending;
    expect(obs.beacon?.spkiSha256).toBe(BEACON_SPKI_SHA256);
    expect(Object.keys(obs.resolved).sort()).toEqual(['a.corp', 'b.corp']);
  });
});
