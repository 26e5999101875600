/**
 * Builds the admin console (cloud/portal/admin-ui, Preact) into dist/cloud/admin-ui: app.js,
 * app.css, their source maps, a favicon and index.html. index.html names the bundle with a content
 * hash (`app.js?v=…`), so the portal can let browsers keep the bundle for good and revalidate only
 * index.html. The output is built aside and swapped in, so a portal starting meanwhile never reads half of it.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

export const ADMIN_UI_DIR = fileURLToPath(new URL('../dist/cloud/admin-ui', import.meta.url));
const ENTRY = fileURLToPath(new URL('../cloud/portal/admin-ui/main.tsx', import.meta.url));

/** Shield and arrow: the Waygate mark, drawn for 16 px. */
const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="#2f5bea" d="M16 2 4 6.5v8.7c0 7.3 5 13.4 12 14.8 7-1.4 12-7.5 12-14.8V6.5z"/><path fill="#fff" d="M10 15.5h8.6l-3-3 1.9-1.9 6.2 6.2-6.2 6.2-1.9-1.9 3-3H10z"/></svg>\n`;

/**
 * zod's `z` namespace re-exports its error messages in ~50 languages (`z.locales`), which no
 * bundler can tree-shake out of a namespace; the console uses English (zod's default, imported on
 * its own), so the list is cut down to it: ~300 KB less to download on every first visit.
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(join('node_modules', 'zod')) ? { path: join(args.resolveDir, '../locales'), namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({ contents: "export { default as en } from './en.js';", resolveDir: args.path, loader: 'js' }));
  },
};

export async function buildAdminUi(outdir = ADMIN_UI_DIR): Promise<string> {
  const staging = `${outdir}.building-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    await build({
      entryPoints: { app: ENTRY },
      outdir: staging,
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      // Browsers an admin console can expect: two years of evergreen releases.
      target: ['chrome111', 'firefox115', 'safari16.4'],
      jsx: 'automatic',
      jsxImportSource: 'preact',
      sourcemap: 'linked',
      legalComments: 'linked',
      logLevel: 'warning',
      plugins: [zodEnglishOnly],
    });
    const version = createHash('sha256')
      .update(await readFile(join(staging, 'app.js')))
      .update(await readFile(join(staging, 'app.css')))
      .digest('hex')
      .slice(0, 16);
    await writeFile(join(staging, 'favicon.svg'), FAVICON);
    await writeFile(join(staging, 'index.html'), indexHtml(version));
    // Swap directories with two renames, so a portal starting meanwhile finds one build or the other.
    const previous = `${outdir}.previous-${process.pid}`;
    await rename(outdir, previous).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await rename(staging, outdir);
    await rm(previous, { recursive: true, force: true });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return outdir;
}

/** Absolute asset paths: the same document is served for every /admin/… route (SPA fallback). */
function indexHtml(version: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Waygate admin</title>
<link rel="icon" href="/admin/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/admin/app.css?v=${version}">
<script type="module" src="/admin/app.js?v=${version}"></script>
</head>
<body>
<div id="app"></div>
<noscript>The Waygate admin console needs JavaScript.</noscript>
</body>
</html>
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`built ${await buildAdminUi()}`);
}
