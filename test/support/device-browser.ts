/**
 * The browser half of the device tests: headless Chromium with the extension and (optionally) the
 * native host registered for a given service socket, plus the user's steps — approving a sign-in
 * on the portal's verification page in the tab the extension opened, and browsing.
 */
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchWithExtension, openPopup, type ExtensionBrowser, type LaunchOptions } from './browser.js';
import { installHostInProfile } from './native-host-registration.js';

export interface DeviceBrowser extends ExtensionBrowser {
  popup: Page;
}

/** Chromium with the extension; with `socket`, the native host is registered to talk to that service. */
export async function launchDeviceBrowser(dir: string, socket: string | null, options: LaunchOptions = {}): Promise<DeviceBrowser> {
  const profile = join(dir, 'profile');
  if (socket !== null) installHostInProfile(profile, socket, dir);
  const browser = await launchWithExtension(profile, options);
  const popup = await openPopup(browser.context);
  return { ...browser, popup };
}

/** Waits for the popup to show protection in `state` ('protected', 'signed-out', …). */
export async function waitForProtection(popup: Page, state: string, timeout = 15_000): Promise<void> {
  await popup.waitForSelector(`[data-testid="protection-state"][data-state="${state}"]`, { timeout });
}

/**
 * Signs in on the portal page the extension opened (the sign-in form, then the device confirmation)
 * and approves the code, as the person at the device would. Resolves when the portal has accepted it.
 */
export async function approveInOpenedTab(context: BrowserContext, who: { email: string; password: string }): Promise<void> {
  const tab = await waitForTab(context, /\/(device|auth\/sign-in)/);
  if (tab.url().includes('/auth/sign-in')) {
    await tab.fill('#email', who.email);
    await tab.fill('#password', who.password);
    await Promise.all([tab.waitForURL(/\/device/), tab.click('button[type="submit"]')]);
  }
  await Promise.all([tab.waitForResponse((res) => res.url().includes('/device/approve')), tab.click('button:has-text("Approve")')]);
  await tab.close();
}

/** The tab whose address matches `url`, whenever it opens or navigates there (pages start at about:blank). */
async function waitForTab(context: BrowserContext, url: RegExp, timeoutMs = 30_000): Promise<Page> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = context.pages().find((page) => url.test(page.url()));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no tab opened at ${String(url)}; open tabs: ${context.pages().map((page) => page.url()).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Loads `url` in a fresh tab; returns the status and the page text. */
export async function browse(context: BrowserContext, url: string): Promise<{ status: number | null; text: string }> {
  const page = await context.newPage();
  try {
    const response = await page.goto(url, { waitUntil: 'load' });
    return { status: response?.status() ?? null, text: await page.innerText('body') };
  } finally {
    await page.close();
  }
}

/**
 * Loads `base/tick-N` in fresh tabs, one after another, until `deadline` (epoch ms); returns the
 * pages that did not come back 200 with `expected` in them (empty when every one did) and how many ran.
 */
export async function browseUntil(context: BrowserContext, base: string, deadline: number, expected: string): Promise<{ count: number; failed: { url: string; status: number | null }[] }> {
  const failed: { url: string; status: number | null }[] = [];
  let count = 0;
  for (; Date.now() < deadline; count++) {
    const url = `${base}/tick-${count}`;
    const page = await browse(context, url);
    if (page.status !== 200 || !page.text.includes(expected)) failed.push({ url, status: page.status });
  }
  return { count, failed };
}
