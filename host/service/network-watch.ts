/**
 * Notices when the device's network changes (an address appears or goes: a new Wi-Fi, a cable, a
 * VPN coming up, waking on another network), so the service syncs its config and re-measures its
 * edges then rather than at the next interval. It compares the set of non-loopback addresses every
 * few seconds: cheap, and the same on every OS. Issue #6 replaces it with netmon (netlink events,
 * gateways, DNS servers) and trusted-network detection.
 */
import { networkInterfaces } from 'node:os';
import type { Clock } from './clock.js';

const CHECK_MS = 3_000;

export type AddressSource = () => readonly string[];

/** Every non-internal address with its interface, sorted: the network's identity for this purpose. */
export const systemAddresses: AddressSource = () =>
  Object.entries(networkInterfaces())
    .flatMap(([name, addresses]) => (addresses ?? []).filter((a) => !a.internal).map((a) => `${name} ${a.cidr ?? a.address}`))
    .sort();

export class NetworkWatch {
  private last: string;
  private cancel: (() => void) | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly onChange: (addresses: readonly string[]) => void,
    private readonly addresses: AddressSource = systemAddresses,
  ) {
    this.last = addresses().join('\n');
  }

  start(): void {
    this.cancel = this.clock.schedule(CHECK_MS, () => this.check());
  }

  stop(): void {
    this.cancel?.();
    this.cancel = null;
  }

  private check(): void {
    const now = this.addresses();
    const key = now.join('\n');
    if (key !== this.last) {
      this.last = key;
      this.onChange(now);
    }
    this.start();
  }
}
