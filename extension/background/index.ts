/**
 * Composition root of the service worker. Everything here is rebuilt on every wake (MV3 may stop the
 * worker at any time): the host connection starts afresh, browser-only mode resumes from storage,
 * and every fact the popup shows is persisted as it changes. Listeners are registered synchronously
 * at the top level so that events which wake the worker (a proxy's 407, an alarm, a message, a
 * proxy-setting change) reach them.
 *
 * Who owns what:
 * - HostConnection owns the native port and reports the HostLink; the link decides the mode:
 *   `connected` → app mode (HostMode relays the service's decisions), `not-installed` → browser-only
 *   mode (BrowserOnlyDevice decides itself with core/). A link that is still connecting or that
 *   dropped keeps whatever is applied.
 * - BrowserProxy is the only writer of the proxy setting and the edge credentials; both modes go
 *   through it, and the proxy-auth listener reads from it.
 */
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { abortableSleep } from '../../core/device-flow.js';
import { PortalClient } from '../../core/portal-client.js';
import { WaygateError, type WireError } from '../../protocol/errors.js';
import type { BrowserSettings, Unlock } from '../../protocol/localapi.js';
import { allowsSignOut } from '../../protocol/managed-config.js';
import { answerChallenge, ChallengeCounter } from '../lib/auth-answer.js';
import { readHostLink, writeHostLink, type HostLink } from '../lib/connection-state.js';
import { browserOnlySnapshotItem } from '../lib/device-state.js';
import { HostConnection, type NativePort } from '../lib/host-connection.js';
import { DEFAULT_PORTAL_URL, lastPortalUrlItem, type ManagedState } from '../lib/managed.js';
import { PageMessage, type PageReply } from '../lib/messages.js';
import { deviceOf, modeOf, protectionView, type Mode } from '../lib/popup-view.js';
import { appliedProxyItem, edgeCredentialsItem, proxyControlItem, type ProxySource } from '../lib/proxy-state.js';
import { applyBadge, badgeLook } from './badge.js';
import { BrowserOnlyDevice, BROWSER_ONLY_ALARMS, type BrowserOnlyAlarm } from './browser-only/device.js';
import { extensionBrowserOnlyStore } from './browser-only/storage.js';
import { BrowserProxy } from './browser-proxy.js';
import { captiveMemoryItem } from './captive-tab.js';
import { HostMode } from './host-mode.js';
import { readManaged } from './managed.js';
import { devicePlatform } from './platform.js';
import { browserScrypt } from './scrypt.js';

export default defineBackground(() => {
  const proxy = new BrowserProxy({
    api: {
      set: (details) => browser.proxy.settings.set(details),
      clear: (details) => browser.proxy.settings.clear(details),
      get: (details) => browser.proxy.settings.get(details),
    },
    applied: appliedProxyItem,
    control: proxyControlItem,
    credentials: edgeCredentialsItem,
  });
  const openTab = (url: string) => void browser.tabs.create({ url }).catch(() => undefined);
  const applyFrom = (source: ProxySource) => (settings: BrowserSettings) => proxy.apply(settings, source);

  /** Not managed until the first read says otherwise; `managedKnown` once it has. */
  let managed: ManagedState = { config: null, problems: [] };
  let managedKnown = false;
  const managedRead = readManaged().catch(() => managed);

  const device = new BrowserOnlyDevice({
    store: extensionBrowserOnlyStore(),
    portal: (url) => new PortalClient(url),
    platform: async () => devicePlatform(await browser.runtime.getPlatformInfo(), navigator.userAgent.match(/Chrome\/([\d.]+)/)?.[1] ?? ''),
    appVersion: browser.runtime.getManifest().version,
    alarms: {
      at: (name, when) => void browser.alarms.create(name, { when: Math.max(when, Date.now() + 1000) }),
      clear: (name) => void browser.alarms.clear(name),
    },
    openTab,
    apply: applyFrom('browser-only'),
    allowSignOut: async () => {
      await managedRead;
      return allowsSignOut(managed.config);
    },
    scrypt: browserScrypt,
    now: () => Date.now(),
    sleep: abortableSleep,
  });

  let connection: HostConnection | null = null;
  const host = new HostMode({ rpc: () => connection?.rpc ?? null, apply: applyFrom('app'), openTab, captiveMemory: captiveMemoryItem });

  /** The mode of the live link; `unknown` until the first attempt to reach the app settles. */
  let mode: Mode = 'unknown';
  let settle: (mode: Mode) => void = () => undefined;
  const settled = new Promise<Mode>((resolve) => (settle = resolve));

  /** The latest link, so a late managed-storage read can still act on the service's last status. */
  let lastLink: HostLink | null = null;

  function onHostStatus(): void {
    if (lastLink?.state === 'connected' && lastLink.service?.state === 'up') host.onStatus(lastLink.service.status, managed.config);
  }

  /** The mode once the first attempt to reach the app settles (it takes milliseconds); `unknown` after 3 s. */
  function settledMode(): Promise<Mode> {
    if (mode !== 'unknown') return Promise.resolve(mode);
    return Promise.race([settled, new Promise<Mode>((resolve) => setTimeout(() => resolve(mode), 3000))]);
  }

  function onLink(link: HostLink): void {
    lastLink = link;
    void writeHostLink(link);
    const next = modeOf(link);
    if (next !== 'unknown' && next !== mode) {
      if (mode === 'browser-only') device.deactivate();
      mode = next;
      settle(next);
      if (next === 'browser-only') void startBrowserOnly();
    } else if (link.state === 'disconnected' && mode === 'unknown') {
      // The app is installed but failing: browser-only mode would fight it once it is back.
      mode = 'app';
      settle('app');
    }
    onHostStatus();
    void refreshBadge();
  }

  async function startBrowserOnly(): Promise<void> {
    await device.resume().catch(() => undefined);
    // Before the managed read lands, onManaged does this instead.
    if (managedKnown) await zeroTouchBrowserOnly();
  }

  /** Managed enrollment in browser-only mode; does nothing once enrolled or without a managed token. */
  async function zeroTouchBrowserOnly(): Promise<void> {
    const { config } = managed;
    if (mode === 'browser-only' && config?.enrollmentToken && config.userEmail) {
      await device.enrollWithToken({ portalUrl: config.portalUrl, enrollmentToken: config.enrollmentToken, userEmail: config.userEmail }).catch(() => undefined);
    }
  }

  /** The first managed read after launch is slow: act on it when it lands, whichever mode settled first. */
  function onManaged(state: ManagedState): void {
    managed = state;
    managedKnown = true;
    onHostStatus();
    void zeroTouchBrowserOnly();
  }
  void managedRead.then(onManaged);

  async function refreshBadge(): Promise<void> {
    const [link, browserOnly, control] = await Promise.all([readHostLink(), browserOnlySnapshotItem.get(), proxyControlItem.get()]);
    const view = protectionView(deviceOf({ link, browserOnly, control, managed, lastPortalUrl: null }), control);
    await applyBadge(badgeLook(link, view)).catch(() => undefined);
  }

  /* ── Listeners, all registered before anything is awaited. ── */

  const challenges = new ChallengeCounter(() => Date.now());
  browser.webRequest.onAuthRequired.addListener(
    (details, respond) => {
      const attempt = challenges.next(details.requestId);
      void answerChallenge(
        { isProxy: details.isProxy, host: details.challenger.host, port: details.challenger.port, attempt },
        {
          authHosts: () => proxy.authHosts(),
          held: () => edgeCredentialsItem.get(),
          // A 407 may be what woke the worker: let the link settle before choosing who issues tokens.
          refresh: async () => ((await settledMode()) === 'browser-only' ? await device.credentials(true) : await host.refresh()),
        },
      ).then((answer) => respond?.(answer));
      return undefined;
    },
    { urls: ['<all_urls>'] },
    ['asyncBlocking'],
  );

  browser.proxy.settings.onChange.addListener(() => void proxy.onChange().catch(() => undefined));

  browser.alarms.onAlarm.addListener((alarm) => {
    const name = BROWSER_ONLY_ALARMS.find((known): known is BrowserOnlyAlarm => known === alarm.name);
    if (name === undefined) return;
    void settled.then((current) => (current === 'browser-only' ? device.onAlarm(name) : undefined)).catch(() => undefined);
  });

  browser.storage.onChanged.addListener((changes, area) => {
    if (area === 'managed') void readManaged().then(onManaged);
    if (area === 'local' && ('hostLink' in changes || 'browserOnlySnapshot' in changes || 'proxyControl' in changes)) void refreshBadge();
  });

  browser.runtime.onMessage.addListener((message: unknown, _sender, sendResponse: (reply: PageReply) => void) => {
    const parsed = PageMessage.safeParse(message);
    if (!parsed.success) return false;
    handle(parsed.data).then(
      (reply) => sendResponse(reply),
      (err: unknown) => sendResponse({ ok: false, error: wireOf(err) }),
    );
    return true;
  });

  async function handle(message: PageMessage): Promise<PageReply> {
    const done: PageReply = { ok: true };
    if (message.type === 'retry-now') {
      connection?.retryNow();
      return done;
    }
    const current = await settledMode();
    if (current === 'unknown') throw new WaygateError('DISCONNECTED', 'Waygate is still starting; try again in a moment.');
    await managedRead;
    const { config } = managed;
    const unlock: Unlock = { ...(message.type === 'sign-out' || message.type === 'turn-off' ? unlockOf(message) : {}) };
    switch (message.type) {
      case 'sign-in': {
        const typed = message.portalUrl?.trim() || null;
        if (typed !== null) await lastPortalUrlItem.set(typed);
        // The administrator's address wins when locked; what the user typed next; then the managed one.
        const chosen = config?.lockPortalUrl ? config.portalUrl : (typed ?? config?.portalUrl ?? null);
        // The app falls back to the portal it was installed with; browser-only mode has only its own memory.
        if (current === 'app') await host.login(chosen ?? undefined);
        else await device.startLogin(chosen ?? (await lastPortalUrlItem.get()) ?? DEFAULT_PORTAL_URL);
        return done;
      }
      case 'cancel-sign-in':
        if (current === 'browser-only') await device.cancelLogin();
        return done;
      case 'sign-out':
        if (!allowsSignOut(config)) throw new WaygateError('PERMISSION_DENIED', 'Your organisation does not allow signing out of this browser.');
        if (current === 'app') await host.requireRpc().call('logout', unlock);
        else await device.signOut(unlock);
        return done;
      case 'turn-off':
        if (current === 'app') await host.requireRpc().call('disable', unlock);
        else await device.disable(unlock);
        return done;
      case 'turn-on':
        if (current === 'app') await host.requireRpc().call('enable', {});
        else await device.enable();
        return done;
      case 'sync':
        if (current === 'app') await host.requireRpc().call('sync', {});
        else await device.sync();
        return done;
      case 'explain':
        if (current !== 'app') throw new WaygateError('UNKNOWN_METHOD', 'Explanations need the Waygate app on this device.');
        return { ok: true, explanation: await host.requireRpc().call('explain', { url: message.url }) };
    }
  }

  connection = new HostConnection({
    connectNative: (name): NativePort => browser.runtime.connectNative(name),
    lastError: () => browser.runtime.lastError?.message,
    now: () => Date.now(),
    onLink,
  });
  connection.start();
});

function unlockOf(message: { password?: string; code?: string }): Unlock {
  return {
    ...(message.password ? { password: message.password } : {}),
    ...(message.code?.trim() ? { code: message.code.trim() } : {}),
  };
}

function wireOf(err: unknown): WireError {
  if (err instanceof WaygateError) return err.toWire();
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}
