import { describe, expect, it } from 'vitest';
import { BrowserProxy, type ProxySettingsApi } from '../../../extension/background/browser-proxy.js';
import { controlVerdict, type LevelOfControl } from '../../../extension/lib/proxy-control.js';
import { NO_CONTROL, type AppliedProxy, type EdgeCredentials, type ProxyControl } from '../../../extension/lib/proxy-state.js';
import type { StoredItem } from '../../../extension/lib/stored.js';
import type { BrowserSettings } from '../../../protocol/localapi.js';

describe('level of control', () => {
  it('is in force when this extension controls the setting', () => {
    expect(controlVerdict('pac', 'controlled_by_this_extension')).toEqual({ overridden: null, reapply: false });
  });

  it('records who overrides our PAC: another extension, or a policy', () => {
    expect(controlVerdict('pac', 'controlled_by_other_extensions')).toEqual({ overridden: 'controlled_by_other_extensions', reapply: false });
    expect(controlVerdict('pac', 'not_controllable')).toEqual({ overridden: 'not_controllable', reapply: false });
  });

  it('takes the setting back when it becomes ours to take', () => {
    expect(controlVerdict('pac', 'controllable_by_this_extension')).toEqual({ overridden: null, reapply: true });
  });

  it('never overrides or re-applies when we released the setting (or never applied one)', () => {
    for (const level of ['controlled_by_other_extensions', 'not_controllable', 'controllable_by_this_extension'] as LevelOfControl[]) {
      expect(controlVerdict('release', level)).toEqual({ overridden: null, reapply: false });
      expect(controlVerdict(null, level)).toEqual({ overridden: null, reapply: false });
    }
  });
});

function memoryItem<T>(initial: T): StoredItem<T> & { value: T } {
  const item = {
    value: initial,
    get: () => Promise.resolve(item.value),
    set: (value: T) => {
      item.value = value;
      return Promise.resolve();
    },
    watch: () => () => undefined,
  };
  return item;
}

/** Chromium's proxy setting as one extension sees it, with another extension able to take it. */
class FakeProxySettings implements ProxySettingsApi {
  ours: string | null = null;
  other = false;
  policy = false;
  sets = 0;
  onSet: () => void = () => undefined;
  set(details: Parameters<ProxySettingsApi['set']>[0]): Promise<void> {
    this.sets++;
    this.ours = details.value.pacScript.data;
    this.onSet();
    return Promise.resolve();
  }
  clear(): Promise<void> {
    this.ours = null;
    return Promise.resolve();
  }
  get(): Promise<{ levelOfControl: string }> {
    const level = this.policy ? 'not_controllable' : this.other ? 'controlled_by_other_extensions' : this.ours !== null ? 'controlled_by_this_extension' : 'controllable_by_this_extension';
    return Promise.resolve({ levelOfControl: level });
  }
}

const PAC: BrowserSettings = {
  proxy: { mode: 'pac', pacScript: 'function FindProxyForURL(){return "PROXY 127.0.0.1:8443"}', digest: 'd1', authHosts: ['127.0.0.1:8443'] },
  credentials: { username: 'dev', token: 'tok', expiresAt: '2030-01-01T00:00:00.000Z' },
};

function setup() {
  const api = new FakeProxySettings();
  const applied = memoryItem<AppliedProxy | null>(null);
  const control = memoryItem<ProxyControl>(NO_CONTROL);
  const credentials = memoryItem<EdgeCredentials | null>(null);
  return { api, applied, control, credentials, proxy: new BrowserProxy({ api, applied, control, credentials }) };
}

describe('browser proxy applier', () => {
  it('applies a mandatory PAC, keeps the credentials and answers for its edges', async () => {
    const { api, proxy, control, credentials } = setup();
    await proxy.apply(PAC, 'browser-only');
    expect(api.ours).toContain('PROXY 127.0.0.1:8443');
    expect(control.value).toEqual({ wanted: 'pac', level: 'controlled_by_this_extension', overridden: null, error: null });
    expect(credentials.value?.token).toBe('tok');
    expect(await proxy.authHosts()).toEqual(['127.0.0.1:8443']);
  });

  it('does not set the same PAC twice while it is in force', async () => {
    const { api, proxy } = setup();
    await proxy.apply(PAC, 'app');
    await proxy.apply(PAC, 'app');
    expect(api.sets).toBe(1);
  });

  it('releases the setting, answers for no edge, and does not take it back afterwards', async () => {
    const { api, proxy, control } = setup();
    await proxy.apply(PAC, 'app');
    await proxy.apply({ proxy: { mode: 'release' }, credentials: null }, 'app');
    await proxy.onChange();
    expect(api.ours).toBeNull();
    expect(await proxy.authHosts()).toEqual([]);
    expect(control.value.overridden).toBeNull();
  });

  it('records an override by another extension, and takes the setting back when it is free again', async () => {
    const { api, proxy, control } = setup();
    api.other = true;
    await proxy.apply(PAC, 'browser-only');
    expect(control.value).toMatchObject({ wanted: 'pac', level: 'controlled_by_other_extensions', overridden: 'controlled_by_other_extensions' });
    api.other = false;
    api.ours = null;
    await proxy.onChange();
    expect(api.ours).toContain('PROXY');
    expect(control.value).toMatchObject({ level: 'controlled_by_this_extension', overridden: null });
  });

  it('records a policy that fixes the setting', async () => {
    const { api, proxy, control } = setup();
    api.policy = true;
    await proxy.apply(PAC, 'app');
    expect(control.value.overridden).toBe('not_controllable');
  });

  it('records the browser error when setting fails', async () => {
    const { api, proxy, control } = setup();
    api.onSet = () => {
      throw new Error('Invalid PAC');
    };
    await proxy.apply(PAC, 'app');
    expect(control.value.error).toBe('Invalid PAC');
  });
});
