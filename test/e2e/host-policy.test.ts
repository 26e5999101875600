/**
 * Host mode under an org policy that is strict: edge tokens that live 12 seconds, and passwords on
 * turning protection off and signing out. The browser keeps working across token refreshes without
 * a prompt, and the popup refuses the guarded actions until the password is given.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Status } from '../../protocol/localapi.js';
import { screenshot } from '../support/browser.js';
import { approveInOpenedTab, browseUntil, launchDeviceBrowser, waitForProtection, type DeviceBrowser } from '../support/device-browser.js';
import { readStatus, startDeviceService, type DeviceService } from '../support/device-service.js';
import { ORIGIN_BODY, startProtectedSystem, type ProtectedSystem } from '../support/protected-system.js';
import { stopProcess, tempDir } from '../support/waygate-process.js';
import { hashPassword } from '../../cloud/portal/crypto/passwords.js';

const browserMissing = inject('browserMissing');
const TOKEN_TTL_SECONDS = 12;

describe.skipIf(browserMissing !== null)('host mode with short-lived edge tokens and password-guarded actions', () => {
  let tmp: { dir: string; cleanup(): Promise<void> };
  let system: ProtectedSystem;
  let service: DeviceService;
  let browser: DeviceBrowser;

  const status = (): Promise<Status> => readStatus(service);

  beforeAll(async () => {
    tmp = await tempDir('e2e-host-policy');
    system = await startProtectedSystem({
      dir: join(tmp.dir, 'system'),
      portal: { edgeTokenTtlSeconds: TOKEN_TTL_SECONDS },
      appProfile: { passwords: { logout: await hashPassword('sign-out-pass'), disable: await hashPassword('turn-off-pass'), uninstall: null } },
    });
    service = await startDeviceService({ dir: join(tmp.dir, 'device'), portalUrl: system.portal.url });
    browser = await launchDeviceBrowser(tmp.dir, service.socket);
    const { popup, context } = browser;
    await waitForProtection(popup, 'signed-out');
    await popup.fill('[data-testid="portal-url"]', system.portal.url);
    await popup.click('[data-testid="sign-in"]');
    await approveInOpenedTab(context, { email: 'user@example.test', password: system.portal.user.password });
    await waitForProtection(popup, 'protected');
  });

  afterAll(async () => {
    await browser?.close();
    if (service) await stopProcess(service.proc);
    await system?.close();
    await tmp?.cleanup();
  });

  it('keeps every request working across edge-token refreshes, with no prompt', async () => {
    const firstExpiry = (await status()).edgeTokenExpiresAt;
    expect(firstExpiry).not.toBeNull();
    const deadline = Date.parse(firstExpiry!) + 3_000;
    // Browse until well past the first token's expiry: each page is its own request to the edge.
    const run = await browseUntil(browser.context, `http://origin.test:${system.originPort}`, deadline, ORIGIN_BODY);
    expect(run.count).toBeGreaterThan(3);
    expect(run.failed).toEqual([]);
    const later = (await status()).edgeTokenExpiresAt;
    expect(Date.parse(later!)).toBeGreaterThan(Date.parse(firstExpiry!));
    // The edge (no clock tolerance here) saw requests after the first token had expired, and accepted
    // them: the browser answered the edge's 407 with the refreshed token, without a prompt.
    const afterExpiry = (await system.edge.accessLog()).filter((entry) => entry.host === 'origin.test' && Date.parse(String(entry.time)) > Date.parse(firstExpiry!));
    expect(afterExpiry.some((entry) => entry.status === 200)).toBe(true);
  });

  it('refuses to turn off without the password, and turns off with it', async () => {
    const { popup } = browser;
    await popup.click('[data-testid="turn-off"]');
    await popup.waitForSelector('[data-testid="action-error"][data-code="PASSWORD_REQUIRED"]');
    await popup.fill('[data-testid="unlock-password"]', 'wrong');
    await popup.click('[data-testid="turn-off"]');
    await popup.waitForSelector('[data-testid="action-error"][data-code="PASSWORD_WRONG"]');
    expect((await status()).protection.state).toBe('protected');
    await screenshot(popup, 'popup-password-wrong');

    await popup.fill('[data-testid="unlock-password"]', 'turn-off-pass');
    await popup.click('[data-testid="turn-off"]');
    await waitForProtection(popup, 'disabled');
    expect((await status()).protection.state).toBe('disabled');
    await popup.click('[data-testid="turn-on"]');
    await waitForProtection(popup, 'protected');
  });

  it('refuses to sign out without the password, and signs out with it', async () => {
    const { popup } = browser;
    await popup.fill('[data-testid="unlock-password"]', '');
    await popup.click('[data-testid="sign-out"]');
    await popup.waitForSelector('[data-testid="action-error"][data-code="PASSWORD_REQUIRED"]');
    expect((await status()).account).not.toBeNull();

    await popup.fill('[data-testid="unlock-password"]', 'sign-out-pass');
    await popup.click('[data-testid="sign-out"]');
    await waitForProtection(popup, 'signed-out');
    expect((await status()).account).toBeNull();
  });
});
