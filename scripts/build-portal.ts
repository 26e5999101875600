/**
 * Bundles the portal into dist/cloud/waygate-portal.mjs. better-sqlite3 is a native module and stays
 * external (it loads from node_modules); pg's optional native binding is never used.
 */
import { chmod } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const PORTAL_BUNDLE = fileURLToPath(new URL('../dist/cloud/waygate-portal.mjs', import.meta.url));

export async function buildPortalBundle(outfile = PORTAL_BUNDLE): Promise<string> {
  await build({
    entryPoints: [fileURLToPath(new URL('../cloud/portal/main.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    external: ['better-sqlite3', 'pg-native'],
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __waygateCreateRequire } from 'node:module';\nconst require = __waygateCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  await chmod(outfile, 0o755);
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`built ${await buildPortalBundle()}`);
}
