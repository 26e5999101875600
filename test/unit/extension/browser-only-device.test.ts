import { scrypt as nodeScrypt, randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BrowserOnlyDevice, type BrowserOnlyAlarm, type BrowserOnlyDeps } from '../../../extension/background/browser-only/device.js';
import { NEVER_SYNCED, type BrowserOnlyStore, type Slot } from '../../../extension/background/browser-only/state.js';
import { PortalClient } from '../../../core/portal-client.js';
import { refreshAtMs } from '../../../core/token-schedule.js';
import type { Scrypt } from '../../../core/password.js';
import type { BrowserSettings } from '../../../protocol/localapi.js';
import { ENROLLMENT_TOKEN_GRANT } from '../../../protocol/portal.js';
import { effectiveConfig, FakePortal, newSigner, PORTAL_URL, type Signer } from './fake-portal.js';

const START = 1_700_000_000_000;

function slot<T>(initial: T): Slot<T> & { value: T } {
  const s = {
    value: initial,
    get: () => Promise.resolve(s.value),
    set: (value: T) => {
      s.value = value;
      return Promise.resolve();
    },
  };
  return s;
}

function memoryStore() {
  return {
    enrollment: slot<Awaited<ReturnType<BrowserOnlyStore['enrollment']['get']>>>(null),
    config: slot<Awaited<ReturnType<BrowserOnlyStore['config']['get']>>>(null),
    sync: slot(NEVER_SYNCED),
    login: slot<Awaited<ReturnType<BrowserOnlyStore['login']['get']>>>(null),
    token: slot<Awaited<ReturnType<BrowserOnlyStore['token']['get']>>>(null),
    disabledUntil: slot<number | null>(null),
    snapshot: slot<Awaited<ReturnType<BrowserOnlyStore['snapshot']['get']>>>(null),
  };
}

const nodeScryptAsync: Scrypt = (password, salt, { N, r, p, dkLen }) =>
  new Promise((resolve, reject) => nodeScrypt(password, salt, dkLen, { N, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))));

async function passwordHash(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await nodeScryptAsync(new TextEncoder().encode(password), salt, { N: 16384, r: 8, p: 1, dkLen: 32 });
  return `scrypt$16384$8$1$${salt.toString('base64')}$${Buffer.from(key).toString('base64')}`;
}

let signer: Signer;
let portal: FakePortal;
let store: ReturnType<typeof memoryStore>;
let clock: { now: number };
let applied: BrowserSettings[];
let alarms: Map<BrowserOnlyAlarm, number>;
let tabs: string[];
let allowSignOut: boolean;

function device(overrides: Partial<BrowserOnlyDeps> = {}) {
  return new BrowserOnlyDevice({
    store,
    portal: (url) => new PortalClient(url, portal.fetch),
    platform: () => Promise.resolve({ os: 'chromeos', osVersion: '156', deviceName: 'Browser on ChromeOS (x86-64)' }),
    appVersion: '0.1.0',
    alarms: { at: (name, when) => void alarms.set(name, when), clear: (name) => void alarms.delete(name) },
    openTab: (url) => void tabs.push(url),
    apply: (settings) => {
      applied.push(settings);
      return Promise.resolve();
    },
    allowSignOut: () => Promise.resolve(allowSignOut),
    scrypt: nodeScryptAsync,
    now: () => clock.now,
    sleep: () => new Promise((resolve) => setTimeout(resolve, 1)),
    ...overrides,
  });
}

const lastApplied = () => applied.at(-1);

async function enrolled(d = device()) {
  await d.enrollWithToken({ portalUrl: PORTAL_URL, enrollmentToken: 'good-token', userEmail: 'uma@example.test' });
  return d;
}

beforeEach(async () => {
  signer = await newSigner('k1');
  portal = new FakePortal(signer);
  portal.config = await signer.sign(effectiveConfig());
  store = memoryStore();
  clock = { now: START };
  applied = [];
  alarms = new Map();
  tabs = [];
  allowSignOut = true;
});

describe('browser-only mode: signing in', () => {
  it('starts the device flow, opens the verification page, and finishes enrolling when approved', async () => {
    const d = device();
    const waiting = await d.startLogin(PORTAL_URL);
    expect(tabs).toEqual([`${PORTAL_URL}/device?user_code=WXYZ-1234`]);
    expect(waiting.login).toMatchObject({ state: 'waiting', userCode: 'WXYZ-1234' });
    expect(waiting.protection.state).toBe('signed-out');
    expect(lastApplied()?.proxy).toEqual({ mode: 'release' });

    await vi.waitFor(() => expect(store.snapshot.value?.protection.state).toBe('protected'));
    const snapshot = store.snapshot.value!;
    expect(snapshot.account).toMatchObject({ deviceId: 'dev_1', deviceName: 'Browser on ChromeOS (x86-64)', user: { email: 'uma@example.test' }, org: { name: 'Example Org' } });
    expect(snapshot.login).toBeNull();
    expect(snapshot.network).toEqual({ type: 'off-trusted', evidence: ['browser-only mode cannot observe the network'], checks: [], changedAt: null });
    // Nothing measured, so no health is claimed; the reason says why this edge.
    expect(snapshot.edge).toMatchObject({ id: 'local', latencyMs: null, health: 'ok', reason: expect.stringContaining('browser-only mode cannot observe the network') });
    expect(snapshot.captivePortal).toEqual({ state: 'none', loginUrl: null, resumesAt: null, detail: '' });
    expect(store.enrollment.value?.credential).toBe('wgd.dev_1.secret');
    expect(store.enrollment.value?.portalKeys).toEqual([signer.jwk]);

    const settings = lastApplied()!;
    expect(settings.proxy).toMatchObject({ mode: 'pac', authHosts: ['127.0.0.1:8443'] });
    expect(settings.proxy.mode === 'pac' && settings.proxy.pacScript).toContain('PROXY 127.0.0.1:8443');
    expect(settings.credentials).toMatchObject({ username: 'dev_1', token: 'edge-token-1' });
  });

  it('reports a denied sign-in and stays signed out', async () => {
    portal.denied = true;
    await device().startLogin(PORTAL_URL);
    await vi.waitFor(() => expect(store.snapshot.value?.login).toMatchObject({ state: 'failed', error: { code: 'LOGIN_FAILED', details: { reason: 'access_denied' } } }));
    expect(store.enrollment.value).toBeNull();
  });

  it('cancels a sign-in that waits for approval, and stops polling', async () => {
    portal.approveAfterPolls = null;
    const d = device();
    await d.startLogin(PORTAL_URL);
    const cancelled = await d.cancelLogin();
    expect(cancelled.login).toBeNull();
    const polls = portal.requests.filter((r) => r.path.endsWith('/token')).length;
    portal.approveAfterPolls = 0;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(portal.requests.filter((r) => r.path.endsWith('/token')).length).toBeLessThanOrEqual(polls + 1);
    expect(store.enrollment.value).toBeNull();
  });

  it('resumes polling a sign-in after the worker restarts', async () => {
    portal.approveAfterPolls = null;
    const first = device();
    await first.startLogin(PORTAL_URL);
    first.deactivate();
    portal.approveAfterPolls = 0;
    await device().resume();
    await vi.waitFor(() => expect(store.snapshot.value?.protection.state).toBe('protected'));
  });

  it('refuses to start a second enrollment while signed in', async () => {
    const d = await enrolled();
    await expect(d.startLogin(PORTAL_URL)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('enrolls zero-touch with the managed enrollment token and user, without a tab', async () => {
    await enrolled();
    expect(store.snapshot.value?.protection.state).toBe('protected');
    expect(tabs).toEqual([]);
    const grant = new URLSearchParams(portal.requests.find((r) => r.path.endsWith('/token'))!.body);
    expect(Object.fromEntries(grant)).toMatchObject({
      grant_type: ENROLLMENT_TOKEN_GRANT,
      enrollment_token: 'good-token',
      user_email: 'uma@example.test',
      device_name: 'Browser on ChromeOS (x86-64)',
      os: 'chromeos',
    });
  });

  it('records a refused enrollment token as a failed sign-in', async () => {
    const snapshot = await device().enrollWithToken({ portalUrl: PORTAL_URL, enrollmentToken: 'revoked', userEmail: 'uma@example.test' });
    expect(snapshot.login).toMatchObject({ state: 'failed', error: { code: 'LOGIN_FAILED', details: { reason: 'invalid_grant' } } });
    expect(snapshot.account).toBeNull();
  });
});

describe('browser-only mode: config sync', () => {
  it('sends a heartbeat after syncing, with the browser platform', async () => {
    await enrolled();
    const beat = portal.requests.find((r) => r.path.endsWith('/heartbeat'));
    expect(JSON.parse(beat!.body)).toEqual({
      fingerprint: { os: 'chromeos', osVersion: '156', appVersion: '0.1.0', networkType: 'off-trusted', state: 'protected', edge: 'local' },
      policyVersion: 1,
    });
  });

  it('asks with the ETag and keeps the config on 304; schedules the next sync on the profile poll', async () => {
    const d = await enrolled();
    clock.now += 1000;
    await d.sync();
    const configs = portal.requests.filter((r) => r.path.endsWith('/config'));
    expect(configs.at(-1)?.headers['if-none-match']).toBe('"v1"');
    expect(store.sync.value).toMatchObject({ lastError: null, syncedAt: clock.now });
    expect(alarms.get('bo-sync')).toBe(clock.now + 900_000);
  });

  it('keeps the last good config when a new one has a bad signature', async () => {
    const d = await enrolled();
    const impostor = await newSigner('k1');
    portal.config = await impostor.sign(effectiveConfig({ policyVersion: 2 }));
    portal.etag = '"v2"';
    const snapshot = await d.sync();
    expect(snapshot.config).toMatchObject({ policyVersion: 1, lastError: { code: 'CONFIG_REJECTED' } });
    expect(snapshot.protection.state).toBe('protected');
    expect(store.config.value?.etag).toBe('"v1"');
    expect(alarms.get('bo-sync')).toBe(clock.now + 60_000);
  });

  it('refuses a config for another device', async () => {
    const d = await enrolled();
    portal.config = await signer.sign(effectiveConfig({ policyVersion: 2, deviceId: 'dev_other' }));
    portal.etag = '"v2"';
    expect((await d.sync()).config).toMatchObject({ policyVersion: 1, lastError: { code: 'CONFIG_REJECTED' } });
  });

  it('takes a newly signed config', async () => {
    const d = await enrolled();
    portal.config = await signer.sign(effectiveConfig({ policyVersion: 2 }, { configPollSeconds: 120 }));
    portal.etag = '"v2"';
    expect((await d.sync()).config).toMatchObject({ policyVersion: 2, lastError: null, source: 'portal' });
    expect(alarms.get('bo-sync')).toBe(clock.now + 120_000);
  });

  it('keeps protecting with the stored config while the portal is down', async () => {
    const d = await enrolled();
    portal.down = true;
    const snapshot = await d.sync();
    expect(snapshot.config).toMatchObject({ policyVersion: 1, source: 'disk', lastError: { code: 'PORTAL_UNREACHABLE' } });
    expect(snapshot.protection.state).toBe('protected');
    expect(lastApplied()?.proxy.mode).toBe('pac');
  });

  it('signs out by itself when the portal no longer knows the device (revoked or removed)', async () => {
    const d = await enrolled();
    portal.revoked = true;
    const snapshot = await d.sync();
    expect(snapshot.protection.state).toBe('signed-out');
    expect(snapshot.config.lastError).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(store.enrollment.value).toBeNull();
    expect(lastApplied()?.proxy.mode).toBe('release');
  });

  it('syncs again at once when a heartbeat reports a newer policy version', async () => {
    const d = await enrolled();
    portal.heartbeatVersion = 7;
    await d.sync();
    expect(alarms.get('bo-sync')).toBe(clock.now);
  });

  it('says NOT_ENROLLED when asked to sync before signing in', async () => {
    await expect(device().sync()).rejects.toMatchObject({ code: 'NOT_ENROLLED' });
  });
});

describe('browser-only mode: edge token', () => {
  it('schedules the refresh from core/token-schedule and refreshes when the alarm fires', async () => {
    portal.tokenExpiresAt = Math.floor(START / 1000) + 3600;
    const d = await enrolled();
    expect(alarms.get('bo-token')).toBe(refreshAtMs(START, portal.tokenExpiresAt * 1000));
    await d.onAlarm('bo-token');
    expect(lastApplied()?.credentials?.token).toBe('edge-token-2');
  });

  it('fetches a fresh token when the edge refused the held one', async () => {
    const d = await enrolled();
    expect((await d.credentials(false))?.token).toBe('edge-token-1');
    expect((await d.credentials(true))?.token).toBe('edge-token-2');
    expect(lastApplied()?.credentials?.token).toBe('edge-token-2');
  });

  it('has no credentials before signing in', async () => {
    await expect(device().credentials(true)).resolves.toBeNull();
  });
});

describe('browser-only mode: turning off and signing out', () => {
  it('turns off for the profile minutes, releases the proxy, and turns back on by the alarm', async () => {
    portal.config = await signer.sign(effectiveConfig({}, { disableMinutes: 15 }));
    const d = await enrolled();
    const off = await d.disable({ minutes: 120 });
    expect(off.protection).toMatchObject({ state: 'disabled', disabledUntil: new Date(START + 15 * 60_000).toISOString() });
    expect(lastApplied()?.proxy).toEqual({ mode: 'release' });
    expect(alarms.get('bo-enable')).toBe(START + 15 * 60_000);
    clock.now = START + 15 * 60_000;
    expect((await d.onAlarm('bo-enable')).protection.state).toBe('protected');
    expect(store.disabledUntil.value).toBeNull();
  });

  it('turns back on when asked', async () => {
    const d = await enrolled();
    await d.disable({});
    expect((await d.enable()).protection.state).toBe('protected');
    expect(alarms.has('bo-enable')).toBe(false);
  });

  it('requires the profile password to turn off, and says when it is wrong', async () => {
    portal.config = await signer.sign(effectiveConfig({}, { passwords: { logout: null, disable: await passwordHash('let me browse'), uninstall: null } }));
    const d = await enrolled();
    expect(store.snapshot.value?.protection.passwords).toEqual({ logout: false, disable: true });
    await expect(d.disable({})).rejects.toMatchObject({ code: 'PASSWORD_REQUIRED' });
    await expect(d.disable({ password: 'nope' })).rejects.toMatchObject({ code: 'PASSWORD_WRONG' });
    expect((await d.disable({ password: 'let me browse' })).protection.state).toBe('disabled');
  });

  it('accepts a one-time code from the portal instead of the password, once', async () => {
    portal.config = await signer.sign(effectiveConfig({}, { passwords: { logout: await passwordHash('secret'), disable: null, uninstall: null } }));
    portal.validCodes.add('123456');
    const d = await enrolled();
    await expect(d.signOut({ code: '000000' })).rejects.toMatchObject({ code: 'PASSWORD_WRONG' });
    const out = await d.signOut({ code: '123456' });
    expect(out.protection.state).toBe('signed-out');
  });

  it('signs out: forgets the credential, config and token, and gives the proxy setting back', async () => {
    const d = await enrolled();
    const out = await d.signOut({});
    expect(out.account).toBeNull();
    expect(store.enrollment.value).toBeNull();
    expect(store.config.value).toBeNull();
    expect(store.token.value).toBeNull();
    expect(lastApplied()).toEqual({ proxy: { mode: 'release' }, credentials: null });
    expect([...alarms.keys()]).toEqual([]);
  });

  it('refuses to sign out when the administrator does not allow it', async () => {
    allowSignOut = false;
    const d = await enrolled();
    await expect(d.signOut({})).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(store.enrollment.value).not.toBeNull();
  });
});

describe('browser-only mode: waking up', () => {
  it('syncs on wake when the sync is overdue, and re-arms the alarm otherwise', async () => {
    await enrolled();
    const syncs = () => portal.requests.filter((r) => r.path.endsWith('/config')).length;
    const before = syncs();
    await device().resume();
    expect(syncs()).toBe(before);
    expect(alarms.get('bo-sync')).toBe(START + 900_000);
    clock.now = START + 900_001;
    await device().resume();
    expect(syncs()).toBe(before + 1);
  });
});
