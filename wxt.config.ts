import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';

/**
 * The public half of the extension's signing key. Chromium derives the extension ID from it, so the
 * ID is the same on every machine; native-host manifests and enterprise policy name this ID.
 * ID: kikjmbfpgdcnelfidohningkimchabdc
 */
const EXTENSION_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApDQNIu56MyASTp6yCHw4izgEYy2lVz/aa95ruyIN+AOSLe21j65A2gdJRLjDDCAI2dkxsfsEj4OCgDABNl6wSY32lYnaGYk62Un5OXj+Zm4yHHQrCqtzL+9oky9u7qTn6B+V+ChxUDIixPbHYV7KEDpahWu6AM/cXsePRtR1fN0A/hag55Bzk7njgnmve9BCnsfd6H//WjLbra415CxobrRjtTVqCGxKAktcGIk3/oevN1HDrCnHptrW+AUJUJsU+G6kkgrIf17xUw/ZS35+CFwdRYHx6UNXf7J/WYurkmwjWfuKuCoRGs8hEhjrNjnIaS/Ml1QDwJvME8JVaYStMwIDAQAB';

export default defineConfig({
  srcDir: 'extension',
  entrypointsDir: '.',
  outDir: 'dist/extension',
  // WXT looks for public/ at the project root by default; ours sits under the extension source.
  publicDir: 'extension/public',
  // Explicit imports everywhere: a reader can see where every name comes from.
  imports: false,
  vite: () => ({ plugins: [preact()] }),
  manifest: {
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    key: EXTENSION_KEY,
    // proxy: apply the PAC; webRequest + webRequestAuthProvider: answer the edge's 407 without a prompt;
    // alarms: browser-only sync, token refresh and turning back on; <all_urls>: see every proxy challenge
    // and reach the portal from the worker.
    permissions: ['nativeMessaging', 'storage', 'proxy', 'webRequest', 'webRequestAuthProvider', 'alarms'],
    host_permissions: ['<all_urls>'],
    action: { default_title: '__MSG_extName__' },
    storage: { managed_schema: 'managed_schema.json' },
  },
});
