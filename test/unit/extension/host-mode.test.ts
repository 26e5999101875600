import { describe, expect, it, vi } from 'vitest';
import { NO_DETECTION } from '../../../extension/background/captive-tab.js';
import { HostMode, settingsKey } from '../../../extension/background/host-mode.js';
import { NativeRpc } from '../../../extension/lib/native-rpc.js';
import type { BrowserSettings } from '../../../protocol/localapi.js';
import { FakeNativePort } from '../../fakes/native-port.js';
import { memoryItem } from './memory-item.js';
import { PROTECTED_STATUS, STATUS } from './status-fixture.js';

const SETTINGS: BrowserSettings = {
  proxy: { mode: 'pac', pacScript: 'function FindProxyForURL(){return "DIRECT"}', digest: 'abc', authHosts: ['edge.example.test:8443'] },
  credentials: { username: 'dev_1', token: 't1', expiresAt: '2024-01-01T01:00:00.000Z' },
};

interface Posted {
  id: string;
  method: string;
  params?: unknown;
}

function setup(captiveMemory = memoryItem(NO_DETECTION)) {
  const port = new FakeNativePort();
  const rpc = new NativeRpc(port, () => undefined);
  port.onMessage.addListener((message) => rpc.receive(message));
  const applied: BrowserSettings[] = [];
  const tabs: string[] = [];
  let current: NativeRpc | null = rpc;
  const host = new HostMode({
    rpc: () => current,
    apply: (settings) => {
      applied.push(settings);
      return Promise.resolve();
    },
    openTab: (url) => void tabs.push(url),
    captiveMemory,
  });
  const posted = () => port.posted as Posted[];
  /** Answers every unanswered request for `method` with `result`. */
  const answer = (method: string, result: unknown) => {
    for (const request of posted().filter((p) => p.method === method)) port.deliver({ v: 1, id: request.id, result });
  };
  return { port, rpc, host, applied, tabs, posted, answer, replace: (next: NativeRpc | null) => (current = next) };
}

describe('app mode: browser settings', () => {
  it('keys the settings on the PAC digest and the token expiry', () => {
    expect(settingsKey(PROTECTED_STATUS)).toBe('pac:abc|2024-01-01T01:00:00.000Z');
    expect(settingsKey(STATUS)).toBe('release|');
  });

  it('fetches and applies browser-settings on the first status, then only when the digest or token expiry changes', async () => {
    const { host, applied, posted, answer } = setup();
    host.onStatus(PROTECTED_STATUS, null);
    await vi.waitFor(() => expect(posted().filter((p) => p.method === 'browser-settings')).toHaveLength(1));
    answer('browser-settings', SETTINGS);
    await vi.waitFor(() => expect(applied).toEqual([SETTINGS]));

    host.onStatus({ ...PROTECTED_STATUS, revision: 9 }, null);
    expect(posted().filter((p) => p.method === 'browser-settings')).toHaveLength(1);

    host.onStatus({ ...PROTECTED_STATUS, edgeTokenExpiresAt: '2024-01-01T02:00:00.000Z' }, null);
    await vi.waitFor(() => expect(posted().filter((p) => p.method === 'browser-settings')).toHaveLength(2));
    answer('browser-settings', SETTINGS);
    host.onStatus({ ...PROTECTED_STATUS, browserProxy: { mode: 'release' } }, null);
    await vi.waitFor(() => expect(posted().filter((p) => p.method === 'browser-settings')).toHaveLength(3));
  });

  it('fetches again on a new connection even when nothing changed', async () => {
    const { host, rpc, replace } = setup();
    host.onStatus(PROTECTED_STATUS, null);
    // The first connection's call stays unanswered: the port went away, and its calls with it.
    rpc.close('DISCONNECTED', 'Native host has exited.');
    const port2 = new FakeNativePort();
    replace(new NativeRpc(port2, () => undefined));
    host.onStatus(PROTECTED_STATUS, null);
    await vi.waitFor(() => expect((port2.posted as Posted[]).filter((p) => p.method === 'browser-settings')).toHaveLength(1));
  });

  it('refreshes the credentials for a refused proxy token', async () => {
    const { host, answer, posted } = setup();
    const refreshed = host.refresh();
    await vi.waitFor(() => expect(posted()).toHaveLength(1));
    answer('browser-settings', SETTINGS);
    await expect(refreshed).resolves.toEqual(SETTINGS.credentials);
  });
});

describe('app mode: sign-in', () => {
  it('asks the service to log in and opens the verification page itself', async () => {
    const { host, tabs, posted, answer } = setup();
    const login = { state: 'waiting' as const, userCode: 'ABCD', verificationUri: 'https://p/device', verificationUriComplete: 'https://p/device?user_code=ABCD', expiresAt: '2030-01-01T00:00:00Z' };
    const started = host.login('https://p');
    expect(posted()[0]).toMatchObject({ method: 'login', params: { portalUrl: 'https://p' } });
    answer('login', { ...STATUS, login });
    await started;
    expect(tabs).toEqual(['https://p/device?user_code=ABCD']);
  });

  it('enrolls zero-touch once per connection when managed storage carries a token', () => {
    const { host, posted } = setup();
    const managed = { portalUrl: 'https://corp.example', enrollmentToken: 'wge_x', userEmail: 'uma@example.test' };
    host.onStatus(STATUS, managed);
    host.onStatus({ ...STATUS, revision: 4 }, managed);
    expect(posted().filter((p) => p.method === 'login')).toEqual([
      expect.objectContaining({ params: { portalUrl: 'https://corp.example', enrollmentToken: 'wge_x', userEmail: 'uma@example.test' } }),
    ]);
  });

  it('does not enroll zero-touch when already signed in', () => {
    const { host, posted } = setup();
    host.onStatus(PROTECTED_STATUS, { portalUrl: 'https://corp.example', enrollmentToken: 'wge_x', userEmail: 'uma@example.test' });
    expect(posted().filter((p) => p.method === 'login')).toEqual([]);
  });

  it('says the app is not connected when there is no live connection', () => {
    const { host, replace } = setup();
    replace(null);
    expect(() => host.requireRpc()).toThrow(expect.objectContaining({ code: 'DISCONNECTED' }));
  });
});

describe('app mode: captive portal', () => {
  const paused = {
    ...PROTECTED_STATUS,
    protection: { ...PROTECTED_STATUS.protection, state: 'paused' as const, reason: 'Captive portal: forwarding is paused.' },
    captivePortal: { state: 'detected' as const, loginUrl: 'http://hotel.example/login', resumesAt: '2030-01-01T12:05:00.000Z', detail: '' },
  };

  it('opens the portal sign-in page when one is detected, once, also across a worker restart', async () => {
    const memory = memoryItem(NO_DETECTION);
    const first = setup(memory);
    first.host.onStatus(PROTECTED_STATUS, null);
    first.host.onStatus(paused, null);
    first.host.onStatus({ ...paused, revision: 9 }, null);
    await vi.waitFor(() => expect(first.tabs).toEqual(['http://hotel.example/login']));
    // The worker restarts: a new HostMode over the same storage sees the same detection.
    const second = setup(memory);
    second.host.onStatus(paused, null);
    await vi.waitFor(() => expect(memory.writes).toBe(1));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(second.tabs).toEqual([]);
  });
});
