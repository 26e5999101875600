/**
 * The owner of the device's protection: sign-in, the device session with the portal, the user's
 * intents, the edge choice and the tunnel's health — the inputs of the plan (core/plan.ts) — and
 * the effects that apply it: the system proxy and the PAC it serves, the local proxy's PAC, and the
 * tunnel's target (the browser applies its own half from `browserProxy`). Every change re-plans and
 * publishes one new status.
 *
 * Fail-closed vs fail-open: without a config nothing is forwarded (there is no edge to send to);
 * with a config whose edges do not answer, the profile's failOpen decides (edge selection says when
 * none answers; the tunnel manager applies it to the tunnel's routes).
 */
import { createHash } from 'node:crypto';
import { WaygateError } from '../../protocol/errors.js';
import type {
  BrowserProxyView,
  BrowserSettings,
  ConfigState,
  DisableRequest,
  Explanation,
  LoginProgress,
  LoginRequest,
  NetworkView,
  Status,
  SystemProxyView,
  TunnelView,
  Unlock,
} from '../../protocol/localapi.js';
import { DEFAULT_DISABLE_MINUTES, type EffectiveConfig } from '../../protocol/policy.js';
import { plan, type EdgeChoice, type Plan, type TunnelSupport } from '../../core/plan.js';
import type { TunnelManager } from '../tunnel/tunnel-manager.js';
import type { LocalProxy } from '../proxy/local-proxy.js';
import type { Logger } from '../log.js';
import type { PacServer } from '../proxy/pac-server.js';
import type { Clock } from './clock.js';
import { DeviceSession } from './device-session.js';
import { NetworkAwareness, captiveView, type AwarenessState } from './awareness.js';
import type { Probe } from './edge-probe.js';
import type { EdgeToken } from './edge-token-keeper.js';
import { explain } from './explain.js';
import { deviceFacts } from './fingerprint.js';
import { LoginFlow } from './login-flow.js';
import type { NetmonSource } from '../netmon/source.js';
import type { StateFiles, Enrollment } from './state-files.js';
import type { StatusStore } from './status-store.js';
import type { SystemProxyEffects } from './system-proxy-effects.js';
import { UnlockGate, nodeScrypt } from './unlock.js';
import { WAYGATE_VERSION } from '../version.js';

/** The edge token goes to the edge as the Basic password of this user name. */
const PROXY_USERNAME = 'waygate';
/** The local proxy outside local-proxy mode: it forwards nothing to an edge. */
const DIRECT_PAC = 'function FindProxyForURL(url, host) { return "DIRECT"; }';
const NO_CONFIG: ConfigState = { policyVersion: null, source: null, syncedAt: null, lastError: null, nextSyncAt: null };

export interface ProtectionDeps {
  store: StatusStore;
  files: StateFiles;
  defaultPortalUrl: string;
  clock: Clock;
  random: () => number;
  logger: Logger;
  pacServer: PacServer;
  systemProxy: SystemProxyEffects;
  probe?: Probe;
  netmonSource?: NetmonSource;
  /** The captive-portal probe URL (expects 204); null turns detection off. */
  captiveProbeUrl: string | null;
  capportUrl: string | null;
  edgeProbeMs?: number;
  /** The full-device tunnel, when this service can run one (`tunnelSupport`). */
  tunnel?: TunnelManager;
  /** The local proxy on 127.0.0.1 (`local-proxy` action); absent when it could not start. */
  localProxy?: LocalProxy;
  tunnelSupport?: TunnelSupport;
}

export class Protection {
  private enrollment: Enrollment | null = null;
  private session: DeviceSession | null = null;
  private config: EffectiveConfig | null = null;
  private configState: ConfigState = NO_CONFIG;
  private token: EdgeToken | null = null;
  private disabledUntil: number | null = null;
  private login: LoginProgress | null = null;
  private current: Plan | null = null;
  private systemProxyView: SystemProxyView = { state: 'untouched', detail: 'Waygate has not changed the system proxy.' };
  private appliedSystemPac: string | null = null;
  private tunnelView: TunnelView | null = null;
  /** What the local proxy runs now: the plan's PAC, or DIRECT while the plan is not local-proxy. */
  private localProxyPlan: { pacScript: string; failOpen: boolean } = { pacScript: DIRECT_PAC, failOpen: true };
  private effects: Promise<void> = Promise.resolve();
  private cancelReplan: (() => void) | null = null;
  private readonly loginFlow: LoginFlow;
  private readonly awareness: NetworkAwareness;
  private aware: AwarenessState;
  private readonly logoutGate: UnlockGate;
  private readonly disableGate: UnlockGate;

  constructor(private readonly deps: ProtectionDeps) {
    this.loginFlow = new LoginFlow({
      defaultPortalUrl: deps.defaultPortalUrl,
      now: deps.clock.now,
      logger: deps.logger,
      onProgress: (progress) => {
        this.login = progress;
        this.replan();
      },
      onEnrolled: (enrollment) => this.enrolled(enrollment),
    });
    const gateDeps = (kind: 'logout' | 'disable') => ({
      now: deps.clock.now,
      scrypt: nodeScrypt,
      verifyCode: (code: string) => this.requireSession().client.verifyCode(this.requireEnrollment().credential, kind, code),
    });
    this.awareness = new NetworkAwareness({
      clock: deps.clock,
      logger: deps.logger,
      captiveProbeUrl: deps.captiveProbeUrl,
      capportUrl: deps.capportUrl,
      ...(deps.netmonSource ? { source: deps.netmonSource } : {}),
      ...(deps.probe ? { probe: deps.probe } : {}),
      ...(deps.edgeProbeMs ? { edgeProbeMs: deps.edgeProbeMs } : {}),
      onChange: (state) => {
        this.aware = state;
        this.replan();
      },
      onNetworkChange: () => {
        this.deps.tunnel?.networkChanged();
        void this.session?.sync.syncNow('network change');
      },
    });
    this.aware = this.awareness.state;
    this.logoutGate = new UnlockGate('logout', gateDeps('logout'));
    this.disableGate = new UnlockGate('disable', gateDeps('disable'));
  }

  /** Restores what a crashed run left, then resumes the stored enrollment (cached config first). */
  async start(): Promise<void> {
    const { files, logger } = this.deps;
    if (await this.deps.systemProxy.recoverAtStart()) logger.info('protection: restored the system proxy a previous run left applied');
    await this.deps.tunnel?.start();
    this.disabledUntil = (await files.intents.load().catch(() => undefined))?.disabledUntil ?? null;
    let enrollment: Enrollment | undefined;
    try {
      enrollment = await files.enrollment.load();
    } catch (err) {
      logger.error({ err, path: files.enrollment.path }, 'protection: the stored enrollment is unreadable; sign in again');
    }
    if (enrollment) await this.startSession(enrollment);
    await this.awareness.start();
    this.replan();
  }

  async stop(): Promise<void> {
    this.loginFlow.cancel();
    this.awareness.stop();
    this.session?.stop();
    this.cancelReplan?.();
    await this.deps.tunnel?.stop();
    await this.effects;
    // A stopped service serves no PAC: give the user's settings back rather than leave a dead URL.
    if (this.appliedSystemPac !== null) await this.deps.systemProxy.restore();
  }

  /* ───────────── LocalAPI actions ───────────── */

  async startLogin(request: LoginRequest): Promise<Status> {
    if (this.enrollment) {
      const { user, org } = this.enrollment.account;
      throw new WaygateError('CONFLICT', `Already signed in as ${user.email} (${org.name}); sign out first.`);
    }
    this.login = null;
    await this.loginFlow.start(request);
    return this.deps.store.get();
  }

  async logout(unlock: Unlock): Promise<Status> {
    if (!this.enrollment) {
      this.loginFlow.cancel();
      this.login = null;
      this.replan();
      return this.deps.store.get();
    }
    await this.logoutGate.check(this.config?.appProfile.passwords.logout ?? null, unlock);
    this.deps.logger.info({ deviceId: this.enrollment.account.deviceId }, 'protection: signed out');
    await this.forget();
    return this.deps.store.get();
  }

  async disable(request: DisableRequest): Promise<Status> {
    if (!this.config) throw new WaygateError('NOT_ENROLLED', 'There is no protection to turn off: sign in first.');
    await this.disableGate.check(this.config.appProfile.passwords.disable, request);
    const limit = this.config.appProfile.disableMinutes ?? DEFAULT_DISABLE_MINUTES;
    const minutes = Math.min(request.minutes ?? limit, limit);
    this.disabledUntil = this.deps.clock.now() + minutes * 60_000;
    await this.deps.files.intents.save({ disabledUntil: this.disabledUntil });
    this.deps.logger.info({ minutes }, 'protection: turned off by the user');
    this.replan();
    return this.deps.store.get();
  }

  async enable(): Promise<Status> {
    this.disabledUntil = null;
    await this.deps.files.intents.save({ disabledUntil: null });
    this.replan();
    return this.deps.store.get();
  }

  async sync(): Promise<Status> {
    if (!this.session) throw new WaygateError('NOT_ENROLLED', 'This device is not signed in: run `waygate login` first.');
    await this.session.sync.syncNow('requested');
    await this.awareness.recheckEdges();
    return this.deps.store.get();
  }

  async browserSettings(): Promise<BrowserSettings> {
    const browserProxy = this.current?.browserProxy ?? { mode: 'release' };
    let token = this.session?.tokens.token ?? null;
    // The browser asks when a token was refused: hand out a fresh one if ours is about to go.
    if (this.session && (token === null || token.expiresAtMs - this.deps.clock.now() < 30_000)) token = await this.session.tokens.refresh();
    return {
      proxy: browserProxy.mode === 'pac' ? { ...browserProxy, digest: digestOf(browserProxy.pacScript, browserProxy.authHosts) } : browserProxy,
      credentials: token ? { username: PROXY_USERNAME, token: token.token, expiresAt: new Date(token.expiresAtMs).toISOString() } : null,
    };
  }

  explain(url: string): Promise<Explanation> {
    const current = this.current ?? this.computePlan();
    const localProxy = current.localProxy.mode === 'up' ? this.deps.localProxy : undefined;
    return explain(url, { plan: current, config: this.config, network: this.network(), ...(localProxy ? { localProxy } : {}) });
  }

  /* ───────────── Inputs changing ───────────── */

  private async enrolled(enrollment: Enrollment): Promise<void> {
    await this.deps.files.enrollment.save(enrollment);
    this.login = null;
    this.deps.logger.info({ deviceId: enrollment.account.deviceId, user: enrollment.account.user.email, org: enrollment.account.org.name }, 'protection: signed in');
    await this.startSession(enrollment);
    this.replan();
  }

  private async startSession(enrollment: Enrollment): Promise<void> {
    this.enrollment = enrollment;
    const session = new DeviceSession({
      enrollment,
      cache: this.deps.files.config,
      tokenStore: this.deps.files.edgeToken,
      clock: this.deps.clock,
      random: this.deps.random,
      logger: this.deps.logger,
      onConfig: (config) => {
        if (this.session !== session && this.session !== null) return;
        this.config = config;
        this.awareness.setConfig(config);
        this.replan();
      },
      onConfigState: (state) => {
        this.configState = state;
        this.replan();
      },
      onToken: (token) => {
        this.token = token;
        this.deps.tunnel?.tokenRenewed(token.token);
        this.replan();
      },
      onRejected: (error) => {
        if (this.session !== session) return;
        this.deps.logger.warn({ message: error.message }, 'protection: the portal no longer accepts this device; signing out');
        void this.forget();
      },
      fingerprint: () => ({
        ...deviceFacts(),
        appVersion: WAYGATE_VERSION,
        networkType: this.network().type,
        ...(this.aware.selection?.primary ? { edge: this.aware.selection.primary.id } : {}),
        state: this.current?.status.state ?? 'waiting',
      }),
    });
    this.session = session;
    await session.start();
  }

  /** Signs out locally: stops talking to the portal, forgets the credential, config and intents. */
  private async forget(): Promise<void> {
    this.session?.stop();
    this.session = null;
    this.enrollment = null;
    this.config = null;
    this.configState = NO_CONFIG;
    this.token = null;
    this.awareness.setConfig(null);
    this.disabledUntil = null;
    const { files } = this.deps;
    await Promise.all([files.enrollment.clear(), files.config.clear(), files.intents.clear(), files.edgeToken.clear()]);
    this.replan();
  }

  /* ───────────── The plan and its effects ───────────── */

  private network(): NetworkView {
    return this.aware.network;
  }

  private computePlan(): Plan {
    return plan({
      signedIn: this.enrollment !== null,
      config: this.config,
      network: this.network(),
      edges: this.edgeChoice(),
      captivePause: this.aware.captive.paused && this.aware.captive.resumesAt !== null ? { until: this.aware.captive.resumesAt, loginUrl: this.aware.captive.loginUrl } : null,
      edgeFailure: this.aware.selection?.failMode ? { mode: this.aware.selection.failMode, reason: this.aware.selection.reason } : null,
      disabledUntil: this.disabledUntil,
      localProxyPort: this.deps.localProxy?.port ?? null,
      ...(this.deps.tunnelSupport ? { tunnelSupport: this.deps.tunnelSupport } : {}),
      tunnelHealth: this.tunnelView,
      now: this.deps.clock.now(),
    });
  }

  private replan(): void {
    const next = this.computePlan();
    this.current = next;
    this.cancelReplan?.();
    this.cancelReplan = next.replanAt === null ? null : this.deps.clock.schedule(next.replanAt - this.deps.clock.now(), () => this.replan());
    this.applySystemProxy(next);
    this.deps.tunnel?.set(next.tunnel.mode === 'up' ? next.tunnel : null);
    this.applyLocalProxy(next);
    this.publish(next);
  }

  private applyLocalProxy(next: Plan): void {
    const wanted = next.localProxy.mode === 'up' ? { pacScript: next.localProxy.pacScript, failOpen: next.localProxy.failOpen } : { pacScript: DIRECT_PAC, failOpen: true };
    if (wanted.pacScript === this.localProxyPlan.pacScript && wanted.failOpen === this.localProxyPlan.failOpen) return;
    this.localProxyPlan = wanted;
    this.deps.localProxy?.policyChanged();
  }

  /** The PAC the local proxy evaluates per request. */
  localProxyPac(): string {
    return this.localProxyPlan.pacScript;
  }

  /** What the local proxy does when the PAC cannot answer: DIRECT (true) or block (false). */
  localProxyFailOpen(): boolean {
    return this.localProxyPlan.failOpen;
  }

  /** The tunnel manager's news: status shows it, and what protection says may change with it. */
  tunnelChanged(view: TunnelView | null): void {
    this.tunnelView = view;
    if (this.current) this.replan();
  }

  /** Where the tunnel must not take traffic: the portal (sign-in, config, tokens) and the captive probe. */
  tunnelBypassUrls(): string[] {
    const urls = [this.enrollment?.account.portalUrl ?? this.deps.defaultPortalUrl];
    if (this.deps.captiveProbeUrl !== null) urls.push(this.deps.captiveProbeUrl);
    return urls;
  }

  /** The current edge token, for the tunnel. */
  edgeToken(): string | null {
    return this.session?.tokens.token?.token ?? null;
  }

  /** A fresh edge token after the edge refused ours. */
  async refreshEdgeToken(): Promise<string | null> {
    return (await this.session?.tokens.refresh())?.token ?? null;
  }

  /** Serialised: each change waits for the previous one, so the saved user settings are never raced. */
  private applySystemProxy(next: Plan): void {
    const wanted = next.systemProxy.mode === 'pac' ? next.systemProxy.pacScript : null;
    if (wanted === this.appliedSystemPac) return;
    this.appliedSystemPac = wanted;
    this.effects = this.effects.then(async () => {
      const { pacServer, systemProxy } = this.deps;
      let view: SystemProxyView;
      if (wanted !== null && pacServer.url !== null) {
        pacServer.set(wanted);
        view = await systemProxy.apply(pacServer.url);
      } else {
        view = await systemProxy.restore();
      }
      this.systemProxyView = view;
      if (this.current) this.publish(this.current);
    });
  }

  private publish(current: Plan): void {
    const config = this.config;
    const passwords = config?.appProfile.passwords;
    this.deps.store.update({
      account: this.enrollment?.account ?? null,
      login: this.login,
      config: this.configState,
      protection: {
        state: current.status.state,
        reason: current.status.reason,
        disabledUntil: current.status.state === 'disabled' && this.disabledUntil !== null ? new Date(this.disabledUntil).toISOString() : null,
        passwords: { logout: (passwords?.logout ?? null) !== null, disable: (passwords?.disable ?? null) !== null },
      },
      network: this.network(),
      edge: this.edgeView(config),
      tunnel: this.tunnelView,
      captivePortal: captiveView(this.aware.captive),
      browserProxy: browserProxyView(current),
      systemProxy: this.systemProxyView,
      edgeTokenExpiresAt: this.token ? new Date(this.token.expiresAtMs).toISOString() : null,
      reasons: current.reasons,
    });
  }

  /** The edges the plan uses: the selection's, or (before the first probe round) the config's order. */
  private edgeChoice(): EdgeChoice | null {
    const selection = this.aware.selection;
    if (!selection?.primary) return null;
    return { primary: selection.primary, secondary: selection.secondary, latencyMs: selection.latencyMs };
  }

  private edgeView(config: EffectiveConfig | null): Status['edge'] {
    const selection = this.aware.selection;
    const primary = selection?.primary ?? config?.edges[0];
    if (!primary) return null;
    return {
      id: primary.id,
      region: primary.region,
      proxyUrl: primary.proxyUrl,
      latencyMs: selection?.latencyMs ?? null,
      secondaryId: selection?.secondary?.id ?? null,
      health: selection?.health ?? 'ok',
      reason: selection?.reason ?? 'not measured yet: the first edge of the profile',
    };
  }

  private requireEnrollment(): Enrollment {
    if (!this.enrollment) throw new WaygateError('NOT_ENROLLED', 'This device is not signed in.');
    return this.enrollment;
  }

  private requireSession(): DeviceSession {
    if (!this.session) throw new WaygateError('NOT_ENROLLED', 'This device is not signed in.');
    return this.session;
  }
}

function browserProxyView(current: Plan): BrowserProxyView {
  const proxy = current.browserProxy;
  return proxy.mode === 'pac' ? { mode: 'pac', digest: digestOf(proxy.pacScript, proxy.authHosts) } : { mode: 'release' };
}

function digestOf(pacScript: string, authHosts: readonly string[]): string {
  return createHash('sha256').update(pacScript).update('\0').update(authHosts.join(',')).digest('base64url').slice(0, 22);
}
