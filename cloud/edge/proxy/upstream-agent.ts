/**
 * Keep-alive connections from the edge to origins. The agent never resolves a name: a request
 * names its checked addresses as its `host` (joined by commas, see `checkedHost`), so the pool is
 * keyed by the exact addresses the destination guard approved and a socket opened for one set is
 * never handed to a request for another. Connections try those addresses in order (node's
 * happy-eyeballs connect over a lookup that answers with exactly them).
 */
import type { LookupAddress } from 'node:dns';
import { Agent, type ClientRequestArgs } from 'node:http';
import { connect, isIPv6, type Socket } from 'node:net';

export function checkedHost(addresses: readonly string[]): string {
  return addresses.join(',');
}

export class CheckedAddressAgent extends Agent {
  constructor(private readonly connectTimeoutMs: number) {
    // LIFO keeps a few sockets warm instead of cycling through all; idle ones close after 30 s.
    super({ keepAlive: true, keepAliveMsecs: 15_000, maxFreeSockets: 64, scheduling: 'lifo', timeout: 30_000 });
  }

  override createConnection(options: ClientRequestArgs): Socket {
    const addresses: LookupAddress[] = String(options.host ?? '')
      .split(',')
      .map((address) => ({ address, family: isIPv6(address.split('%')[0] ?? '') ? 6 : 4 }));
    const socket = connect({
      host: 'checked-destination',
      port: Number(options.port),
      autoSelectFamily: true,
      lookup: (_hostname, _options, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => callback(null, addresses),
      noDelay: true,
    });
    const onTimeout = () => socket.destroy(new Error(`timed out after ${this.connectTimeoutMs} ms`));
    socket.setTimeout(this.connectTimeoutMs);
    socket.once('timeout', onTimeout);
    // From here on the request's own timeout (and the agent's, while idle) applies.
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.off('timeout', onTimeout);
    });
    return socket;
  }
}
