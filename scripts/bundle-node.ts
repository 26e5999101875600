/**
 * One Node program as one ESM file: the shared esbuild settings of the `waygate` and
 * `waygate-portal` bundles. Native modules cannot be bundled and are listed as external; they load
 * from node_modules beside the project.
 */
import { chmod } from 'node:fs/promises';
import { build } from 'esbuild';

export interface NodeBundle {
  entry: string;
  outfile: string;
  external: string[];
  define?: Record<string, string>;
}

export async function bundleNodeProgram({ entry, outfile, external, define = {} }: NodeBundle): Promise<string> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    external,
    define,
    banner: {
      // Bundled CommonJS dependencies call require(); give them one.
      js: "#!/usr/bin/env node\nimport { createRequire as __waygateCreateRequire } from 'node:module';\nconst require = __waygateCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  await chmod(outfile, 0o755);
  return outfile;
}
