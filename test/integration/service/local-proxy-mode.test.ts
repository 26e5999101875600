/**
 * The `local-proxy` action with a real portal, edge and service: the browser's PAC and the desktop
 * proxy (GNOME, in the test's own settings) point at the service's proxy on 127.0.0.1, which runs
 * the profile's PAC and forwards to the edge with the device's token — so a client that sends no
 * credentials gets through (HTTP and HTTPS via CONNECT) and the edge's log names the device.
 * `explain` gives the proxy's own answer. After SIGKILL the next start gives the user's settings
 * back and applies its own again.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BrowserSettings, Explanation, Status } from '../../../protocol/localapi.js';
import { curl } from '../../support/curl.js';
import { readStatus, loginWithApproval, runCli, startDeviceService, type DeviceService } from '../../support/device-service.js';
import { ORIGIN_BODY, startProtectedSystem, type ProtectedSystem } from '../../support/protected-system.js';
import { gnomeProxySetting, gsettingsBlocker } from '../../support/gnome-proxy.js';
import { startTlsOrigin, type TlsOrigin } from '../../support/tls-origin.js';
import { stopProcess, tempDir, waitForLog } from '../../support/waygate-process.js';

const gsettingsMissing = gsettingsBlocker();

let tmp: { dir: string; cleanup(): Promise<void> };
let system: ProtectedSystem;
let service: DeviceService;
let tls: TlsOrigin;
let tlsPort: number;
let cacert: string;

const status = (): Promise<Status> => readStatus(service);

function gnomeProxy(key: string): string {
  return gnomeProxySetting(service.env, key);
}

async function localProxyPort(): Promise<number> {
  const r = await curl(['--unix-socket', service.socket, 'http://localapi/localapi/v1/browser-settings']);
  const settings = BrowserSettings.parse(JSON.parse(r.stdout));
  const port = settings.proxy.mode === 'pac' ? /PROXY 127\.0\.0\.1:(\d+)/.exec(settings.proxy.pacScript)?.[1] : undefined;
  if (port === undefined) throw new Error(`the browser PAC does not name the local proxy: ${JSON.stringify(settings.proxy)}`);
  return Number(port);
}

beforeAll(async () => {
  tmp = await tempDir('local-proxy-mode');
  tls = await startTlsOrigin(tmp.dir, 'hello over https');
  tlsPort = tls.port;
  cacert = tls.certPath;

  system = await startProtectedSystem({ dir: join(tmp.dir, 'system') });
  await system.updatePolicy((doc) => ({
    ...doc,
    forwardingProfiles: doc.forwardingProfiles.map((profile) => ({ ...profile, actions: { ...profile.actions, 'off-trusted': { internet: 'local-proxy', privateAccess: 'none' } } })),
    access: {
      ...doc.access,
      rules: [...doc.access.rules, { id: 'tls-origin', action: 'allow', users: [], groups: [], domains: [], cidrs: ['127.0.0.1/32'], ports: [{ from: tlsPort, to: tlsPort }] }],
    },
  }));
  service = await startDeviceService({ dir: join(tmp.dir, 'device'), portalUrl: system.portal.url, args: ['--system-proxy', 'on'] });
  const login = await loginWithApproval(service, system.portal.url, { email: 'user@example.test', password: system.portal.user.password });
  expect(login.code, login.stderr).toBe(0);
  await vi.waitFor(async () => expect((await status()).protection.state).toBe('protected'), { timeout: 10_000 });
});

afterAll(async () => {
  if (service) await stopProcess(service.proc);
  await system?.close();
  tls?.close();
  await tmp?.cleanup();
});

describe('local proxy mode', () => {
  it('gives the browser a PAC naming only the local proxy, with no edge to authenticate to', async () => {
    const current = await status();
    expect(current.protection.reason).toContain('local proxy on 127.0.0.1:');
    const r = await curl(['--unix-socket', service.socket, 'http://localapi/localapi/v1/browser-settings']);
    const settings = BrowserSettings.parse(JSON.parse(r.stdout));
    expect(settings.proxy).toMatchObject({ mode: 'pac', authHosts: [] });
  });

  it('carries HTTP and HTTPS (CONNECT) to the edge with the device token, for a client that sends none', async () => {
    const port = await localProxyPort();
    const plain = await curl(['-sS', '-i', '-x', `http://127.0.0.1:${port}`, `http://origin.test:${system.originPort}/through-local-proxy`]);
    expect(plain.stdout).toContain(ORIGIN_BODY);
    expect(plain.stdout).not.toMatch(/407|Proxy-Authenticate/i);
    const secure = await curl(['-sS', '-x', `http://127.0.0.1:${port}`, '--cacert', cacert, `https://origin.test:${tlsPort}/secure`]);
    expect(secure.stdout).toBe('hello over https');

    const deviceId = (await status()).account?.deviceId;
    await expect
      .poll(async () => (await system.edge.accessLog()).filter((entry) => entry.host === 'origin.test').map((entry) => entry.device), { timeout: 5_000 })
      .toEqual([deviceId, deviceId]);
  });

  it('explains a URL with the local proxy’s own decision', async () => {
    const result = await runCli(service, ['explain', `http://origin.test:${system.originPort}/`, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const answer = Explanation.parse(JSON.parse(result.stdout));
    expect(answer).toMatchObject({ action: 'local-proxy', route: { kind: 'edge', edgeId: 'test-edge' } });
    expect(answer.reasons.join('\n')).toContain('The local proxy on 127.0.0.1:');
  });

  it.skipIf(gsettingsMissing !== null)('points the GNOME proxy at a PAC that sends everything to the local proxy', async () => {
    await expect.poll(async () => (await status()).systemProxy.state, { timeout: 5_000 }).toBe('applied');
    const url = gnomeProxy('autoconfig-url').replace(/^'|'$/g, '');
    expect(await (await fetch(url)).text()).toContain(`PROXY 127.0.0.1:${await localProxyPort()}`);
  });

  it.skipIf(gsettingsMissing !== null)('after SIGKILL, the next start gives the user’s settings back, then applies its own again', async () => {
    const before = gnomeProxy('autoconfig-url');
    await stopProcess(service.proc, 'SIGKILL');
    expect(gnomeProxy('autoconfig-url')).toBe(before);
    service = await startDeviceService({ dir: join(tmp.dir, 'device'), portalUrl: system.portal.url, args: ['--system-proxy', 'on'] });
    await waitForLog(service.proc, 'restored the system proxy a previous run left applied');
    await expect.poll(async () => (await status()).systemProxy.state, { timeout: 5_000 }).toBe('applied');
    const after = gnomeProxy('autoconfig-url').replace(/^'|'$/g, '');
    expect(await (await fetch(after)).text()).toContain(`PROXY 127.0.0.1:${await localProxyPort()}`);

    await stopProcess(service.proc);
    expect(gnomeProxy('mode')).not.toBe("'auto'");
  });
});
