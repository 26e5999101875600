/**
 * Browser-only mode: with no Waygate app on the device, the extension does what the service would —
 * enrolls (RFC 8628, or the enrollment-token grant for managed browsers), syncs the signed config,
 * keeps an edge token fresh, sends heartbeats, plans with core/plan.ts and applies the plan to the
 * browser proxy only.
 *
 * Invariants:
 * - every fact lives in the store (state.ts); this object holds only the in-flight sign-in poll and
 *   a queue that runs state changes one at a time, both rebuilt on each wake by `resume`;
 * - a config is used only when its signature verifies against the keys pinned at enrollment and it
 *   names this device; otherwise the last good one stays in force and the sync records why;
 * - every state change ends in `applyNow`, which re-plans, hands the settings to the proxy applier
 *   and stores the snapshot the popup shows.
 */
import { accountOf } from '../../../core/account.js';
import { pollForApproval } from '../../../core/device-flow.js';
import { verifyPasswordHash, type Scrypt } from '../../../core/password.js';
import { plan } from '../../../core/plan.js';
import type { PortalClient } from '../../../core/portal-client.js';
import { refreshAtMs } from '../../../core/token-schedule.js';
import { verifyConfigSignature } from '../../../protocol/config-signature.js';
import { WaygateError, type WireError } from '../../../protocol/errors.js';
import type { BrowserSettings, DisableRequest, Unlock } from '../../../protocol/localapi.js';
import type { ManagedConfig } from '../../../protocol/managed-config.js';
import { DEFAULT_DISABLE_MINUTES, type DeviceOs } from '../../../protocol/policy.js';
import { CLIENT_ID, ENROLLMENT_TOKEN_GRANT, type DeviceTokenResponse, type PublicJwk, type SignedConfig } from '../../../protocol/portal.js';
import type { DeviceSnapshot } from '../../lib/device-state.js';
import { BROWSER_ONLY_NETWORK, browserOnlySnapshot } from './snapshot.js';
import { NEVER_SYNCED, type BrowserOnlyStore, type EdgeToken, type PendingLogin } from './state.js';

export type PortalApi = Pick<PortalClient, 'authorize' | 'token' | 'config' | 'heartbeat' | 'edgeToken' | 'verifyCode'>;

export const BROWSER_ONLY_ALARMS = ['bo-sync', 'bo-token', 'bo-enable'] as const;
export type BrowserOnlyAlarm = (typeof BROWSER_ONLY_ALARMS)[number];

export interface DevicePlatform {
  os: DeviceOs;
  osVersion: string;
  deviceName: string;
}

export interface BrowserOnlyDeps {
  store: BrowserOnlyStore;
  portal(url: string): PortalApi;
  platform(): Promise<DevicePlatform>;
  appVersion: string;
  alarms: { at(name: BrowserOnlyAlarm, whenMs: number): void; clear(name: BrowserOnlyAlarm): void };
  openTab(url: string): void;
  apply(settings: BrowserSettings): Promise<void>;
  allowSignOut(): Promise<boolean>;
  scrypt: Scrypt;
  now: () => number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  verifySignature?: (signed: SignedConfig, keys: readonly PublicJwk[]) => Promise<boolean>;
}

/** Until the first config says otherwise (its configPollSeconds). */
const FIRST_POLL_SECONDS = 300;
/** After a failed sync or token fetch, try again this soon (but never later than the regular poll). */
const RETRY_MS = 60_000;

export class BrowserOnlyDevice {
  private polling: AbortController | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: BrowserOnlyDeps) {}

  /** On every wake in browser-only mode: resume a sign-in, catch up on a missed sync, re-apply. */
  resume(): Promise<DeviceSnapshot> {
    return this.exclusive(async () => {
      const { store } = this.deps;
      const login = await store.login.get();
      if (login?.state === 'waiting') this.pollLogin(login);
      if (await store.enrollment.get()) {
        const { nextSyncAt } = await store.sync.get();
        if (nextSyncAt === null || nextSyncAt <= this.deps.now()) await this.syncNow();
        else this.deps.alarms.at('bo-sync', nextSyncAt);
        await this.ensureToken();
      }
      return this.applyNow();
    });
  }

  /** Leaves the browser to the app: no more alarms or polling from this mode. */
  deactivate(): void {
    this.polling?.abort();
    this.polling = null;
    for (const name of BROWSER_ONLY_ALARMS) this.deps.alarms.clear(name);
  }

  /** Starts the device flow and opens the verification page in a tab; approval is awaited in the background. */
  startLogin(portalUrl: string): Promise<DeviceSnapshot> {
    return this.exclusive(async () => {
      if (await this.deps.store.enrollment.get()) throw new WaygateError('CONFLICT', 'This browser is already signed in; sign out first.');
      this.polling?.abort();
      this.polling = null;
      const platform = await this.deps.platform();
      const code = await this.deps.portal(portalUrl).authorize({ device_name: platform.deviceName, os: platform.os, os_version: platform.osVersion });
      const login: PendingLogin = { state: 'waiting', portalUrl, code, expiresAt: this.deps.now() + code.expires_in * 1000 };
      await this.deps.store.login.set(login);
      this.deps.openTab(code.verification_uri_complete);
      this.pollLogin(login);
      return this.applyNow();
    });
  }

  /** Gives up on a sign-in waiting for approval (the code simply expires at the portal). */
  cancelLogin(): Promise<DeviceSnapshot> {
    return this.exclusive(async () => {
      this.polling?.abort();
      this.polling = null;
      await this.deps.store.login.set(null);
      return this.applyNow();
    });
  }

  /** Zero-touch: the managed enrollment token enrolls the device for the managed user, with no browser step. */
  enrollWithToken(managed: Required<Pick<ManagedConfig, 'portalUrl' | 'enrollmentToken' | 'userEmail'>>): Promise<DeviceSnapshot> {
    return this.exclusive(async () => {
      if (await this.deps.store.enrollment.get()) return this.applyNow();
      const platform = await this.deps.platform();
      try {
        const outcome = await this.deps.portal(managed.portalUrl).token({
          grant_type: ENROLLMENT_TOKEN_GRANT,
          client_id: CLIENT_ID,
          enrollment_token: managed.enrollmentToken,
          user_email: managed.userEmail,
          device_name: platform.deviceName,
          os: platform.os,
          os_version: platform.osVersion,
        });
        if (outcome.kind === 'granted') return await this.completeEnrollment(managed.portalUrl, outcome.response, platform.deviceName);
        const reason = outcome.error.error;
        await this.deps.store.login.set({
          state: 'failed',
          error: { code: 'LOGIN_FAILED', message: `The portal refused the managed enrollment: ${outcome.error.error_description ?? reason}.`, details: { reason } },
        });
      } catch (err) {
        await this.deps.store.login.set({ state: 'failed', error: wireOf(err) });
      }
      return this.applyNow();
    });
  }

  /** Fetches the config now (the popup's "Sync now", the sync alarm). A failure is recorded, not thrown. */
  sync(): Promise<DeviceSnapshot> {
    return this.exclusive(async () => {
      if (!(await this.deps.store.enrollment.get())) throw notEnrolled();
      await this.syncNow();
      return this.applyNow();
    });
  }

  signOut(unlock: Unlock): Promise<DeviceSnapshot> {
    return this.exclusive(async () => {
      if (!(await this.deps.allowSignOut())) throw new WaygateError('PERMISSION_DENIED', 'Your organisation does not allow signing out of this browser.');
      if (await this.deps.store.enrollment.get()) await this.checkUnlock('logout', unlock);
      await this.forget();
      return this.applyNow();
    });
  }

  /** Drops the enrollment and everything that came with it (sign-out, or the portal no longer knows the device). */
  private async forget(): Promise<void> {
    this.deactivate();
    const { store } = this.deps;
    await Promise.all([
      store.enrollment.set(null),
      store.config.set(null),
      store.sync.set(NEVER_SYNCED),
      store.login.set(null),
      store.token.set(null),
      store.disabledUntil.set(null),
    ]);
  }

  disable(request: DisableRequest): Promise<DeviceSnapshot> {
    return this.exclusive(async () => {
      const config = (await this.deps.store.config.get())?.signed.config ?? null;
      if (!(await this.deps.store.enrollment.get()) || config === null) throw notEnrolled();
      await this.checkUnlock('disable', request);
      const limit = config.appProfile.disableMinutes ?? DEFAULT_DISABLE_MINUTES;
      const minutes = Math.min(request.minutes ?? limit, limit);
      await this.deps.store.disabledUntil.set(this.deps.now() + minutes * 60_000);
      return this.applyNow();
    });
  }

  enable(): Promise<DeviceSnapshot> {
    return this.exclusive(async () => {
      await this.deps.store.disabledUntil.set(null);
      this.deps.alarms.clear('bo-enable');
      return this.applyNow();
    });
  }

  onAlarm(name: BrowserOnlyAlarm): Promise<DeviceSnapshot> {
    return this.exclusive(async () => {
      if (name === 'bo-sync' && (await this.deps.store.enrollment.get())) await this.syncNow();
      if (name === 'bo-token' && (await this.deps.store.enrollment.get())) await this.refreshTokenNow();
      return this.applyNow();
    });
  }

  /** The credentials to answer the edge's 407 with; `fresh` when the held token was refused. */
  credentials(fresh: boolean): Promise<EdgeToken | null> {
    return this.exclusive(async () => {
      if (!(await this.deps.store.enrollment.get())) return null;
      const held = await this.deps.store.token.get();
      if (!fresh && held) return held;
      const token = await this.refreshTokenNow();
      await this.applyNow();
      return token;
    });
  }

  /** Runs `task` after every earlier one: two syncs (alarm and button) never interleave their writes. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private pollLogin(login: Extract<PendingLogin, { state: 'waiting' }>): void {
    if (this.polling) return;
    const controller = new AbortController();
    this.polling = controller;
    const { deps } = this;
    const remaining = Math.max(1, Math.ceil((login.expiresAt - deps.now()) / 1000));
    pollForApproval(
      { ...login.code, expires_in: remaining },
      {
        client: deps.portal(login.portalUrl),
        now: () => deps.now(),
        sleep: (ms, signal) => deps.sleep(ms, signal),
        signal: controller.signal,
        // A storage write per round is an extension API call, which keeps the MV3 worker alive while it waits.
        onPoll: () => void deps.store.login.set(login),
      },
    )
      .then(async (response) => {
        if (controller.signal.aborted) return;
        const platform = await deps.platform();
        await this.exclusive(() => this.completeEnrollment(login.portalUrl, response, platform.deviceName));
      })
      .catch(async (err: unknown) => {
        if (controller.signal.aborted) return;
        await this.exclusive(async () => {
          await deps.store.login.set({ state: 'failed', error: wireOf(err) });
          return this.applyNow();
        });
      })
      .finally(() => {
        if (this.polling === controller) this.polling = null;
      });
  }

  private async completeEnrollment(portalUrl: string, response: DeviceTokenResponse, deviceName: string): Promise<DeviceSnapshot> {
    const { store } = this.deps;
    await store.enrollment.set({
      portalUrl,
      credential: response.device_credential,
      portalKeys: response.portal_keys.keys,
      account: accountOf(response, portalUrl, deviceName, this.deps.now()),
    });
    await Promise.all([store.login.set(null), store.config.set(null), store.sync.set(NEVER_SYNCED), store.token.set(null), store.disabledUntil.set(null)]);
    await this.syncNow();
    return this.applyNow();
  }

  private async syncNow(): Promise<void> {
    const { store, now } = this.deps;
    const enrollment = await store.enrollment.get();
    if (!enrollment) return;
    const previous = await store.sync.get();
    const stored = await store.config.get();
    let lastError: WireError | null = null;
    try {
      const outcome = await this.deps.portal(enrollment.portalUrl).config(enrollment.credential, stored?.etag ?? null);
      if (outcome.kind === 'config') {
        const verify = this.deps.verifySignature ?? verifyConfigSignature;
        const mine = outcome.signed.config.deviceId === enrollment.account.deviceId;
        if (mine && (await verify(outcome.signed, enrollment.portalKeys))) await store.config.set({ signed: outcome.signed, etag: outcome.etag });
        else lastError = { code: 'CONFIG_REJECTED', message: mine ? 'The config from the portal is not signed by the key pinned at sign-in; the last good config stays in force.' : 'The config from the portal is for another device; the last good config stays in force.' };
      }
    } catch (err) {
      // Revoked or removed in the portal: like the app, stop using the credential and say so.
      if (err instanceof WaygateError && err.code === 'UNAUTHENTICATED') {
        await this.forget();
        await store.sync.set({ ...NEVER_SYNCED, lastError: wireOf(err) });
        return;
      }
      lastError = wireOf(err);
    }
    const config = (await store.config.get())?.signed.config ?? null;
    const pollMs = (config?.appProfile.configPollSeconds ?? FIRST_POLL_SECONDS) * 1000;
    const nextSyncAt = now() + (lastError === null ? pollMs : Math.min(pollMs, RETRY_MS));
    await store.sync.set({ syncedAt: lastError === null ? now() : previous.syncedAt, lastError, nextSyncAt });
    this.deps.alarms.at('bo-sync', nextSyncAt);
    if (config === null) return;
    await this.ensureToken();
    const portalVersion = await this.heartbeat(enrollment.credential, config.policyVersion);
    // The portal has moved on since this sync: sync again at once (by alarm, not recursion). Not after a
    // failed or refused sync, which would only refuse the same config again in a loop.
    if (lastError === null && portalVersion !== null && portalVersion !== config.policyVersion) this.deps.alarms.at('bo-sync', now());
  }

  /** Sends a heartbeat; resolves with the portal's current policy version (null when unknown or unreachable). */
  private async heartbeat(credential: string, policyVersion: number): Promise<number | null> {
    const { store } = this.deps;
    const [enrollment, platform, disabledUntil] = await Promise.all([store.enrollment.get(), this.deps.platform(), store.disabledUntil.get()]);
    if (!enrollment) return null;
    const config = (await store.config.get())?.signed.config ?? null;
    const state = disabledUntil !== null && disabledUntil > this.deps.now() ? 'disabled' : 'protected';
    try {
      const answer = await this.deps.portal(enrollment.portalUrl).heartbeat(credential, {
        fingerprint: { os: platform.os, osVersion: platform.osVersion, appVersion: this.deps.appVersion, networkType: BROWSER_ONLY_NETWORK.type, state, ...(config?.edges[0] ? { edge: config.edges[0].id } : {}) },
        policyVersion,
      });
      return answer.policyVersion;
    } catch {
      // A missed heartbeat only makes the dashboard's "last seen" older; the next sync sends another.
      return null;
    }
  }

  private async ensureToken(): Promise<void> {
    const token = await this.deps.store.token.get();
    if (token === null || this.deps.now() >= refreshAtMs(token.issuedAt, token.expiresAt)) await this.refreshTokenNow();
    else this.deps.alarms.at('bo-token', refreshAtMs(token.issuedAt, token.expiresAt));
  }

  /** A new edge token, or the held one (possibly null) when the portal cannot give one now. */
  private async refreshTokenNow(): Promise<EdgeToken | null> {
    const { store, now } = this.deps;
    const enrollment = await store.enrollment.get();
    if (!enrollment) return null;
    try {
      const answer = await this.deps.portal(enrollment.portalUrl).edgeToken(enrollment.credential);
      const token: EdgeToken = { username: enrollment.account.deviceId, token: answer.token, issuedAt: now(), expiresAt: answer.expires_at * 1000 };
      await store.token.set(token);
      this.deps.alarms.at('bo-token', refreshAtMs(token.issuedAt, token.expiresAt));
      return token;
    } catch {
      this.deps.alarms.at('bo-token', now() + RETRY_MS);
      return store.token.get();
    }
  }

  private async checkUnlock(kind: 'logout' | 'disable', unlock: Unlock): Promise<void> {
    const { store } = this.deps;
    const hash = (await store.config.get())?.signed.config.appProfile.passwords[kind] ?? null;
    if (hash === null) return;
    const what = kind === 'logout' ? 'signing out' : 'turning protection off';
    if (unlock.password) {
      if (await verifyPasswordHash(hash, unlock.password, this.deps.scrypt)) return;
      throw new WaygateError('PASSWORD_WRONG', `That is not the password for ${what}.`);
    }
    if (unlock.code) {
      const enrollment = await store.enrollment.get();
      if (enrollment && (await this.deps.portal(enrollment.portalUrl).verifyCode(enrollment.credential, kind, unlock.code))) return;
      throw new WaygateError('PASSWORD_WRONG', `That one-time code is not valid for ${what}.`);
    }
    throw new WaygateError('PASSWORD_REQUIRED', `Your organisation requires a password (or a one-time code from your admin) for ${what}.`);
  }

  private async applyNow(): Promise<DeviceSnapshot> {
    const { store, now } = this.deps;
    const [enrollment, stored, sync, login, token] = await Promise.all([store.enrollment.get(), store.config.get(), store.sync.get(), store.login.get(), store.token.get()]);
    let disabledUntil = await store.disabledUntil.get();
    if (disabledUntil !== null && disabledUntil <= now()) {
      disabledUntil = null;
      await store.disabledUntil.set(null);
    }
    const config = stored?.signed.config ?? null;
    const planned = plan({ signedIn: enrollment !== null, config, network: BROWSER_ONLY_NETWORK, edges: null, disabledUntil, localProxyPort: null, now: now() });
    if (planned.replanAt !== null) this.deps.alarms.at('bo-enable', planned.replanAt);
    const proxy = planned.browserProxy;
    await this.deps.apply({
      proxy: proxy.mode === 'pac' ? { mode: 'pac', pacScript: proxy.pacScript, digest: await sha256Hex(proxy.pacScript), authHosts: proxy.authHosts } : { mode: 'release' },
      credentials: enrollment && token ? { username: token.username, token: token.token, expiresAt: new Date(token.expiresAt).toISOString() } : null,
    });
    const snapshot = browserOnlySnapshot({ enrollment, config, sync, login, disabledUntil, plan: planned });
    await store.snapshot.set(snapshot);
    return snapshot;
  }
}

function notEnrolled(): WaygateError {
  return new WaygateError('NOT_ENROLLED', 'This browser is not signed in to an organisation yet: use Sign in.');
}

function wireOf(err: unknown): WireError {
  if (err instanceof WaygateError) return err.toWire();
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}
