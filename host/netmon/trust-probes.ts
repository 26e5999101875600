/**
 * The active half of trusted-network detection: looks up the hostnames the criteria name and checks
 * the TLS beacon's key, then hands everything to core/trusted-network.ts, which decides. The passive
 * half (DNS servers, search domains, gateways, addresses, the VPN route) the caller reads from the OS
 * and passes in as `base`.
 *
 * Every probe has a deadline and every failure becomes an `error` string in the observations, never
 * a throw: a network where nothing answers is an ordinary observation (it is not the trusted one).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { connect } from 'node:tls';
import type { TrustObservations } from '../../core/trusted-network.js';
import { parseHostPort } from '../../protocol/hostname.js';
import { parseIp } from '../../protocol/ip.js';
import type { TrustedNetworkCriteria } from '../../protocol/policy.js';

/** What the OS says about the network, read without sending anything. */
export type TrustBase = Omit<TrustObservations, 'resolved' | 'beacon'>;

export interface BeaconTarget {
  host: string;
  port: number;
  /** The SNI to send: the host when it is a name, undefined for an address (RFC 6066 §3). */
  servername: string | undefined;
}

export interface TrustProbeDeps {
  /** Every address the system resolver gives for `host`. */
  resolve?: (host: string) => Promise<string[]>;
  /**
   * Opens TLS to the beacon and returns its leaf certificate (DER), whatever CA signed it: the pin
   * is what is checked. Should give up when `signal` aborts.
   */
  tlsConnect?: (target: BeaconTarget, signal: AbortSignal) => Promise<Uint8Array>;
  /** Deadline of each probe; 2 s by default. */
  timeoutMs?: number;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 2_000;

export async function observeTrust(criteria: TrustedNetworkCriteria | null, base: TrustBase, deps: TrustProbeDeps = {}): Promise<TrustObservations> {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const resolve = deps.resolve ?? resolveAll;
  const tlsConnect = deps.tlsConnect ?? certificateOf;
  const hostnames = [...new Set((criteria?.hostnameResolves ?? []).map((entry) => entry.hostname))];
  const beacon = criteria?.beacon ?? null;
  const resolved: TrustObservations['resolved'] = {};
  const [beaconSeen] = await Promise.all([
    beacon === null ? null : probeBeacon(beacon.address, tlsConnect, timeoutMs),
    ...hostnames.map(async (hostname) => {
      resolved[hostname] = await resolveOne(hostname, resolve, timeoutMs);
    }),
  ]);
  return {
    dnsServers: base.dnsServers,
    searchDomains: base.searchDomains,
    defaultGateways: base.defaultGateways,
    addresses: base.addresses,
    vpnDefaultRoute: base.vpnDefaultRoute,
    resolved,
    beacon: beaconSeen,
  };
}

async function resolveOne(hostname: string, resolve: (host: string) => Promise<string[]>, timeoutMs: number): Promise<TrustObservations['resolved'][string]> {
  try {
    return { addresses: await withDeadline(() => resolve(hostname), timeoutMs) };
  } catch (error) {
    return { error: errorText(error) };
  }
}

async function probeBeacon(address: string, tlsConnect: NonNullable<TrustProbeDeps['tlsConnect']>, timeoutMs: number): Promise<NonNullable<TrustObservations['beacon']>> {
  const target = parseHostPort(address);
  if (!target.ok) return { address, spkiSha256: null, error: target.message };
  const { host, port } = target.value;
  const servername = parseIp(host) === null ? host : undefined;
  try {
    const der = await withDeadline((signal) => tlsConnect({ host, port, servername }, signal), timeoutMs);
    return { address, spkiSha256: spkiSha256(der), error: null };
  } catch (error) {
    return { address, spkiSha256: null, error: errorText(error) };
  }
}

/** SHA-256 (hex) of the certificate's SubjectPublicKeyInfo: what the policy's pin is. */
function spkiSha256(certificateDer: Uint8Array): string {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificateDer);
  } catch {
    throw new Error('the beacon presented a certificate that could not be parsed');
  }
  const spki = certificate.publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('hex');
}

async function resolveAll(host: string): Promise<string[]> {
  const answers = await lookup(host, { all: true });
  return answers.map((answer) => answer.address);
}

function certificateOf(target: BeaconTarget, signal: AbortSignal): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    // No CA check on purpose: a beacon usually has an internal or self-signed certificate, and the pin decides.
    const socket = connect({ host: target.host, port: target.port, servername: target.servername, rejectUnauthorized: false });
    const abort = (): void => {
      socket.destroy();
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', abort, { once: true });
    socket.once('secureConnect', () => {
      const certificate = socket.getPeerX509Certificate();
      signal.removeEventListener('abort', abort);
      socket.destroy();
      if (certificate === undefined) reject(new Error('the beacon presented no certificate'));
      else resolve(certificate.raw);
    });
    socket.once('error', (error: Error) => {
      signal.removeEventListener('abort', abort);
      socket.destroy();
      reject(error);
    });
  });
}

/** Runs `work` with a signal that aborts at the deadline, and gives up on it then even if it does not. */
async function withDeadline<T>(work: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`no answer within ${formatMs(timeoutMs)}`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('the probe was cancelled');
}

function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/**
 * An error as the detail sentence shows it: the system code for a failed system call (ENOTFOUND,
 * ECONNREFUSED), OpenSSL's reason for a failed handshake, else the message.
 */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = stringField(error, 'code');
  if (code !== null && stringField(error, 'syscall') !== null) return code;
  const reason = stringField(error, 'reason');
  if (code?.startsWith('ERR_SSL_') && reason !== null) return `TLS handshake failed: ${reason}`;
  return error.message;
}

function stringField(error: Error, name: string): string | null {
  const value: unknown = Reflect.get(error, name);
  return typeof value === 'string' ? value : null;
}
