/**
 * The admin console under /admin: the files scripts/build-admin-ui.ts writes to dist/cloud/admin-ui,
 * read into memory once at start (a handful of files, ~200 KB). Every /admin path that is not one
 * of them gets index.html, so the console's own router handles deep links and reloads.
 *
 * This module never builds the console: esbuild is a build tool, not something the portal ships
 * with. When the bundle is missing, /admin answers 503 with the command that builds it.
 *
 * Caching: index.html is revalidated on every load (`no-cache` + ETag); it names the bundle with a
 * content hash (`app.js?v=…`), and a request carrying the hash this portal has may be kept for good.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PortalContext } from '../context.js';

export const ADMIN_UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': ADMIN_UI_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Where the build lands, seen from this module: beside the portal bundle
 * (dist/cloud/waygate-portal.mjs → dist/cloud/admin-ui) or, when the portal runs from source
 * (tsx, tests), from cloud/portal/routes/ up to the repository's dist/.
 */
const DEFAULT_DIRS = [new URL('./admin-ui/', import.meta.url), new URL('../../../dist/cloud/admin-ui/', import.meta.url)].map((u) => fileURLToPath(u));

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
}

export interface AdminUiOptions {
  /** The built console; defaults to the first of DEFAULT_DIRS that holds an index.html. */
  dir?: string;
}

export async function registerAdminUi(app: FastifyInstance, ctx: PortalContext, options: AdminUiOptions = {}): Promise<void> {
  const dir = options.dir ?? DEFAULT_DIRS.find((d) => existsSync(join(d, 'index.html')));
  const files = dir && existsSync(join(dir, 'index.html')) ? await loadFiles(dir) : null;
  if (!files) ctx.logger.warn({ looked: options.dir ?? DEFAULT_DIRS }, 'admin-ui: not built; /admin answers 503 until `npm run build:admin-ui` has run');
  const index = files?.get('index.html');
  const versions = index ? versionedAssets(index.body.toString('utf8')) : new Map<string, string>();

  const serve = async (request: FastifyRequest<{ Params: { '*'?: string }; Querystring: { v?: string } }>, reply: FastifyReply) => {
    reply.headers(SECURITY_HEADERS);
    if (!files || !index) return reply.code(503).type(CONTENT_TYPES['.html'] ?? 'text/html').header('cache-control', 'no-store').send(NOT_BUILT_PAGE);
    const name = request.params['*'] ?? '';
    const file = files.get(name);
    if (!file && ASSET_LIKE.test(name)) return reply.code(404).header('cache-control', 'no-cache').type('text/plain; charset=utf-8').send('Not found.\n');
    const served = file ?? index;
    const forever = file !== undefined && versions.get(name) !== undefined && versions.get(name) === request.query.v;
    reply.header('cache-control', forever ? 'public, max-age=31536000, immutable' : 'no-cache').header('etag', served.etag).type(served.type);
    if (request.headers['if-none-match'] === served.etag) return reply.code(304).send();
    return reply.send(served.body);
  };

  app.get('/admin', serve);
  app.get('/admin/*', serve);
}

/**
 * A missing file that looks like one (`/admin/old-chunk.js`) is a 404, not the HTML page: a script
 * or stylesheet request answered with HTML fails in confusing ways. Console routes never end so.
 */
const ASSET_LIKE = /\.(js|css|map|svg|png|ico|txt|json|woff2?)$/i;

async function loadFiles(dir: string): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const type = CONTENT_TYPES[extname(entry.name)];
    if (!entry.isFile() || !type) continue;
    const body = await readFile(join(dir, entry.name));
    files.set(entry.name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return files;
}

/** `/admin/app.js?v=abc` in index.html → app.js ↦ abc: the versions that may be cached for good. */
function versionedAssets(html: string): Map<string, string> {
  const versions = new Map<string, string>();
  for (const match of html.matchAll(/\/admin\/([\w.-]+)\?v=([0-9a-f]+)/g)) {
    if (match[1] && match[2]) versions.set(match[1], match[2]);
  }
  return versions;
}

/** No inline style: the page goes out under the same CSP as the console. */
const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Admin console not built</title></head>
<body>
<h1>The admin console has not been built</h1>
<p>This portal runs, but the files of its admin console are missing. Build them and restart the portal:</p>
<pre>npm run build:admin-ui</pre>
<p>(<code>npm run build</code> builds them too.) The admin API under <code>/api/v1/admin/</code> works meanwhile.</p>
</body>
</html>
`;
