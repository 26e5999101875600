import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchWithExtension, openPopup, screenshot, toolbarBadge, waitForLink, type ExtensionBrowser } from '../support/browser.js';
import { tempDir } from '../support/waygate-process.js';

const browserMissing = inject('browserMissing');

describe.skipIf(browserMissing !== null)('popup when no native host is registered, in headless Chromium', () => {
  let cleanup: () => Promise<void>;
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    const tmp = await tempDir('e2e-no-host');
    cleanup = tmp.cleanup;
    browser = await launchWithExtension(join(tmp.dir, 'profile'));
  });

  afterAll(async () => {
    await browser?.close();
    await cleanup();
  });

  it('says the app is not installed and what to do', async () => {
    const popup = await openPopup(browser.context);
    await waitForLink(popup, 'not-installed');
    const text = await popup.locator('main').textContent();
    expect(text).toContain('waygate install');
    expect(await popup.getByTestId('reason').textContent()).toContain('Specified native messaging host not found.');
    expect((await toolbarBadge(browser.worker)).text).toBe('!');
    await screenshot(popup, 'popup-not-installed');
  });
});
