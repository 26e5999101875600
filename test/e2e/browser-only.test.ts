/**
 * Browser-only mode end to end: no native host is registered, so the extension enrolls itself with
 * a real portal (RFC 8628, approved on the portal's own verification page in a tab it opened),
 * fetches and verifies the signed config, applies the PAC and answers the real edge's 407 with an
 * edge token — and a page on a made-up name loads through the edge with no prompt.
 *
 * The browser cannot resolve origin.test (--host-resolver-rules in support/browser.ts); the edge
 * resolves it from its --hosts file to the loopback origin, which the policy allows by CIDR.
 */
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { DEFAULT_POLICY, type PolicyDocument } from '../../protocol/policy.js';
import {
  extensionSessionStorage,
  extensionStorage,
  launchWithExtension,
  openPopup,
  proxySettings,
  screenshot,
  toolbarBadge,
  type ExtensionBrowser,
} from '../support/browser.js';
import { startEdgeProcess, type EdgeProcess } from '../support/edge-process.js';
import { signIn } from '../support/portal-sign-in.js';
import { startTestPortal, type TestPortal } from '../support/portal.js';
import { stopProcess, tempDir } from '../support/waygate-process.js';

const browserMissing = inject('browserMissing');
const EDGE_KEY = 'edge-key-for-tests-0123456789abcdef-edge';
const ORIGIN_BODY = 'hello from origin.test through the edge';

function protection(popup: Page, state: string, timeout = 10_000) {
  return popup.waitForSelector(`[data-testid="protection-state"][data-mode="browser-only"][data-state="${state}"]`, { timeout });
}

describe.skipIf(browserMissing !== null)('browser-only mode: enrollment, policy and proxy auth in headless Chromium', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let portal: TestPortal;
  let edge: EdgeProcess;
  let origin: Server;
  let originPort: number;
  let browser: ExtensionBrowser;
  let popup: Page;

  beforeAll(async () => {
    tmp = await tempDir('e2e-browser-only');
    origin = createServer((req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(`${ORIGIN_BODY} ${req.url ?? ''}`);
    });
    origin.listen(0, '127.0.0.1');
    await once(origin, 'listening');
    originPort = (origin.address() as AddressInfo).port;
    const hostsFile = join(tmp.dir, 'hosts');
    await writeFile(hostsFile, '127.0.0.1 origin.test\n');

    portal = await startTestPortal({ edgeKey: EDGE_KEY });
    edge = await startEdgeProcess({
      portalUrl: portal.url,
      edgeKey: EDGE_KEY,
      stateDir: join(tmp.dir, 'edge'),
      args: ['--hosts', hostsFile, '--policy-interval', '0.2'],
    });
    const admin = await signIn(portal, portal.admin);
    const proxyPort = new URL(edge.proxyUrl).port;
    const document: PolicyDocument = {
      ...DEFAULT_POLICY,
      edges: [{ id: 'local', region: 'test', proxyUrl: edge.proxyUrl, tunnelUrl: `ws://127.0.0.1:${proxyPort}/tunnel/v1` }],
      access: {
        defaultAction: 'allow',
        // The test origin lives on loopback: only an explicit CIDR rule lets the edge reach it.
        rules: [{ id: 'test-origin', action: 'allow', users: [], groups: [], domains: [], cidrs: ['127.0.0.0/8'], ports: [{ from: originPort, to: originPort }] }],
      },
    };
    const put = await admin.json('PUT', '/api/v1/admin/policy', { document, comment: 'browser-only e2e', baseVersion: 1 });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    await vi.waitFor(async () => expect((await fetch(`${edge.metricsUrl}/healthz`)).status).toBe(200), { timeout: 10_000 });

    browser = await launchWithExtension(join(tmp.dir, 'profile'));
    popup = await openPopup(browser.context);
    await popup.setViewportSize({ width: 360, height: 700 });
  });

  afterAll(async () => {
    await browser?.close();
    if (edge) await stopProcess(edge.proc);
    origin?.close();
    await portal?.close();
    await tmp?.cleanup();
  });

  it('says it runs in browser-only mode, signed out, and what the app would add', async () => {
    await protection(popup, 'signed-out');
    expect(await popup.getByTestId('mode-note').textContent()).toContain('system proxy');
    expect(await popup.getByTestId('explain-needs-app').textContent()).toContain('Waygate app');
    expect(await popup.getByTestId('portal-url').inputValue()).toBe('http://127.0.0.1:8400');
    expect((await proxySettings(browser.worker)).levelOfControl).not.toBe('controlled_by_this_extension');
    await screenshot(popup, 'browser-only-signed-out');
  });

  it('signs in through the portal page it opens, and shows protected', async () => {
    await popup.getByTestId('portal-url').fill(portal.url);
    const tabOpened = browser.context.waitForEvent('page', { predicate: (page) => page.url().startsWith(portal.url) || page.url() === 'about:blank' });
    await popup.getByTestId('sign-in').click();
    const verification = await tabOpened;
    await verification.waitForURL(/\/auth\/sign-in/);
    await popup.waitForSelector('[data-testid="login-user-code"]');
    const userCode = (await popup.getByTestId('login-user-code').textContent())?.trim() ?? '';
    await screenshot(popup, 'browser-only-login-waiting');

    await verification.fill('#email', portal.user.user.email);
    await verification.fill('#password', portal.user.password);
    await Promise.all([verification.waitForURL(/\/device\?user_code=/), verification.click('button[type="submit"]')]);
    expect(await verification.locator('body').textContent()).toContain(userCode);
    await verification.getByRole('button', { name: 'Approve' }).click();
    await verification.waitForLoadState();
    await screenshot(verification, 'browser-only-portal-approved');

    await protection(popup, 'protected', 30_000);
    expect(await popup.getByTestId('fact-user').textContent()).toContain(portal.user.user.email);
    expect(await popup.getByTestId('fact-org').textContent()).toBe('Test Org');
    expect(await popup.getByTestId('fact-mode').textContent()).toBe('Browser only');
    expect(await popup.getByTestId('fact-network').textContent()).toBe('Outside the trusted network');
    expect(await popup.getByTestId('fact-edge').textContent()).toContain('local');
    await screenshot(popup, 'browser-only-protected');

    const applied = await proxySettings(browser.worker);
    expect(applied.levelOfControl).toBe('controlled_by_this_extension');
    expect(applied.value).toMatchObject({ mode: 'pac_script', pacScript: { mandatory: true } });
    const badge = await toolbarBadge(browser.worker);
    expect(badge).toMatchObject({ text: '' });
    expect(badge.title).toContain('Protected');
  });

  it('loads a page through the edge, answering its 407 without a prompt, as this device and user', async () => {
    const page = await browser.context.newPage();
    let dialog = false;
    page.on('dialog', () => (dialog = true));
    const response = await page.goto(`http://origin.test:${originPort}/through-the-edge`);
    expect(response?.status()).toBe(200);
    expect(await page.locator('body').textContent()).toContain(`${ORIGIN_BODY} /through-the-edge`);
    expect(dialog).toBe(false);
    await screenshot(page, 'browser-only-origin-through-edge');

    const stored = await extensionStorage(browser.worker);
    const enrollment = stored['bo.enrollment'] as { account: { deviceId: string } };
    await vi.waitFor(async () =>
      expect((await edge.accessLog()).find((entry) => entry.host === 'origin.test' && entry.status === 200)).toMatchObject({
        device: enrollment.account.deviceId,
        user: portal.user.user.email,
        action: 'allow',
        ruleId: 'test-origin',
      }),
    );
    await page.close();
  });

  it('keeps the edge token in memory only (session storage), never in local storage', async () => {
    const session = await extensionSessionStorage(browser.worker);
    const token = (session.edgeCredentials as { token: string } | null)?.token;
    expect(token).toMatch(/^ey/);
    expect(JSON.stringify(await extensionStorage(browser.worker))).not.toContain(token);
  });

  it('syncs on demand, and signs out: credential gone, proxy setting given back', async () => {
    await popup.getByTestId('sync-now').click();
    await protection(popup, 'protected');
    await popup.getByTestId('sign-out').click();
    await protection(popup, 'signed-out');
    expect((await proxySettings(browser.worker)).levelOfControl).toBe('controllable_by_this_extension');
    const stored = await extensionStorage(browser.worker);
    // WXT removes an item set to null.
    expect(stored['bo.enrollment'] ?? null).toBeNull();
    expect((await extensionSessionStorage(browser.worker)).edgeCredentials ?? null).toBeNull();
    await screenshot(popup, 'browser-only-signed-out-again');
  });
});
