/**
 * Bundles the host into one ESM file, dist/host/waygate.mjs. Native modules (koffi) cannot be
 * bundled: they stay external and load from node_modules beside the project.
 */
import { chmod } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const HOST_BUNDLE = fileURLToPath(new URL('../dist/host/waygate.mjs', import.meta.url));

export async function buildHost(outfile = HOST_BUNDLE): Promise<string> {
  await build({
    entryPoints: [fileURLToPath(new URL('../host/main.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    external: ['koffi'],
    define: { 'process.env.WS_NO_BUFFER_UTIL': '"1"', 'process.env.WS_NO_UTF_8_VALIDATE': '"1"' },
    banner: {
      // Bundled CommonJS dependencies call require(); give them one.
      js: "#!/usr/bin/env node\nimport { createRequire as __waygateCreateRequire } from 'node:module';\nconst require = __waygateCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  await chmod(outfile, 0o755);
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`built ${await buildHost()}`);
}
