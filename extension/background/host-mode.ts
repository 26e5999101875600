/**
 * App mode: the Waygate service decides, the worker applies. Whenever the pushed status names a new
 * browser proxy (its digest) or a new edge token (its expiry), and once on every new connection,
 * the worker fetches `browser-settings` and hands them to the proxy applier. Sign-in from the popup
 * goes through the service's `login`, and the worker opens the verification page itself; when the
 * service finds a captive portal, the worker opens its sign-in page (once per detection, CaptiveTab).
 */
import { WaygateError } from '../../protocol/errors.js';
import type { BrowserSettings, Status } from '../../protocol/localapi.js';
import type { ManagedConfig } from '../../protocol/managed-config.js';
import type { NativeRpc } from '../lib/native-rpc.js';
import type { StoredItem } from '../lib/stored.js';
import { CaptiveTab, type CaptiveMemory } from './captive-tab.js';

/** What in a status means the browser settings changed: the PAC's digest and the token's expiry. */
export function settingsKey(status: Status): string {
  const proxy = status.browserProxy.mode === 'pac' ? `pac:${status.browserProxy.digest}` : 'release';
  return `${proxy}|${status.edgeTokenExpiresAt ?? ''}`;
}

export interface HostModeDeps {
  /** The RPC of the live connection, null while not connected. */
  rpc(): NativeRpc | null;
  apply(settings: BrowserSettings): Promise<void>;
  openTab(url: string): void;
  /** Which captive-portal detection already had its sign-in page opened (survives worker restarts). */
  captiveMemory: StoredItem<CaptiveMemory>;
}

export class HostMode {
  /** The key of the settings applied over the current connection; null right after (re)connecting. */
  private appliedKey: string | null = null;
  private connection: NativeRpc | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** Zero-touch is tried once per connection, so a refused token does not loop with every push. */
  private zeroTouchTried = false;

  private readonly captive: CaptiveTab;

  constructor(private readonly deps: HostModeDeps) {
    this.captive = new CaptiveTab(deps.captiveMemory, (url) => deps.openTab(url));
  }

  /** Every status the service pushes (and the first one after connecting). */
  onStatus(status: Status, managed: ManagedConfig | null): void {
    const rpc = this.deps.rpc();
    if (rpc === null) return;
    if (rpc !== this.connection) {
      this.connection = rpc;
      this.appliedKey = null;
      this.zeroTouchTried = false;
    }
    void this.captive.onStatus(status.captivePortal);
    const key = settingsKey(status);
    if (key !== this.appliedKey) {
      this.appliedKey = key;
      void this.serial(() => this.fetchAndApply(rpc)).catch(() => {
        // Keep what is applied; the next push (or the next 407) tries again.
        if (this.appliedKey === key) this.appliedKey = null;
      });
    }
    if (managed?.enrollmentToken && managed.userEmail && status.account === null && status.login === null && !this.zeroTouchTried) {
      this.zeroTouchTried = true;
      void rpc.call('login', { portalUrl: managed.portalUrl, enrollmentToken: managed.enrollmentToken, userEmail: managed.userEmail }).catch(() => undefined);
    }
  }

  /** Fresh settings for a refused proxy token; returns the credentials now in force. */
  async refresh(): Promise<BrowserSettings['credentials']> {
    const rpc = this.deps.rpc();
    if (rpc === null) return null;
    return this.serial(() => this.fetchAndApply(rpc));
  }

  async login(portalUrl: string | undefined): Promise<Status> {
    const status = await this.requireRpc().call('login', portalUrl ? { portalUrl } : {});
    if (status.login?.state === 'waiting') this.deps.openTab(status.login.verificationUriComplete);
    return status;
  }

  requireRpc(): NativeRpc {
    const rpc = this.deps.rpc();
    if (rpc === null) throw new WaygateError('DISCONNECTED', 'The Waygate app is not connected right now; try again in a moment.');
    return rpc;
  }

  private async fetchAndApply(rpc: NativeRpc): Promise<BrowserSettings['credentials']> {
    const settings = await rpc.call('browser-settings');
    await this.deps.apply(settings);
    return settings.credentials;
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
