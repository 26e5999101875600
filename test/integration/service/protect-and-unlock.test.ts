/**
 * A signed-in service against a real portal and edge: the edge token it hands the browser gets a
 * request through the edge (the access log names the device and user); the desktop proxy (GNOME,
 * in the test's own settings) points at the PAC the service serves and is given back on disable and
 * logout; disable and logout need the profile's passwords.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BrowserSettings, Status } from '../../../protocol/localapi.js';
import { curl } from '../../support/curl.js';
import { readStatus, loginWithApproval, runCli, startDeviceService, type DeviceService } from '../../support/device-service.js';
import { ORIGIN_BODY, startProtectedSystem, type ProtectedSystem } from '../../support/protected-system.js';
import { gnomeProxySetting, gsettingsBlocker } from '../../support/gnome-proxy.js';
import { stopProcess, tempDir, waitForLog } from '../../support/waygate-process.js';
import { hashPassword } from '../../../cloud/portal/crypto/passwords.js';

const gsettingsMissing = gsettingsBlocker();

let tmp: { dir: string; cleanup(): Promise<void> };
let system: ProtectedSystem;
let service: DeviceService;

const status = (): Promise<Status> => readStatus(service);

function gnomeProxy(key: string): string {
  return gnomeProxySetting(service.env, key);
}

/** The LocalAPI's browser-settings, over the socket as curl would call it. */
async function browserSettings(): Promise<BrowserSettings> {
  const r = await curl(['--unix-socket', service.socket, 'http://localapi/localapi/v1/browser-settings']);
  return BrowserSettings.parse(JSON.parse(r.stdout));
}

beforeAll(async () => {
  tmp = await tempDir('service-protect');
  system = await startProtectedSystem({
    dir: join(tmp.dir, 'system'),
    appProfile: { passwords: { logout: await hashPassword('sign-out-pass'), disable: await hashPassword('turn-off-pass'), uninstall: null }, disableMinutes: 30 },
  });
  service = await startDeviceService({ dir: join(tmp.dir, 'device'), portalUrl: system.portal.url, args: ['--system-proxy', 'on'] });
  const login = await loginWithApproval(service, system.portal.url, { email: 'user@example.test', password: system.portal.user.password });
  expect(login.code, login.stderr).toBe(0);
  await vi.waitFor(async () => expect((await status()).protection.state).toBe('protected'), { timeout: 10_000 });
});

afterAll(async () => {
  if (service) await stopProcess(service.proc);
  await system?.close();
  await tmp?.cleanup();
});

describe('protected', () => {
  it('hands out an edge token that the edge accepts, and the edge logs this device and user', async () => {
    const settings = await browserSettings();
    expect(settings.proxy).toMatchObject({ mode: 'pac', authHosts: [system.edge.proxyUrl.replace('http://', '')] });
    expect(settings.proxy.mode === 'pac' && settings.proxy.pacScript).toContain(`PROXY ${system.edge.proxyUrl.replace('http://', '')}`);
    const credentials = settings.credentials!;
    const r = await curl(['-x', system.edge.proxyUrl, '--proxy-user', `${credentials.username}:${credentials.token}`, `http://origin.test:${system.originPort}/via-service`]);
    expect(r.stdout).toContain(ORIGIN_BODY);
    const deviceId = (await status()).account!.deviceId;
    await expect
      .poll(async () => (await system.edge.accessLog()).find((entry) => entry.host === 'origin.test' && entry.method === 'GET'), { timeout: 5_000 })
      .toMatchObject({ device: deviceId, user: 'user@example.test', host: 'origin.test' });
  });

  it.skipIf(gsettingsMissing !== null)('points the GNOME proxy at the PAC it serves', async () => {
    await expect.poll(async () => (await status()).systemProxy, { timeout: 5_000 }).toMatchObject({ state: 'applied' });
    expect(gnomeProxy('mode')).toBe("'auto'");
    const url = gnomeProxy('autoconfig-url').replace(/^'|'$/g, '');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/proxy\.pac$/);
    const pac = await (await fetch(url)).text();
    expect(pac).toContain(`PROXY ${system.edge.proxyUrl.replace('http://', '')}`);
    expect((await status()).systemProxy.state).toBe('applied');
  });
});

describe('after a crash', () => {
  it.skipIf(gsettingsMissing !== null)('restores the user’s proxy settings the dead service left applied, then applies its own again', async () => {
    const before = gnomeProxy('autoconfig-url');
    await stopProcess(service.proc, 'SIGKILL');
    // The dead service's PAC URL is still set: nobody serves it any more.
    expect(gnomeProxy('autoconfig-url')).toBe(before);
    service = await startDeviceService({ dir: join(tmp.dir, 'device'), portalUrl: system.portal.url, args: ['--system-proxy', 'on'] });
    await waitForLog(service.proc, 'restored the system proxy a previous run left applied');
    await expect.poll(async () => (await status()).systemProxy.state, { timeout: 5_000 }).toBe('applied');
    const after = gnomeProxy('autoconfig-url').replace(/^'|'$/g, '');
    expect(await (await fetch(after)).text()).toContain('FindProxyForURL');
  });
});

describe('turning protection off needs the disable password', () => {
  it('refuses without it and with a wrong one, and changes nothing', async () => {
    const none = await runCli(service, ['disable']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('requires a password to turn protection off');
    const wrong = await runCli(service, ['disable', '--password', 'guess']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('not the password');
    expect((await status()).protection.state).toBe('protected');
  });

  it('turns off with it, for the profile’s time at most, gives the user’s proxy back, and turns on again', async () => {
    const off = await runCli(service, ['disable', '--password', 'turn-off-pass', '--minutes', '120']);
    expect(off.code, off.stderr).toBe(0);
    const disabled = await status();
    expect(disabled).toMatchObject({ protection: { state: 'disabled', passwords: { disable: true, logout: true } }, browserProxy: { mode: 'release' } });
    const minutes = (Date.parse(disabled.protection.disabledUntil!) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(28);
    expect(minutes).toBeLessThanOrEqual(30);
    if (!gsettingsMissing) await expect.poll(() => gnomeProxy('mode'), { timeout: 5_000 }).toBe("'none'");

    expect((await runCli(service, ['enable'])).code).toBe(0);
    expect((await status()).protection.state).toBe('protected');
  });

  it('accepts a one-time code from the portal instead, once', async () => {
    const deviceId = (await status()).account!.deviceId;
    const issued = await system.admin.json<{ code: string }>('POST', `/api/v1/admin/devices/${deviceId}/one-time-codes`, { kind: 'disable' });
    expect(issued.status).toBe(200);
    const off = await runCli(service, ['disable', '--code', issued.body.code]);
    expect(off.code, off.stderr).toBe(0);
    expect((await status()).protection.state).toBe('disabled');
    expect((await runCli(service, ['enable'])).code).toBe(0);

    const reused = await runCli(service, ['disable', '--code', issued.body.code]);
    expect(reused.code).toBe(1);
    expect(reused.stderr).toContain('one-time code is not valid');
  });
});

describe('signing out needs the logout password', () => {
  it('refuses without it, then signs out with it and forgets the credential', async () => {
    const refused = await runCli(service, ['logout']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('requires a password to sign out');
    expect((await status()).account).not.toBeNull();

    const out = await runCli(service, ['logout', '--password', 'sign-out-pass']);
    expect(out.code, out.stderr).toBe(0);
    expect(await status()).toMatchObject({ account: null, protection: { state: 'signed-out' }, browserProxy: { mode: 'release' } });
    await expect(access(join(service.stateDir, 'enrollment.json'))).rejects.toThrow();
    if (!gsettingsMissing) await expect.poll(() => gnomeProxy('mode'), { timeout: 5_000 }).toBe("'none'");
  });
});
