/**
 * The one writer of the browser's proxy setting (regular profile only) and of the credentials the
 * proxy-auth listener answers with. Both modes hand it `BrowserSettings`; it applies them, then
 * reads `levelOfControl` back, because another extension or an enterprise policy may hold the
 * setting — in which case protection in this browser is off and the popup says so. When the
 * setting becomes ours to take again, `onChange` takes it back.
 */
import type { BrowserSettings } from '../../protocol/localapi.js';
import { controlVerdict, LevelOfControl } from '../lib/proxy-control.js';
import type { AppliedProxy, EdgeCredentials, ProxyControl, ProxySource } from '../lib/proxy-state.js';
import type { StoredItem } from '../lib/stored.js';

/** The part of `chrome.proxy.settings` used here (a fake in tests). */
export interface ProxySettingsApi {
  set(details: { value: { mode: 'pac_script'; pacScript: { data: string; mandatory: boolean } }; scope: 'regular' }): Promise<void>;
  clear(details: { scope: 'regular' }): Promise<void>;
  get(details: Record<string, never>): Promise<{ levelOfControl: string }>;
}

export interface BrowserProxyDeps {
  api: ProxySettingsApi;
  applied: StoredItem<AppliedProxy | null>;
  control: StoredItem<ProxyControl>;
  credentials: StoredItem<EdgeCredentials | null>;
}

export class BrowserProxy {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: BrowserProxyDeps) {}

  /** One change at a time: a take-back must not interleave with a new setting or a release. */
  apply(settings: BrowserSettings, source: ProxySource): Promise<void> {
    return this.serial(() => this.applyNow(settings, source));
  }

  /** The browser says the setting changed (`proxy.settings.onChange`): record who holds it; take it back if we can. */
  onChange(): Promise<void> {
    return this.serial(() => this.onChangeNow());
  }

  private serial(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyNow(settings: BrowserSettings, source: ProxySource): Promise<void> {
    const { deps } = this;
    await deps.credentials.set(settings.credentials);
    const wanted: AppliedProxy = settings.proxy.mode === 'pac' ? { ...settings.proxy, source } : { mode: 'release', source };
    const previous = await deps.applied.get();
    const unchanged = previous !== null && previous.mode === 'pac' && wanted.mode === 'pac' && previous.pacScript === wanted.pacScript;
    // Recorded before the browser is told, so the onChange our own change fires sees what we now want
    // (and does not "take back" a setting we just released).
    await deps.applied.set(wanted);
    let error: string | null = null;
    try {
      if (wanted.mode === 'release') await deps.api.clear({ scope: 'regular' });
      else if (!unchanged || (await this.level()) !== 'controlled_by_this_extension') await this.set(wanted.pacScript);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    await this.check(error);
  }

  private async onChangeNow(): Promise<void> {
    const applied = await this.deps.applied.get();
    const level = await this.level();
    if (level !== null && controlVerdict(applied?.mode ?? null, level).reapply && applied?.mode === 'pac') {
      try {
        await this.set(applied.pacScript);
      } catch (err) {
        return this.check(err instanceof Error ? err.message : String(err));
      }
    }
    await this.check(null);
  }

  /** The edges whose 407 we answer: those of the PAC in force, none when the setting is released. */
  async authHosts(): Promise<readonly string[]> {
    const applied = await this.deps.applied.get();
    return applied?.mode === 'pac' ? applied.authHosts : [];
  }

  private set(pacScript: string): Promise<void> {
    return this.deps.api.set({ value: { mode: 'pac_script', pacScript: { data: pacScript, mandatory: true } }, scope: 'regular' });
  }

  private async level(): Promise<LevelOfControl | null> {
    const parsed = LevelOfControl.safeParse((await this.deps.api.get({})).levelOfControl);
    return parsed.success ? parsed.data : null;
  }

  private async check(error: string | null): Promise<void> {
    const applied = await this.deps.applied.get();
    const wanted = applied?.mode ?? null;
    const level = await this.level();
    const overridden = level === null ? null : controlVerdict(wanted, level).overridden;
    await this.deps.control.set({ wanted, level, overridden, error });
  }
}
