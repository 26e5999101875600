/**
 * Bundles the portal into dist/cloud/waygate-portal.mjs. better-sqlite3 is a native module and stays
 * external; pg's optional native binding is never used.
 */
import { fileURLToPath } from 'node:url';
import { bundleNodeProgram } from './bundle-node.js';

export const PORTAL_BUNDLE = fileURLToPath(new URL('../dist/cloud/waygate-portal.mjs', import.meta.url));

export function buildPortalBundle(outfile = PORTAL_BUNDLE): Promise<string> {
  return bundleNodeProgram({
    entry: fileURLToPath(new URL('../cloud/portal/main.ts', import.meta.url)),
    outfile,
    external: ['better-sqlite3', 'pg-native'],
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`built ${await buildPortalBundle()}`);
}
