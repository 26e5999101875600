import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortalContext } from '../../../../../cloud/portal/context.js';
import { ADMIN_UI_CSP, registerAdminUi } from '../../../../../cloud/portal/routes/admin-ui.js';

const INDEX = '<!doctype html><link rel="stylesheet" href="/admin/app.css?v=abc123"><script type="module" src="/admin/app.js?v=def456"></script>';
const ctx = { logger: pino({ level: 'silent' }) } as PortalContext;

async function serve(dir: string): Promise<FastifyInstance> {
  const app = Fastify();
  await registerAdminUi(app, ctx, { dir });
  await app.ready();
  return app;
}

describe('serving the built admin console', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'admin-ui-'));
    await writeFile(join(dir, 'index.html'), INDEX);
    await writeFile(join(dir, 'app.js'), 'console.log(1)');
    await writeFile(join(dir, 'app.css'), 'body{}');
    await writeFile(join(dir, 'notes.md'), 'not served');
    await mkdir(join(dir, 'sub'));
    app = await serve(dir);
  });

  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves index.html at /admin under a strict CSP, revalidated on every load', async () => {
    const res = await app.inject('/admin');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toBe(INDEX);
    expect(res.headers['content-security-policy']).toBe(ADMIN_UI_CSP);
    expect(ADMIN_UI_CSP).toContain("script-src 'self'");
    expect(ADMIN_UI_CSP).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers.etag).toMatch(/^".+"$/);
  });

  it('answers every console path that is not a file with index.html', async () => {
    for (const path of ['/admin/', '/admin/devices', '/admin/devices/abc', '/admin/policy/simulator']) {
      const res = await app.inject(path);
      expect(res.statusCode, path).toBe(200);
      expect(res.body, path).toBe(INDEX);
    }
  });

  it('lets browsers keep the bundle for good under the hash index.html names, and revalidate otherwise', async () => {
    const hashed = await app.inject('/admin/app.js?v=def456');
    expect(hashed.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(hashed.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(hashed.body).toBe('console.log(1)');
    expect((await app.inject('/admin/app.js?v=old')).headers['cache-control']).toBe('no-cache');
    expect((await app.inject('/admin/app.css')).headers['cache-control']).toBe('no-cache');
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await app.inject('/admin/app.css');
    const again = await app.inject({ url: '/admin/app.css', headers: { 'if-none-match': String(first.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('answers 404, not the page, for a missing script or stylesheet', async () => {
    const res = await app.inject('/admin/chunk-old.js');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('text/plain');
  });

  it('serves only the files it loaded: nothing outside the build, no other file types', async () => {
    expect((await app.inject('/admin/notes.md')).body).toBe(INDEX);
    for (const path of ['/admin/../package.json', '/admin/%2e%2e/package.json', '/admin/sub']) {
      const res = await app.inject(path);
      expect(res.body, path).not.toContain('"name"');
    }
  });
});

describe('an admin console that was never built', () => {
  it('answers 503 with how to build it, under the same CSP', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'admin-ui-empty-'));
    const app = await serve(dir);
    const res = await app.inject('/admin/devices');
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build:admin-ui');
    expect(res.headers['content-security-policy']).toBe(ADMIN_UI_CSP);
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });
});
