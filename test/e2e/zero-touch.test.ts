/**
 * Zero-touch enrollment from enterprise browser policy: a managed policy file under
 * /etc/chromium/policies/managed (written by `waygate install --policy`, removed after the test)
 * gives the extension the portal, an org enrollment token and the user; the extension enrolls
 * without anyone clicking — through the service when the app is installed, by itself when not —
 * and browsing goes through the edge. Needs root (the policy dir is root's); CI runs as root.
 */
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { HOST_BUNDLE } from '../../scripts/build-host.js';
import { screenshot } from '../support/browser.js';
import { browse, launchDeviceBrowser, waitForProtection, type DeviceBrowser } from '../support/device-browser.js';
import { runCli, startDeviceService, type DeviceService } from '../support/device-service.js';
import { createEnrollmentToken } from '../support/portal-device.js';
import { ORIGIN_BODY, startProtectedSystem, type ProtectedSystem } from '../support/protected-system.js';
import { stopProcess, tempDir } from '../support/waygate-process.js';

const browserMissing = inject('browserMissing');
const notRoot = process.getuid?.() === 0 ? null : 'writing /etc/chromium/policies/managed needs root';
if (notRoot && process.env.CI === 'true') throw new Error(`In CI: ${notRoot}`);
const POLICY_FILE = '/etc/chromium/policies/managed/waygate.json';

describe.skipIf(browserMissing !== null || notRoot !== null)('zero-touch enrollment from a managed browser policy', () => {
  let tmp: { dir: string; cleanup(): Promise<void> };
  let system: ProtectedSystem;
  let browser: DeviceBrowser | null = null;
  let service: DeviceService | null = null;

  beforeAll(async () => {
    tmp = await tempDir('e2e-zero-touch');
    system = await startProtectedSystem({ dir: join(tmp.dir, 'system') });
    const token = await createEnrollmentToken(system.portal);
    // The real installer writes the policy file, as an admin's configuration management would run it.
    // Without force-install: the extension under test is the unpacked build, which a force-install
    // entry for the same ID (pointing at the Web Store, unreachable here) would displace.
    const install = spawnSync(
      process.execPath,
      [HOST_BUNDLE, 'install', '--policy', '--browser', 'chromium', '--portal-url', system.portal.url, '--enrollment-token', token, '--user-email', 'user@example.test', '--no-force-install', '--policy-out', tmp.dir],
      { encoding: 'utf8' },
    );
    expect(install.status, install.stderr).toBe(0);
  });

  afterEach(async () => {
    await browser?.close();
    browser = null;
    if (service) await stopProcess(service.proc);
    service = null;
  });

  afterAll(async () => {
    const uninstall = spawnSync(process.execPath, [HOST_BUNDLE, 'uninstall', '--policy', '--browser', 'chromium'], { encoding: 'utf8' });
    await rm(POLICY_FILE, { force: true });
    await system?.close();
    await tmp?.cleanup();
    expect(uninstall.status, uninstall.stderr).toBe(0);
  });

  it('enrolls through the service with the managed token, with nobody clicking', async () => {
    service = await startDeviceService({ dir: join(tmp.dir, 'app'), portalUrl: 'http://127.0.0.1:9' });
    browser = await launchDeviceBrowser(join(tmp.dir, 'app'), service.socket);
    await waitForProtection(browser.popup, 'protected', 30_000);
    const status = JSON.parse((await runCli(service, ['status', '--json'])).stdout);
    expect(status).toMatchObject({ account: { user: { email: 'user@example.test' }, portalUrl: system.portal.url } });
    expect(await browse(browser.context, `http://origin.test:${system.originPort}/zero-touch-app`)).toMatchObject({ status: 200, text: expect.stringContaining(ORIGIN_BODY) });
    await screenshot(browser.popup, 'popup-zero-touch-app');
  });

  it('enrolls by itself in browser-only mode (no app installed)', async () => {
    browser = await launchDeviceBrowser(join(tmp.dir, 'browser-only'), null);
    await waitForProtection(browser.popup, 'protected', 30_000);
    expect(await browse(browser.context, `http://origin.test:${system.originPort}/zero-touch-browser`)).toMatchObject({ status: 200 });
    const devices = await system.portal.ctx.store.listDevices(system.portal.ctx.org.id);
    expect(devices.length).toBeGreaterThanOrEqual(2);
    await screenshot(browser.popup, 'popup-zero-touch-browser-only');
  });
});
