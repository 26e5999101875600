/** Builds the extension with WXT into dist/extension/chrome-mv3 (what Chromium loads unpacked). */
import { fileURLToPath } from 'node:url';
import { build } from 'wxt';

export const EXTENSION_DIR = fileURLToPath(new URL('../dist/extension/chrome-mv3', import.meta.url));

export async function buildExtension(): Promise<string> {
  await build({ root: fileURLToPath(new URL('..', import.meta.url)) });
  return EXTENSION_DIR;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`built ${await buildExtension()}`);
}
