/**
 * The device's full-device tunnel, kept as the plan wants it (core/plan.ts `tunnel`): the TUN, one
 * relay to the chosen edge at a time (relay.ts), the routes and DNS around it
 * (platform/device-network.ts), reconnects with backoff, and the profile's fail mode while the edge
 * is away. Protection owns one manager and tells it the target; the manager tells protection what
 * the tunnel is doing (`onChange`), which decides what status says.
 *
 * Fail-closed vs fail-open while the edge is away: fail-closed keeps the routes into the TUN and
 * drops what arrives there (counted, shown), so nothing leaks; fail-open waits `afterSeconds`
 * (a blip does not open the gate), then withdraws routes and DNS so traffic goes direct, and puts
 * them back the moment a relay is up again. Before the first assign of a fail-closed profile, the
 * routes already point into the TUN (with a placeholder address), so start-up does not leak either.
 *
 * The TUN is persistent: if the service dies, routes keep pointing into a TUN nobody reads (still
 * blocking), and `start()` at the next run removes what the crashed run left.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import type { TunnelState, TunnelView } from '../../protocol/localapi.js';
import { parseCidr, formatIp } from '../../protocol/ip.js';
import type { TunnelPlan } from '../../core/plan.js';
import type { DeviceNetwork, DeviceNetworkPlatform, TunnelNetworkPlan } from '../../platform/device-network.js';
import type { TunDevice, TunOptions } from '../../platform/tun.js';
import type { Logger } from '../log.js';
import type { Clock } from '../service/clock.js';
import { openRelay, RelayError, type Relay, type RelayEnd, type RelayOptions, type TunnelCounters } from './relay.js';
import { planRoutes } from './route-plan.js';
import { chooseTunnelRange } from './tunnel-range.js';

export const TUNNEL_INTERFACE = 'waygate0';
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 10_000;
/** After `stop` close codes (policy, revoked, replaced) the edge will say the same for a while. */
const STOPPED_RETRY_MS = 60_000;
/** How often byte counters reach status while the tunnel carries traffic. */
const COUNTER_PUBLISH_MS = 2_000;
/** After this many failed connections in a row an edge counts as down for the tunnel… */
const REFUSALS_BEFORE_AVOIDING = 3;
/** …for this long, so edge selection can move to another edge whose tunnel works. */
const AVOID_MS = 60_000;

export interface TunnelManagerDeps {
  readonly network: DeviceNetworkPlatform;
  readonly openTun: (options: TunOptions) => Promise<TunDevice>;
  readonly openRelay?: (options: RelayOptions) => Promise<Relay>;
  readonly stateDir: string;
  readonly tunName?: string;
  /** The current edge token, or null when there is none yet. */
  readonly token: () => string | null;
  /** A fresh token from the portal, for when the edge refused ours. */
  readonly refreshToken: () => Promise<string | null>;
  /** Host name → addresses (the system resolver by default). */
  readonly resolve?: (host: string) => Promise<string[]>;
  /** URLs whose hosts must stay reachable outside the tunnel: the portal, the captive-portal probe. */
  readonly bypassUrls: () => readonly string[];
  readonly client: RelayOptions['client'];
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: Logger;
  /** The tunnel's view for status; null once it is torn down. */
  readonly onChange: (view: TunnelView | null) => void;
}

export class TunnelManager {
  private target: TunnelPlan | null = null;
  /** Bumped whenever the target changes: a run that sees another generation stops. */
  private generation = 0;
  private tun: TunDevice | null = null;
  private network: DeviceNetwork | null = null;
  private relay: Relay | null = null;
  private routesApplied = false;
  private current: TunnelView | null = null;
  private readonly counters: TunnelCounters = { bytesUp: 0, bytesDown: 0, packetsDropped: 0 };
  private wake: (() => void) | null = null;
  private running: Promise<void> = Promise.resolve();
  private readonly resolved = new Map<string, string[]>();
  private cancelCounterTimer: (() => void) | null = null;
  private published = { bytesUp: 0, bytesDown: 0, packetsDropped: 0 };
  private readonly tunName: string;
  private stopped = false;
  /** Failed connections in a row per edge id, and until when an edge is avoided. */
  private readonly refusals = new Map<string, number>();
  private readonly avoidedUntil = new Map<string, number>();

  constructor(private readonly deps: TunnelManagerDeps) {
    this.tunName = deps.tunName ?? TUNNEL_INTERFACE;
  }

  get view(): TunnelView | null {
    return this.current;
  }

  /** Removes what a crashed run left (routes, DNS, the old TUN). Call once, before the first `set`. */
  async start(): Promise<void> {
    try {
      const report = await this.deps.network.removeLeftovers(this.deps.stateDir);
      if (report) this.deps.logger.info({ ...report }, 'tunnel: removed what a previous run left (routes, DNS, TUN)');
    } catch (err) {
      this.deps.logger.error({ err }, 'tunnel: could not remove what a previous run left');
    }
  }

  /** The plan's tunnel, or null for none. Only a change of edge, routes or fail mode restarts anything. */
  set(target: TunnelPlan | null): void {
    // After stop, a late re-plan (the teardown's own status change, say) must not bring it back.
    if (this.stopped || sameTarget(this.target, target)) return;
    this.target = target;
    this.generation += 1;
    this.wake?.();
    // The run in progress ends with its relay; a new edge with the same routes keeps the TUN and its routes.
    this.relay?.close();
    if (target === null) {
      this.running = this.running.then(() => this.teardown());
      return;
    }
    const generation = this.generation;
    this.running = this.running.then(() => this.run(generation));
  }

  /**
   * Whether the tunnel cannot get through this edge right now (it refused or failed several times
   * in a row). Edge selection counts such an edge as not answering: its /probe may be fine while its
   * tunnel endpoint is not, and a healthy secondary should take over.
   */
  avoids(edgeId: string): boolean {
    return (this.avoidedUntil.get(edgeId) ?? 0) > this.deps.clock.now();
  }

  /** A fresh edge token: the relay hands it to the edge so the session outlives the old one. */
  tokenRenewed(token: string): void {
    this.relay?.renewToken(token);
  }

  /** The device moved networks: the tunnel range may clash now, and a waiting reconnect should try at once. */
  networkChanged(): void {
    // What an edge refused on the old network says nothing about the new one.
    this.refusals.clear();
    this.avoidedUntil.clear();
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.set(null);
    this.stopped = true;
    await this.running;
  }

  /* ───────────── the connection loop ───────────── */

  private async run(generation: number): Promise<void> {
    const live = () => generation === this.generation;
    if (!live()) return;
    if (!(await this.ensureTun())) return;
    this.update(this.relay || this.routesApplied ? 'reconnecting' : 'connecting', `Connecting the tunnel to edge ${this.target?.edge.id ?? ''}.`);
    let attempt = 0;
    let downSince: number | null = null;
    let range: string | null = null;
    while (live()) {
      const target = this.target;
      if (target === null) return;
      const failure = await this.connectOnce(target, live, (chosen) => (range = chosen));
      if (!live()) return;
      if (failure === null) {
        attempt = 0;
        downSince = null;
        continue; // the relay ended cleanly (idle, edge moved): reconnect at once
      }
      downSince ??= this.deps.clock.now();
      await this.whileDown(target, failure, downSince, range);
      const delay = failure.action === 'stop' ? STOPPED_RETRY_MS : backoff(attempt, this.deps.random);
      attempt += 1;
      await this.sleep(this.untilFailOpen(target, downSince, delay));
    }
  }

  /** One relay from connect to end. Null when it was up and ended in a way worth retrying at once. */
  private async connectOnce(target: TunnelPlan, live: () => boolean, noteRange: (range: string) => void): Promise<RelayEnd | null> {
    const token = this.deps.token() ?? (await this.deps.refreshToken());
    if (token === null) return { code: 0, reason: 'No edge token yet: the portal has not issued one.', action: 'reconnect' };
    let relay: Relay;
    let plan: TunnelNetworkPlan;
    try {
      const range = await this.chooseRange(target);
      noteRange(range);
      const edgeAddresses = await this.addressesOf(new URL(target.edge.tunnelUrl).hostname);
      relay = await (this.deps.openRelay ?? openRelay)({
        url: target.edge.tunnelUrl,
        token,
        tun: this.requireTun(),
        range: range === '100.64.0.0/16' ? null : range,
        client: this.deps.client,
        counters: this.counters,
        lookup: pinnedLookup(edgeAddresses),
      });
      plan = await this.networkPlan(target, relay.assign.address, relay.assign.mtu, relay.assign.dns, edgeAddresses);
    } catch (err) {
      if (err instanceof RelayError) {
        // An unreachable edge is edge selection's to notice (its /probe fails too); a refusal is not.
        if (err.refused) this.countRefusal(target.edge.id);
        if (err.action === 'refresh-token') await this.deps.refreshToken();
        return { code: 0, reason: err.message, action: err.action };
      }
      const message = err instanceof Error ? err.message : String(err);
      this.deps.logger.warn({ err }, 'tunnel: could not connect');
      return { code: 0, reason: message, action: 'reconnect' };
    }
    if (!live()) {
      relay.close();
      return null;
    }
    try {
      await this.requireNetwork().apply(plan);
      this.routesApplied = true;
    } catch (err) {
      relay.close();
      this.deps.logger.error({ err }, 'tunnel: could not set up routes and DNS');
      return { code: 0, reason: err instanceof Error ? err.message : String(err), action: 'reconnect' };
    }
    this.relay = relay;
    this.refusals.delete(target.edge.id);
    this.avoidedUntil.delete(target.edge.id);
    this.deps.logger.info({ edge: target.edge.id, address: relay.assign.address, offload: relay.offload, routes: plan.tunnelRoutes.length }, 'tunnel: up');
    this.update('up', `Every packet goes through the tunnel to edge ${target.edge.id}.`, { address: relay.assign.address, dns: [...(plan.dns?.servers ?? [])] });
    this.startCounterUpdates();
    const end = await relay.ended;
    this.relay = null;
    this.stopCounterUpdates();
    if (!live()) return null;
    this.deps.logger.warn({ edge: target.edge.id, code: end.code, reason: end.reason }, 'tunnel: the relay ended');
    if (end.action === 'refresh-token') await this.deps.refreshToken();
    // An idle close or a shutdown of a healthy tunnel: try again at once, once.
    return end.code === 4400 ? null : end;
  }

  private countRefusal(edgeId: string): void {
    const count = (this.refusals.get(edgeId) ?? 0) + 1;
    this.refusals.set(edgeId, count);
    if (count < REFUSALS_BEFORE_AVOIDING) return;
    this.avoidedUntil.set(edgeId, this.deps.clock.now() + AVOID_MS);
    this.deps.logger.warn({ edge: edgeId, failures: count }, 'tunnel: the edge keeps refusing the tunnel; edge selection will prefer another');
  }

  /** What traffic does while no relay is up: the profile's fail mode, applied and shown. */
  private async whileDown(target: TunnelPlan, failure: RelayEnd, downSince: number, range: string | null): Promise<void> {
    const elapsed = this.deps.clock.now() - downSince;
    if (target.failOpen.enabled) {
      if (elapsed < target.failOpen.afterSeconds * 1000) {
        this.update('reconnecting', `The tunnel to edge ${target.edge.id} is down (${failure.reason}); reconnecting. Traffic goes direct if it stays down for ${target.failOpen.afterSeconds} s.`);
        return;
      }
      if (this.routesApplied) {
        await this.requireNetwork().withdraw().catch((err: unknown) => this.deps.logger.error({ err }, 'tunnel: could not withdraw the routes'));
        this.routesApplied = false;
      }
      this.update('fail-open', `The tunnel to edge ${target.edge.id} is down (${failure.reason}); the profile fails open, so traffic goes direct until it is back.`);
      return;
    }
    if (!this.routesApplied && range !== null) await this.blockEverything(target, range);
    this.update('fail-closed', `The tunnel to edge ${target.edge.id} is down (${failure.reason}); the profile fails closed, so traffic is dropped until it is back.`);
  }

  /** Fail-closed before any assign: the routes point into the TUN with a placeholder address, so nothing leaks. */
  private async blockEverything(target: TunnelPlan, range: string): Promise<void> {
    const parsed = parseCidr(range);
    if (!parsed.ok) return;
    const placeholder = `${formatIp({ version: 'ipv4', value: parsed.cidr.network + 2n })}/${parsed.cidr.prefix}`;
    try {
      const edgeAddresses = await this.addressesOf(new URL(target.edge.tunnelUrl).hostname);
      await this.requireNetwork().apply(await this.networkPlan(target, placeholder, 1280, [], edgeAddresses));
      this.routesApplied = true;
    } catch (err) {
      this.deps.logger.error({ err }, 'tunnel: could not route traffic into the TUN to fail closed');
    }
  }

  private async networkPlan(target: TunnelPlan, address: string, mtu: number, dns: readonly string[], edgeAddresses: readonly string[]): Promise<TunnelNetworkPlan> {
    const bypass = [...edgeAddresses];
    for (const url of this.deps.bypassUrls()) bypass.push(...(await this.addressesOf(new URL(url).hostname).catch(() => [])));
    const hosts = bypass.map((ip) => (isIP(ip) === 6 ? `${ip}/128` : `${ip}/32`));
    const routes = planRoutes({ include: target.include, exclude: [...target.exclude, ...hosts], carryIpv6: false });
    const servers = dns.filter((server) => isIP(server) === 4);
    return { tunName: this.tunName, address, mtu, ...routes, dns: servers.length > 0 ? { servers, searchDomains: [] } : null };
  }

  /** The profile's range unless something on this device already uses it; then the next free /16. */
  private async chooseRange(target: TunnelPlan): Promise<string> {
    const occupied = await this.deps.network.occupiedNetworks(this.tunName);
    const range = chooseTunnelRange(occupied, target.range);
    if (range === null) throw new Error('Every tunnel range from 100.64.0.0/16 to 100.83.0.0/16 is in use on this device.');
    return range;
  }

  /** Edge and portal addresses, remembered: once DNS goes through the tunnel, a dead tunnel cannot resolve them again. */
  private async addressesOf(host: string): Promise<string[]> {
    const bare = host.replace(/^\[(.*)\]$/, '$1');
    if (isIP(bare) !== 0) return [bare];
    const known = this.resolved.get(bare);
    if (known && (this.relay !== null || this.routesApplied)) return known;
    try {
      const fresh = await (this.deps.resolve ?? resolveAll)(bare);
      if (fresh.length > 0) this.resolved.set(bare, fresh);
      return fresh.length > 0 ? fresh : (known ?? []);
    } catch (err) {
      if (known) return known;
      throw err;
    }
  }

  /* ───────────── TUN and teardown ───────────── */

  private async ensureTun(): Promise<boolean> {
    if (this.tun) return true;
    try {
      this.tun = await this.deps.openTun({ name: this.tunName, offload: true, persist: true });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.update('unavailable', `The tunnel could not start: ${reason} Traffic goes direct.`);
      return false;
    }
    this.network = this.deps.network.open(this.deps.stateDir);
    this.tun.start(
      (packets) => {
        if (this.relay) this.relay.send(packets);
        else this.counters.packetsDropped += packets.length;
      },
      (err) => {
        this.deps.logger.error({ err }, 'tunnel: the TUN stopped working');
        this.update('unavailable', `The tunnel's network adapter stopped working: ${err.message}`);
      },
    );
    return true;
  }

  private async teardown(): Promise<void> {
    this.relay?.close();
    this.relay = null;
    this.stopCounterUpdates();
    if (this.network) await this.network.remove().catch((err: unknown) => this.deps.logger.error({ err }, 'tunnel: could not remove routes and DNS'));
    this.network = null;
    this.routesApplied = false;
    this.tun?.close();
    if (this.tun) this.deps.logger.info({ interface: this.tunName }, 'tunnel: down');
    this.tun = null;
    if (this.current !== null) {
      this.current = null;
      this.deps.onChange(null);
    }
  }

  private requireTun(): TunDevice {
    if (!this.tun) throw new Error('The TUN is not open.');
    return this.tun;
  }

  private requireNetwork(): DeviceNetwork {
    if (!this.network) throw new Error('The TUN is not open.');
    return this.network;
  }

  /* ───────────── status ───────────── */

  private update(state: TunnelState, reason: string, extra: { address?: string; dns?: string[] } = {}): void {
    const previous = this.current;
    const changed = previous?.state !== state || previous.reason !== reason;
    this.current = {
      state,
      reason,
      interface: this.tun ? this.tunName : null,
      address: extra.address ?? previous?.address ?? null,
      edgeId: this.target?.edge.id ?? null,
      dns: extra.dns ?? (state === 'fail-open' ? [] : (previous?.dns ?? [])),
      ipv6: 'blocked',
      offload: this.relay?.offload ?? false,
      bytesUp: this.counters.bytesUp,
      bytesDown: this.counters.bytesDown,
      packetsDropped: this.counters.packetsDropped,
      since: changed || previous === null ? new Date(this.deps.clock.now()).toISOString() : previous.since,
    };
    this.published = { ...this.counters };
    this.deps.onChange(this.current);
  }

  private startCounterUpdates(): void {
    this.stopCounterUpdates();
    const tick = () => {
      const { bytesUp, bytesDown, packetsDropped } = this.counters;
      if (this.current && (bytesUp !== this.published.bytesUp || bytesDown !== this.published.bytesDown || packetsDropped !== this.published.packetsDropped)) {
        this.update(this.current.state, this.current.reason);
      }
      this.cancelCounterTimer = this.deps.clock.schedule(COUNTER_PUBLISH_MS, tick);
    };
    this.cancelCounterTimer = this.deps.clock.schedule(COUNTER_PUBLISH_MS, tick);
  }

  private stopCounterUpdates(): void {
    this.cancelCounterTimer?.();
    this.cancelCounterTimer = null;
  }

  /* ───────────── timing ───────────── */

  /** Waits `ms`, or less when the target or the network changes (`wake`). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.deps.clock.schedule(ms, done);
      function done(): void {
        cancel();
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  /** The backoff delay, cut short so a fail-open profile opens the gate on time. */
  private untilFailOpen(target: TunnelPlan, downSince: number, delay: number): number {
    if (!target.failOpen.enabled || !this.routesApplied) return delay;
    const opensIn = downSince + target.failOpen.afterSeconds * 1000 - this.deps.clock.now();
    return opensIn > 0 ? Math.min(delay, opensIn) : delay;
  }
}

/** 250 ms doubling to 10 s, ±20%: quick after a blip, and a fleet does not reconnect in lockstep. */
export function backoff(attempt: number, random: () => number): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.8 + 0.4 * random()));
}

function sameRoutes(a: TunnelPlan | null, b: TunnelPlan | null): boolean {
  if (a === null || b === null) return a === b;
  return a.include.join() === b.include.join() && a.exclude.join() === b.exclude.join() && a.range === b.range;
}

function sameTarget(a: TunnelPlan | null, b: TunnelPlan | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    sameRoutes(a, b) &&
    a.edge.id === b.edge.id &&
    a.edge.tunnelUrl === b.edge.tunnelUrl &&
    a.failOpen.enabled === b.failOpen.enabled &&
    a.failOpen.afterSeconds === b.failOpen.afterSeconds
  );
}

async function resolveAll(host: string): Promise<string[]> {
  return (await dnsLookup(host, { all: true })).map((entry) => entry.address);
}

/** A `lookup` for the WebSocket that answers with the addresses the routes were planned around. */
function pinnedLookup(addresses: readonly string[]): LookupFunction | undefined {
  const first = addresses[0];
  if (first === undefined) return undefined;
  const family = isIP(first);
  return (_host, options, callback) => {
    if (typeof options === 'object' && options.all) callback(null, addresses.map((address) => ({ address, family: isIP(address) })));
    else callback(null, first, family);
  };
}
