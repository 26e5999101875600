/**
 * What every OS shares behind `DeviceNetwork`: turning one plan into the next by changing only the
 * differences, the leftovers record written before each change, undo on failure, and the cleanup of
 * a crashed run. The OS backends (device-network.linux.ts …) only say which commands do each step.
 *
 * Invariant: whenever something of ours may be on the device, the leftovers record lists a superset
 * of it. apply() writes the union of the old and new plans first and the new plan once it is in place;
 * withdraw() and remove() shrink the record only after taking things away.
 */
import { rm } from 'node:fs/promises';
import {
  checkTunnelNetworkPlan,
  DeviceNetworkError,
  leftoversPath,
  readLeftovers,
  writeLeftovers,
  type DeviceNetwork,
  type DeviceNetworkBackend,
  type DeviceNetworkLeftovers,
  type DeviceNetworkPlatform,
  type DnsLeftover,
  type LeftoverReport,
  type NetworkCommand,
  type TunnelDns,
  type TunnelNetworkPlan,
} from './device-network.js';

/** What this object has put in place on one TUN. */
interface Applied {
  readonly tun: string;
  /** null: no address set yet (the first apply failed before it). */
  readonly link: { readonly address: string; readonly mtu: number } | null;
  readonly routes: readonly string[];
  readonly blocked: readonly string[];
  readonly dns: { readonly config: TunnelDns; readonly saved: DnsLeftover } | null;
  /** What DNS looked like before ours, kept while ours is on (or its removal failed). */
  readonly savedDns: DnsLeftover | null;
}

type Undo = () => Promise<unknown>;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function asDeviceNetworkError(error: unknown): DeviceNetworkError {
  return error instanceof DeviceNetworkError ? error : new DeviceNetworkError(`Tunnel network: ${message(error)}`, null, '', { cause: error });
}

/** For promise rejections that are not a command's: says what step failed, then why. */
function rethrowAs(step: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof DeviceNetworkError) throw error;
    throw new DeviceNetworkError(`Tunnel network: ${step}: ${message(error)}`, null, '', { cause: error });
  };
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

function minus(a: readonly string[], b: readonly string[]): string[] {
  const drop = new Set(b);
  return a.filter((item) => !drop.has(item));
}

function sameDns(a: TunnelDns, b: TunnelDns | undefined): boolean {
  return b !== undefined && a.servers.join(' ') === b.servers.join(' ') && a.searchDomains.join(' ') === b.searchDomains.join(' ');
}

function record(state: Applied): DeviceNetworkLeftovers {
  return {
    version: 1,
    tun: state.tun,
    address: state.link?.address ?? null,
    tunnelRoutes: [...state.routes],
    blockedRoutes: [...state.blocked],
    dns: state.dns?.saved ?? state.savedDns,
  };
}

class DeviceNetworkSession implements DeviceNetwork {
  private applied: Applied | null = null;
  /** Calls run one after another: a withdraw racing an apply would leave neither plan in place. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly backend: DeviceNetworkBackend,
    private readonly stateDir: string,
  ) {}

  apply(plan: TunnelNetworkPlan): Promise<void> {
    return this.serially(() => this.applyNow(plan));
  }

  withdraw(): Promise<void> {
    return this.serially(() => this.withdrawNow());
  }

  remove(): Promise<void> {
    return this.serially(() => this.removeNow());
  }

  private serially(task: () => Promise<void>): Promise<void> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async applyNow(plan: TunnelNetworkPlan): Promise<void> {
    checkTunnelNetworkPlan(plan);
    // A new TUN (the service reopened it under another name): the old one's routes go first.
    if (this.applied !== null && this.applied.tun !== plan.tunName) await this.removeNow();
    const before: Applied = this.applied ?? { tun: plan.tunName, link: null, routes: [], blocked: [], dns: null, savedDns: null };
    // The DNS from before the tunnel is saved once, when ours first goes in, and kept across plans.
    let saved = plan.dns === null ? null : (before.dns?.saved ?? before.savedDns);
    if (plan.dns !== null && saved === null) {
      saved = await this.backend.prepareDns(plan.tunName).catch(rethrowAs('could not read the DNS settings to save them'));
    }
    const after: Applied = {
      tun: plan.tunName,
      link: { address: plan.address, mtu: plan.mtu },
      routes: [...plan.tunnelRoutes],
      blocked: [...plan.blockedRoutes],
      dns: plan.dns === null || saved === null ? null : { config: plan.dns, saved },
      savedDns: null,
    };
    await writeLeftovers(this.stateDir, {
      ...record(after),
      tunnelRoutes: union(before.routes, after.routes),
      blockedRoutes: union(before.blocked, after.blocked),
      dns: saved ?? before.dns?.saved ?? before.savedDns,
    }).catch(rethrowAs(`could not write ${leftoversPath(this.stateDir)} first, so nothing was changed`));
    this.applied = before;
    const undos: Undo[] = [];
    // A new address may take the TUN's routes with the old one (see linkCommands), so all are set again.
    const readdress = before.link !== null && before.link.address !== plan.address && !this.backend.readdressKeepsRoutes;
    try {
      await this.changeLink(before, plan, undos);
      // New routes before the old ones go, so no destination is ever left without one of them.
      await this.changeRoutes('route', plan.tunnelRoutes, before.routes, plan.tunName, undos, readdress);
      await this.changeRoutes('blocked', plan.blockedRoutes, before.blocked, plan.tunName, undos);
      await this.changeDns(before, after, undos);
    } catch (error) {
      // Putting the old address back may drop the routes again, so they are set again after it.
      if (readdress) undos.unshift(() => Promise.all(before.routes.map((cidr) => this.backend.run(this.backend.routeCommand('add', before.tun, cidr)))));
      const undone = await this.runUndos(undos);
      // A failed undo leaves the union in the record, so the next start's cleanup still covers it.
      if (undone) await writeLeftovers(this.stateDir, record(before)).catch(() => undefined);
      throw asDeviceNetworkError(error);
    }
    this.applied = after;
    await writeLeftovers(this.stateDir, record(after));
  }

  private async changeLink(before: Applied, plan: TunnelNetworkPlan, undos: Undo[]): Promise<void> {
    const previous = before.link;
    if (previous !== null && previous.address === plan.address && previous.mtu === plan.mtu) return;
    await this.runAll(this.backend.linkCommands(plan, previous));
    undos.push(() =>
      previous === null
        ? this.runAll(this.backend.unlinkCommands(plan.tunName, plan.address))
        : this.runAll(this.backend.linkCommands({ ...plan, address: previous.address, mtu: previous.mtu }, { address: plan.address, mtu: plan.mtu })),
    );
  }

  private async changeRoutes(
    kind: 'route' | 'blocked',
    wanted: readonly string[],
    present: readonly string[],
    tun: string,
    undos: Undo[],
    reassert = false,
  ): Promise<void> {
    const command = (action: 'add' | 'delete', cidr: string): NetworkCommand =>
      kind === 'route' ? this.backend.routeCommand(action, tun, cidr) : this.backend.blockedRouteCommand(action, tun, cidr);
    const had = new Set(present);
    for (const cidr of reassert ? wanted : minus(wanted, present)) {
      await this.backend.run(command('add', cidr));
      if (!had.has(cidr)) undos.push(() => this.backend.run(command('delete', cidr)));
    }
    for (const cidr of minus(present, wanted)) {
      // Already gone (the kernel drops routes of a TUN that went down) is as good as deleted.
      await this.backend.run(command('delete', cidr)).catch(() => undefined);
      undos.push(() => this.backend.run(command('add', cidr)));
    }
  }

  private async changeDns(before: Applied, after: Applied, undos: Undo[]): Promise<void> {
    const previous = before.dns;
    if (after.dns !== null && !sameDns(after.dns.config, previous?.config)) {
      const { config, saved } = after.dns;
      await this.backend.setDns(after.tun, config, saved);
      undos.push(() => (previous === null ? this.backend.restoreDns(after.tun, saved) : this.backend.setDns(after.tun, previous.config, previous.saved)));
    } else if (after.dns === null && previous !== null) {
      await this.backend.restoreDns(after.tun, previous.saved);
      undos.push(() => this.backend.setDns(after.tun, previous.config, previous.saved));
    }
  }

  /**
   * Fail-open keeps the TUN and its address: only what steers traffic and names goes. Routes are
   * deleted tolerantly (a route already gone is fine); a DNS restore that fails is kept in the record
   * and reported, since the user's DNS is not back.
   */
  private async withdrawNow(): Promise<void> {
    const state = this.applied;
    if (state === null) return;
    for (const cidr of state.routes) await this.backend.run(this.backend.routeCommand('delete', state.tun, cidr)).catch(() => undefined);
    for (const cidr of state.blocked) await this.backend.run(this.backend.blockedRouteCommand('delete', state.tun, cidr)).catch(() => undefined);
    let failure: unknown = null;
    if (state.dns !== null) {
      try {
        await this.backend.restoreDns(state.tun, state.dns.saved);
      } catch (error) {
        failure = error;
      }
    }
    const savedDns = failure === null ? null : (state.dns?.saved ?? state.savedDns);
    this.applied = { ...state, routes: [], blocked: [], dns: null, savedDns };
    await writeLeftovers(this.stateDir, record(this.applied));
    if (failure !== null) throw asDeviceNetworkError(failure);
  }

  private async removeNow(): Promise<void> {
    const state = this.applied;
    if (state === null) return;
    await this.withdrawNow();
    if (state.link !== null) await this.runAll(this.backend.unlinkCommands(state.tun, state.link.address));
    await rm(leftoversPath(this.stateDir), { force: true });
    this.applied = null;
  }

  private async runAll(commands: readonly NetworkCommand[]): Promise<void> {
    for (const command of commands) {
      try {
        await this.backend.run(command);
      } catch (error) {
        if (!command.mayFail) throw error;
      }
    }
  }

  /** Newest first, carrying on past failures; true when every undo worked. */
  private async runUndos(undos: readonly Undo[]): Promise<boolean> {
    let all = true;
    for (const undo of [...undos].reverse()) {
      try {
        await undo();
      } catch {
        all = false;
      }
    }
    return all;
  }
}

/**
 * Undoes a crashed run's changes from its record. Each route is deleted on its own (one already gone
 * is skipped, not an error); the record is deleted only when the DNS is back, so a failed restore is
 * tried again at the next start rather than forgotten with the user's original settings in it.
 */
async function removeLeftovers(backend: DeviceNetworkBackend, stateDir: string): Promise<LeftoverReport | null> {
  const leftovers = await readLeftovers(stateDir);
  if (leftovers === null) return null;
  let routes = 0;
  const commands = [
    ...leftovers.tunnelRoutes.map((cidr) => backend.routeCommand('delete', leftovers.tun, cidr)),
    ...leftovers.blockedRoutes.map((cidr) => backend.blockedRouteCommand('delete', leftovers.tun, cidr)),
  ];
  for (const command of commands) {
    if (await backend.run(command).then(() => true, () => false)) routes += 1;
  }
  const problems: string[] = [];
  let dnsRestored = false;
  let dnsFailed = false;
  if (leftovers.dns !== null) {
    try {
      dnsRestored = await backend.restoreDns(leftovers.tun, leftovers.dns);
    } catch (error) {
      dnsFailed = true;
      problems.push(`The DNS settings from before the crash could not be put back (${message(error)}); Waygate tries again at its next start.`);
    }
  }
  let tun: string | null = null;
  try {
    if (await backend.deleteTun(leftovers.tun)) tun = leftovers.tun;
  } catch (error) {
    problems.push(`The tunnel interface ${leftovers.tun} could not be deleted (${message(error)}); delete it by hand.`);
  }
  if (dnsFailed) await writeLeftovers(stateDir, { ...leftovers, tunnelRoutes: [], blockedRoutes: [] });
  else await rm(leftoversPath(stateDir), { force: true });
  return problems.length > 0 ? { tun, routes, dnsRestored, problems } : { tun, routes, dnsRestored };
}

/** The platform object for one OS backend; `deviceNetworkPlatform()` is the factory callers use. */
export function platformFor(backend: DeviceNetworkBackend): DeviceNetworkPlatform {
  return {
    open: (stateDir) => new DeviceNetworkSession(backend, stateDir),
    removeLeftovers: (stateDir) => removeLeftovers(backend, stateDir),
    occupiedNetworks: (ownTun) => backend.occupiedNetworks(ownTun),
  };
}
