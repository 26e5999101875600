/**
 * Where the device is and what it can reach (issue #6), as one owner: netmon observes the network;
 * on every change the trusted-network criteria are evaluated again (core/trusted-network.ts with
 * the probes of host/netmon/trust-probes.ts), the captive-portal probe runs (and keeps running
 * every few seconds while forwarding is paused for a portal, so protection resumes as soon as the
 * internet answers), the edges are measured afresh (core/edge-selection.ts via EdgeMonitor), and
 * the config is synced. Protection reads `state` and re-plans on every `onChange`.
 */
import type { CaptivePortalView, NetworkView } from '../../protocol/localapi.js';
import type { EffectiveConfig } from '../../protocol/policy.js';
import { INITIAL_PAUSE, nextPause, resetOnNetworkChange, type PauseState } from '../../core/captive-pause.js';
import type { Selection } from '../../core/edge-selection.js';
import { evaluateTrust } from '../../core/trusted-network.js';
import type { Logger } from '../log.js';
import { checkCaptivePortal } from '../netmon/captive-portal.js';
import { Netmon } from '../netmon/netmon.js';
import type { NetworkSnapshot } from '../netmon/snapshot.js';
import { netmonSource, type NetmonSource } from '../netmon/source.js';
import { observeTrust } from '../netmon/trust-probes.js';
import type { Clock } from './clock.js';
import type { Probe } from './edge-probe.js';
import { EdgeMonitor } from './edge-monitor.js';

/** While paused for a captive portal, how often to look whether the user got through. */
const CAPTIVE_RECHECK_MS = 3_000;

export interface AwarenessState {
  network: NetworkView;
  captive: PauseState;
  /** The edges in use and their health; null until the first probe round. */
  selection: Selection | null;
}

export interface AwarenessDeps {
  clock: Clock;
  logger: Logger;
  /** The captive-portal probe (expects 204); null turns detection off. */
  captiveProbeUrl: string | null;
  /** An RFC 8908 CAPPORT API the network is known to offer. */
  capportUrl: string | null;
  onChange(state: AwarenessState): void;
  /** The network changed (not at start): the caller syncs its config. */
  onNetworkChange(): void;
  source?: NetmonSource;
  probe?: Probe;
  /** How often the edges in use are probed (EdgeMonitor's fast pace). */
  edgeProbeMs?: number;
}

export class NetworkAwareness {
  private netmon: Netmon | null = null;
  private snapshot: NetworkSnapshot | null = null;
  private config: EffectiveConfig | null = null;
  private monitor: EdgeMonitor | null = null;
  private monitorKey = '';
  private changedAt: string | null = null;
  private evaluation = 0;
  private cancelCaptiveRecheck: (() => void) | null = null;
  state: AwarenessState = { network: offTrusted([], null), captive: INITIAL_PAUSE, selection: null };

  constructor(private readonly deps: AwarenessDeps) {}

  async start(): Promise<void> {
    const source = this.deps.source ?? (await netmonSource(process.platform));
    this.netmon = new Netmon({ source, clock: this.deps.clock, onChange: (snapshot, cause) => this.onNetwork(snapshot, cause) });
    await this.netmon.start();
  }

  stop(): void {
    this.netmon?.stop();
    this.monitor?.stop();
    this.cancelCaptiveRecheck?.();
  }

  /** A new config (or none): edges, criteria and the captive setting may all have changed. */
  setConfig(config: EffectiveConfig | null): void {
    this.config = config;
    const profile = config?.forwardingProfile;
    const key = JSON.stringify([config?.edges, profile?.edgeSelection, profile?.failOpen]);
    if (key !== this.monitorKey) {
      this.monitorKey = key;
      this.monitor?.stop();
      this.monitor = null;
      this.update({ selection: null });
      if (config && profile) {
        this.monitor = new EdgeMonitor({
          edges: config.edges,
          selection: profile.edgeSelection,
          failOpen: profile.failOpen,
          clock: this.deps.clock,
          logger: this.deps.logger,
          ...(this.deps.probe ? { probe: this.deps.probe } : {}),
          ...(this.deps.edgeProbeMs ? { fastProbeMs: this.deps.edgeProbeMs } : {}),
          onSelection: (selection) => this.onSelection(selection),
        });
        this.monitor.start();
      }
    }
    void this.evaluateTrust();
  }

  /** Measure the edges now (a sync, the user asked). */
  async recheckEdges(): Promise<void> {
    await this.monitor?.recheckNow();
  }

  private onNetwork(snapshot: NetworkSnapshot, cause: 'start' | 'change' | 'wake'): void {
    this.snapshot = snapshot;
    this.changedAt = new Date(this.deps.clock.now()).toISOString();
    if (cause !== 'start') {
      this.deps.logger.info({ cause, addresses: snapshot.interfaces.flatMap((i) => i.addresses), dns: snapshot.dnsServers }, 'network: changed');
      this.deps.onNetworkChange();
    }
    this.update({ captive: resetOnNetworkChange(this.state.captive) });
    void this.evaluateTrust();
    void this.checkCaptive();
    if (cause !== 'start') {
      this.monitor?.reset();
      void this.monitor?.recheckNow();
    }
  }

  private onSelection(selection: Selection): void {
    const before = this.state.selection;
    this.update({ selection });
    // Every edge gone at once is what a captive portal looks like from inside: look for one.
    if (selection.primary === null && before?.primary !== null) void this.checkCaptive();
  }

  private async evaluateTrust(): Promise<void> {
    const run = ++this.evaluation;
    const criteria = this.config?.forwardingProfile.trustedNetwork ?? null;
    const snapshot = this.snapshot;
    if (!snapshot || criteria === null) {
      this.update({ network: offTrusted([this.config ? 'the profile defines no trusted network' : 'no policy yet'], this.changedAt) });
      return;
    }
    const interfaces = new Map(snapshot.interfaces.map((i) => [i.name, i]));
    const observations = await observeTrust(criteria, {
      dnsServers: snapshot.dnsServers,
      searchDomains: snapshot.searchDomains,
      defaultGateways: snapshot.defaultRoutes.flatMap((route) => (route.gateway ? [route.gateway] : [])),
      addresses: snapshot.interfaces.flatMap((i) => i.addresses),
      vpnDefaultRoute: snapshot.defaultRoutes.some((route) => interfaces.get(route.interface)?.vpn === true),
    });
    if (run !== this.evaluation) return; // a newer evaluation started meanwhile
    const verdict = evaluateTrust(criteria, observations);
    if (verdict.type !== this.state.network.type) this.deps.logger.info({ type: verdict.type, evidence: verdict.evidence }, 'network: type changed');
    this.update({ network: { ...verdict, changedAt: this.changedAt } });
  }

  private async checkCaptive(): Promise<void> {
    this.cancelCaptiveRecheck?.();
    const { captiveProbeUrl, capportUrl, clock, logger } = this.deps;
    const settings = this.config?.forwardingProfile.captivePortal;
    if (captiveProbeUrl === null || !settings) return;
    const check = await checkCaptivePortal({ probeUrl: captiveProbeUrl, capportUrl });
    const next = nextPause(this.state.captive, check, clock.now(), settings);
    if (next.paused !== this.state.captive.paused) logger.info({ paused: next.paused, loginUrl: next.loginUrl, detail: next.detail }, 'network: captive portal');
    this.update({ captive: next });
    if (next.paused) this.cancelCaptiveRecheck = clock.schedule(CAPTIVE_RECHECK_MS, () => void this.checkCaptive());
  }

  private update(change: Partial<AwarenessState>): void {
    this.state = { ...this.state, ...change };
    this.deps.onChange(this.state);
  }
}

function offTrusted(evidence: string[], changedAt: string | null): NetworkView {
  return { type: 'off-trusted', evidence, checks: [], changedAt };
}

/** The status view of a pause. */
export function captiveView(pause: PauseState): CaptivePortalView {
  return {
    state: pause.paused ? 'detected' : 'none',
    loginUrl: pause.loginUrl,
    resumesAt: pause.paused && pause.resumesAt !== null ? new Date(pause.resumesAt).toISOString() : null,
    detail: pause.detail,
  };
}
