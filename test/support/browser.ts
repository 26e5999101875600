/**
 * Real headless Chromium with the built extension loaded from a throwaway profile. One browser per
 * test file; the profile dir is the caller's temp dir and goes away with it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
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

export interface LaunchOptions {
  /** More unpacked extensions to load beside Waygate (e.g. one that competes for the proxy setting). */
  extraExtensions?: string[];
  /** More Chromium flags (e.g. trusting a test origin's key with --ignore-certificate-errors-spki-list). */
  extraArgs?: string[];
}

export async function launchWithExtension(userDataDir: string, options: LaunchOptions = {}): Promise<ExtensionBrowser> {
  const extensions = [EXTENSION_DIR, ...(options.extraExtensions ?? [])].join(',');
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
      `--disable-extensions-except=${extensions}`,
      `--load-extension=${extensions}`,
      ...(options.extraArgs ?? []),
    ],
  });
  const worker = await extensionWorker(context, EXTENSION_ID);
  return { context, worker, close: () => context.close() };
}

/** The service worker of the first extension whose worker URL `matches`, once it runs. */
export async function extensionWorker(context: BrowserContext, matches: string | ((url: string) => boolean)): Promise<Worker> {
  const test = typeof matches === 'string' ? (url: string) => url.startsWith(`chrome-extension://${matches}/`) : matches;
  const found = () => context.serviceWorkers().find((worker) => test(worker.url()));
  const waiting = context.waitForEvent('serviceworker', { predicate: (worker) => test(worker.url()), timeout: 30_000 });
  // The worker may have registered between launch and the listener: look again once it is in place.
  const result = found() ?? (await Promise.race([waiting, new Promise<Worker | undefined>((resolve) => setTimeout(() => resolve(found()), 50))])) ?? (await waiting);
  waiting.catch(() => undefined);
  return result;
}

/**
 * Writes an unpacked MV3 extension that does nothing but hold the `proxy` permission, so a test
 * can make it take the proxy setting from Waygate the way a real one would: open its `control.html`
 * (see `openCompetitor`) and call `chrome.proxy` there.
 */
export async function writeProxyCompetitor(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'manifest.json'),
    JSON.stringify({ manifest_version: 3, name: 'Proxy competitor (test)', version: '1.0', permissions: ['proxy'], background: { service_worker: 'worker.js' } }),
  );
  await writeFile(join(dir, 'worker.js'), '// Present so the extension has a worker the test can find.\n');
  await writeFile(join(dir, 'control.html'), '<!doctype html><title>proxy competitor</title>\n');
  return dir;
}

/**
 * Stops the extension's service worker the way the browser does when it idles (MV3), through the
 * DevTools protocol; the next event (a message, an alarm, a 407) starts a fresh one.
 */
export async function stopExtensionWorker(context: BrowserContext, id: string = EXTENSION_ID): Promise<void> {
  const page = await context.newPage();
  try {
    const cdp = await context.newCDPSession(page);
    const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { type: string; url: string; targetId: string }[] };
    const worker = targetInfos.find((target) => target.type === 'service_worker' && target.url.startsWith(`chrome-extension://${id}/`));
    if (!worker) throw new Error(`no running service worker for extension ${id}`);
    await cdp.send('Target.closeTarget', { targetId: worker.targetId });
  } finally {
    await page.close();
  }
}

/** The URLs of the extension service workers running now, as the browser (not Playwright) lists them. */
export async function runningWorkers(context: BrowserContext, id: string = EXTENSION_ID): Promise<string[]> {
  const page = await context.newPage();
  try {
    const cdp = await context.newCDPSession(page);
    const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { type: string; url: string }[] };
    return targetInfos.filter((target) => target.type === 'service_worker' && target.url.startsWith(`chrome-extension://${id}/`)).map((target) => target.url);
  } finally {
    await page.close();
  }
}

/** A page of the first extension other than Waygate, where the test can call its `chrome.*` APIs. */
export async function openCompetitor(context: BrowserContext): Promise<Page> {
  const worker = await extensionWorker(context, (url) => url.startsWith('chrome-extension://') && !url.includes(EXTENSION_ID));
  const page = await context.newPage();
  await page.goto(new URL('control.html', worker.url()).href);
  return page;
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

/**
 * Where a test runs `chrome.*` code: the extension's worker, or one of its pages (the popup). After
 * the browser restarts the worker Playwright does not attach to the new one, so tests that stop it
 * go on through a page.
 */
export type InExtension = Worker | Page;

function inExtension<R>(where: InExtension, fn: () => Promise<R>): Promise<R> {
  return 'goto' in where ? where.evaluate(fn) : where.evaluate(fn);
}

/** The extension's local storage. */
export function extensionStorage(where: InExtension): Promise<Record<string, unknown>> {
  return inExtension(where, () => chrome.storage.local.get(null));
}

/** The toolbar button's badge text and title. */
export function toolbarBadge(where: InExtension): Promise<{ text: string; title: string }> {
  return inExtension(where, async () => ({ text: await chrome.action.getBadgeText({}), title: await chrome.action.getTitle({}) }));
}

/** The browser's proxy setting for the regular profile as the extension sees it (`proxy.settings.get`). */
export function proxySettings(where: InExtension): Promise<{ levelOfControl: string; value: unknown }> {
  return inExtension(where, async () => {
    const got = await chrome.proxy.settings.get({});
    return { levelOfControl: got.levelOfControl, value: got.value };
  });
}

/** The extension's session storage (memory only). */
export function extensionSessionStorage(where: InExtension): Promise<Record<string, unknown>> {
  return inExtension(where, () => chrome.storage.session.get(null));
}
