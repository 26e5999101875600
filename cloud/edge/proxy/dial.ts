/**
 * The only way the edge opens a connection to a destination: resolve once, let the SSRF guard judge
 * every address the resolver returned, then connect to one of exactly those addresses. Nothing here
 * resolves twice, so a DNS answer that changes between check and connect (rebinding) cannot move the
 * connection somewhere the guard did not see.
 */
import { lookup } from 'node:dns/promises';
import { connect, type Socket } from 'node:net';
import { formatIp, type Cidr } from '../../../protocol/ip.js';
import { guardDestination } from '../destination/classify.js';
import { parseHostLiteral } from '../destination/ip-literal.js';

/** Every address a name stands for, as text. Injected so tests (and policy) decide what names mean. */
export type Resolve = (host: string) => Promise<readonly string[]>;

export const systemResolve: Resolve = async (host) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

export interface DestinationPolicy {
  readonly resolve: Resolve;
  readonly allowCidrs: readonly Cidr[];
  readonly edgeOwnCidrs: readonly Cidr[];
}

export type Checked =
  | { readonly ok: true; readonly addresses: readonly string[] }
  | { readonly ok: false; readonly status: 403 | 502; readonly code: 'DESTINATION_FORBIDDEN' | 'UPSTREAM_UNREACHABLE'; readonly reason: string };

/** Resolves `host` (unless it is an IP literal) and returns the addresses the guard allowed. */
export async function checkDestination(host: string, policy: DestinationPolicy): Promise<Checked> {
  const literal = parseHostLiteral(host);
  let addresses: readonly string[];
  if (literal.kind === 'ip') {
    addresses = [literal.zone === undefined ? formatIp(literal.address) : `${formatIp(literal.address)}%${literal.zone}`];
  } else if (literal.kind === 'name') {
    try {
      addresses = await policy.resolve(literal.name);
    } catch {
      return { ok: false, status: 502, code: 'UPSTREAM_UNREACHABLE', reason: `The edge could not resolve "${host}". Check the name.` };
    }
  } else {
    addresses = [];
  }
  const verdict = guardDestination({ host, resolvedAddresses: addresses, allowCidrs: policy.allowCidrs, edgeOwnCidrs: policy.edgeOwnCidrs });
  if (!verdict.allowed) return { ok: false, status: 403, code: verdict.code, reason: verdict.reason };
  return { ok: true, addresses };
}

/** Connects to the first checked address that answers, in resolver order. */
export async function dialChecked(addresses: readonly string[], port: number, timeoutMs: number): Promise<Socket> {
  let last: Error = new Error('no address to connect to');
  for (const address of addresses) {
    try {
      return await connectOnce(address, port, timeoutMs);
    } catch (err) {
      last = err instanceof Error ? err : new Error(String(err));
    }
  }
  throw last;
}

function connectOnce(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // An IP address as `host` means node:net does not consult the resolver.
    const socket = connect({ host, port, timeout: timeoutMs });
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.once('error', fail);
    socket.once('timeout', () => fail(new Error(`timed out after ${timeoutMs} ms`)));
    socket.once('connect', () => {
      socket.off('error', fail);
      socket.setTimeout(0);
      resolve(socket);
    });
  });
}
