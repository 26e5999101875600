/**
 * An edge network that changes nothing: it checks the options like the real one and remembers what
 * is applied, so edge startup and shutdown are tested without root.
 */
import { checkEdgeNetworkOptions, type ApplyEdgeNetwork, type EdgeNetworkOptions, type FirewallBackend } from './netconfig.js';

export interface FakeEdgeNetwork {
  readonly apply: ApplyEdgeNetwork;
  /** What is in place now, by TUN name: applying for the same TUN again replaces it, as on Linux. */
  readonly active: ReadonlyMap<string, EdgeNetworkOptions>;
  /** Makes the next apply reject with `error` (a missing nft, a refused command), leaving nothing applied. */
  failNextApply(error: Error): void;
}

export function createFakeEdgeNetwork(firewall: FirewallBackend = 'nftables'): FakeEdgeNetwork {
  const active = new Map<string, EdgeNetworkOptions>();
  let nextFailure: Error | null = null;
  const apply: ApplyEdgeNetwork = (options) => {
    const failure = nextFailure;
    nextFailure = null;
    if (failure) return Promise.reject(failure);
    try {
      checkEdgeNetworkOptions(options);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    active.set(options.tunName, options);
    let removed = false;
    return Promise.resolve({
      firewall,
      remove: () => {
        if (!removed && active.get(options.tunName) === options) active.delete(options.tunName);
        removed = true;
        return Promise.resolve();
      },
    });
  };
  return {
    apply,
    active,
    failNextApply: (error) => {
      nextFailure = error;
    },
  };
}
