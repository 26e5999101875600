/**
 * Real headless Chromium with the built extension loaded from a throwaway profile. One browser per
 * test file; the profile dir is the caller's temp dir and goes away with it.
 */
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import type { browser as extensionApi } from 'wxt/browser';
import { EXTENSION_DIR } from '../../scripts/build-extension.js';

// Functions passed to `worker.evaluate()` run in the extension's service worker, where `chrome` exists.
declare const chrome: typeof extensionApi;

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Fixed by the `key` in wxt.config.ts. */
export const EXTENSION_ID = 'kikjmbfpgdcnelfidohningkimchabdc';
export const ARTIFACTS_DIR = join(import.meta.dirname, '..', '..', 'test-artifacts');

export interface ExtensionBrowser {
  context: BrowserContext;
  worker: Worker;
  close(): Promise<void>;
}

export async function launchWithExtension(userDataDir: string): Promise<ExtensionBrowser> {
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    env: { ...process.env, XDG_CONFIG_HOME: join(userDataDir, 'xdg-config') },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1',
      `--disable-extensions-except=${EXTENSION_DIR}`,
      `--load-extension=${EXTENSION_DIR}`,
    ],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  return { context, worker, close: () => context.close() };
}

/** The popup, opened as a tab (headless Chromium has no toolbar to click). */
export async function openPopup(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width: 360, height: 420 });
  await page.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
  return page;
}

/** The popup's status heading once it shows `state` (and, for connected, the service link `service`). */
export async function waitForLink(page: Page, state: string, service?: 'up' | 'down' | 'none', timeout = 10_000): Promise<void> {
  const selector = `[data-testid="link-state"][data-state="${state}"]${service ? `[data-service="${service}"]` : ''}`;
  await page.waitForSelector(selector, { timeout });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

/** The extension's local storage, read from inside its worker. */
export function extensionStorage(worker: Worker): Promise<Record<string, unknown>> {
  return worker.evaluate(() => chrome.storage.local.get(null));
}

/** The toolbar button's badge text and title, read from inside the worker. */
export function toolbarBadge(worker: Worker): Promise<{ text: string; title: string }> {
  return worker.evaluate(async () => ({ text: await chrome.action.getBadgeText({}), title: await chrome.action.getTitle({}) }));
}

/** The browser's proxy setting for the regular profile as the worker sees it (`proxy.settings.get`). */
export function proxySettings(worker: Worker): Promise<{ levelOfControl: string; value: unknown }> {
  return worker.evaluate(async () => {
    const got = await chrome.proxy.settings.get({});
    return { levelOfControl: got.levelOfControl, value: got.value };
  });
}

/** The extension's session storage (memory only), read from inside its worker. */
export function extensionSessionStorage(worker: Worker): Promise<Record<string, unknown>> {
  return worker.evaluate(() => chrome.storage.session.get(null));
}
