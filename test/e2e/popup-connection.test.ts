import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { extensionStorage, launchWithExtension, openPopup, screenshot, toolbarBadge, waitForLink, type ExtensionBrowser } from '../support/browser.js';
import { installHostInProfile } from '../support/native-host-registration.js';
import { startServiceProcess, stopProcess, tempDir, type WaygateProcess } from '../support/waygate-process.js';

const browserMissing = inject('browserMissing');

describe.skipIf(browserMissing !== null)('popup ⇄ extension ⇄ waygate native ⇄ service, in headless Chromium', () => {
  let cleanup: () => Promise<void>;
  let socket: string;
  let service: WaygateProcess;
  let browser: ExtensionBrowser;
  let popup: Page;

  beforeAll(async () => {
    const tmp = await tempDir('e2e-popup');
    cleanup = tmp.cleanup;
    socket = join(tmp.dir, 'waygate.sock');
    service = await startServiceProcess(socket);
    const profile = join(tmp.dir, 'profile');
    installHostInProfile(profile, socket, tmp.dir);
    browser = await launchWithExtension(profile);
    popup = await openPopup(browser.context);
  });

  afterAll(async () => {
    await browser?.close();
    if (service) await stopProcess(service);
    await cleanup();
  });

  it('shows connected and the service version', async () => {
    await waitForLink(popup, 'connected', 'up');
    await expect.poll(() => popup.getByTestId('service-version').textContent()).toContain('0.1.0');
    await screenshot(popup, 'popup-connected');
  });

  it('shows the service as disconnected, with the reason, within 2 s of it being killed', async () => {
    await waitForLink(popup, 'connected', 'up');
    const killedAt = Date.now();
    await stopProcess(service, 'SIGKILL');
    await waitForLink(popup, 'connected', 'down', 2000);
    expect(Date.now() - killedAt).toBeLessThan(2000);
    expect(await popup.getByTestId('reason').textContent()).toContain('not reachable');
    await screenshot(popup, 'popup-service-down');
  });

  it('reconnects when the service comes back, without reloading the extension', async () => {
    service = await startServiceProcess(socket);
    await waitForLink(popup, 'connected', 'up', 5000);
    expect(await extensionStorage(browser.worker)).toMatchObject({ hostLink: { state: 'connected', service: { state: 'up', status: { pid: service.child.pid } } } });
  });

  it('shows the browser reason when the native host dies, and recovers by itself', async () => {
    await waitForLink(popup, 'connected', 'up');
    // The host process the browser spawned for this profile: the only one using this test's socket.
    const pid = Number(execFileSync('pgrep', ['-f', `native --socket ${socket}`], { encoding: 'utf8' }).trim().split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    await waitForLink(popup, 'disconnected', undefined, 2000);
    expect(await popup.getByTestId('reason').textContent()).toContain('Native host has exited.');
    await screenshot(popup, 'popup-host-exited');
    await waitForLink(popup, 'connected', 'up', 5000);
  });

  it('sets the toolbar badge and title from the state', async () => {
    await waitForLink(popup, 'connected', 'up');
    // The service has no account here: the badge asks for attention and the title says why.
    await expect.poll(() => toolbarBadge(browser.worker)).toMatchObject({ text: '!' });
    const badge = await toolbarBadge(browser.worker);
    expect(badge.title).toContain('0.1.0');
    expect(badge.title).toContain('Not signed in');
  });

  it('shows app mode and what the service says about protection', async () => {
    await popup.setViewportSize({ width: 360, height: 700 });
    await popup.waitForSelector('[data-testid="protection-state"][data-mode="app"][data-state="signed-out"]');
    expect(await popup.getByTestId('fact-mode').textContent()).toBe('Waygate app');
    expect(await popup.getByTestId('protection-state').textContent()).toContain('Not signed in');
    expect(await popup.getByTestId('sign-in').isVisible()).toBe(true);
    expect(await popup.getByTestId('mode-note').count()).toBe(0);
    await screenshot(popup, 'popup-app-mode-signed-out');
  });

  it('explains a typed URL through the app', async () => {
    await popup.getByTestId('explain-url').fill('https://example.com/');
    await popup.getByTestId('explain-button').click();
    await popup.waitForSelector('[data-testid="explain-route"]');
    expect(await popup.getByTestId('explain-route').getAttribute('data-kind')).toMatch(/^(edge|direct|blocked)$/);
    expect(await popup.getByTestId('explain-reasons').locator('li').count()).toBeGreaterThan(0);
    await screenshot(popup, 'popup-app-mode-explain');
  });
});
