/**
 * A device network that changes nothing: it checks plans like the real one and remembers what is in
 * place, so the tunnel manager is tested without root. One fake stands for the whole device, like
 * the OS: every `open()` shares its state.
 */
import {
  checkTunnelNetworkPlan,
  type DeviceNetwork,
  type DeviceNetworkPlatform,
  type LeftoverReport,
  type TunnelNetworkPlan,
} from './device-network.js';

export type FakeDeviceNetworkCall = { op: 'apply'; plan: TunnelNetworkPlan } | { op: 'withdraw' } | { op: 'remove' } | { op: 'removeLeftovers' };

export interface FakeDeviceNetworkPlatform extends DeviceNetworkPlatform {
  /** The plan in place now; null before the first apply and after remove. */
  readonly applied: TunnelNetworkPlan | null;
  /** True between withdraw() and the next apply(): the interface stays, routes and DNS are gone. */
  readonly withdrawn: boolean;
  /** Every call in order, failed applies included. */
  readonly calls: readonly FakeDeviceNetworkCall[];
  /** Makes the next apply reject with `error`, leaving the previous plan in place (as the real one undoes its partial changes). */
  failNextApply(error: Error): void;
  /** What the next removeLeftovers reports (a crashed run's leftovers); it reports null after that. */
  leaveLeftovers(report: LeftoverReport): void;
  /** What occupiedNetworks returns from now on: the networks other interfaces use (the own TUN is never in it). */
  setOccupied(networks: readonly string[]): void;
}

export function createFakeDeviceNetwork(occupied: readonly string[] = []): FakeDeviceNetworkPlatform {
  let applied: TunnelNetworkPlan | null = null;
  let withdrawn = false;
  let nextFailure: Error | null = null;
  let leftovers: LeftoverReport | null = null;
  let networks = [...occupied];
  const calls: FakeDeviceNetworkCall[] = [];

  const network: DeviceNetwork = {
    apply: (plan) => {
      calls.push({ op: 'apply', plan });
      const failure = nextFailure;
      nextFailure = null;
      if (failure) return Promise.reject(failure);
      try {
        checkTunnelNetworkPlan(plan);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      applied = plan;
      withdrawn = false;
      return Promise.resolve();
    },
    withdraw: () => {
      calls.push({ op: 'withdraw' });
      if (applied !== null) withdrawn = true;
      return Promise.resolve();
    },
    remove: () => {
      calls.push({ op: 'remove' });
      applied = null;
      withdrawn = false;
      return Promise.resolve();
    },
  };

  return {
    get applied() {
      return applied;
    },
    get withdrawn() {
      return withdrawn;
    },
    calls,
    open: () => network,
    removeLeftovers: () => {
      calls.push({ op: 'removeLeftovers' });
      const report = leftovers;
      leftovers = null;
      return Promise.resolve(report);
    },
    occupiedNetworks: () => Promise.resolve([...networks]),
    failNextApply: (error) => {
      nextFailure = error;
    },
    leaveLeftovers: (report) => {
      leftovers = report;
    },
    setOccupied: (list) => {
      networks = [...list];
    },
  };
}
