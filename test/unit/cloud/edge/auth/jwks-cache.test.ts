import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JwksCache, type FetchLike, type JwksCacheOptions } from '../../../../../cloud/edge/auth/jwks-cache.js';
import { verifyEdgeToken } from '../../../../../cloud/edge/auth/verify-token.js';
import type { PublicJwk } from '../../../../../protocol/portal.js';
import { ISSUER, NOW, makeKey, signToken } from './edge-keys.js';

const keyA = await makeKey();
const keyB = await makeKey();

interface FakePortal {
  keys: PublicJwk[];
  status: number;
  /** Served instead of `{keys}` when set. */
  body: string | undefined;
  down: boolean;
  urls: string[];
  fetch: FetchLike;
}

/** A portal that serves whatever the test sets, or is down. */
function fakePortal(): FakePortal {
  const portal: FakePortal = {
    keys: [keyA.jwk],
    status: 200,
    body: undefined,
    down: false,
    urls: [],
    fetch: (url) => {
      portal.urls.push(url);
      if (portal.down) return Promise.reject(new TypeError('fetch failed'));
      return Promise.resolve(new Response(portal.body ?? JSON.stringify({ keys: portal.keys }), { status: portal.status }));
    },
  };
  return portal;
}

let portal: FakePortal;
let clock: { now: number };
let errors: Error[];
let dir: string;

function open(extra: Partial<JwksCacheOptions> = {}): Promise<JwksCache> {
  return JwksCache.open({ portalUrl: 'https://portal.example.test/', fetch: portal.fetch, now: () => clock.now, onError: (e) => errors.push(e), ...extra });
}

beforeEach(async () => {
  portal = fakePortal();
  clock = { now: NOW };
  errors = [];
  dir = await mkdtemp(join(tmpdir(), 'waygate-jwks-'));
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

describe('JwksCache', () => {
  it('fetches <portal>/.well-known/jwks.json and verifies tokens with it', async () => {
    const cache = await open();
    expect(cache.fetchedAt).toBeNull();
    expect(await cache.refresh()).toEqual({ ok: true, keys: 1 });
    expect(portal.urls).toEqual(['https://portal.example.test/.well-known/jwks.json']);
    expect(cache.fetchedAt).toBe(NOW);
    expect(await verifyEdgeToken(await signToken(keyA), cache, { issuer: ISSUER, now: NOW })).toMatchObject({ ok: true });
  });

  it('fetches on the first unknown kid when it has no keys yet', async () => {
    const cache = await open();
    expect(await cache.keyFor(keyA.kid)).toBeDefined();
    expect(portal.urls).toHaveLength(1);
  });

  it.each([
    ['the portal is down', (p: FakePortal) => void (p.down = true)],
    ['the portal answers 503', (p: FakePortal) => void (p.status = 503)],
    ['the body is not JSON', (p: FakePortal) => void (p.body = '<html>')],
    ['the body is not a JWKS', (p: FakePortal) => void (p.body = JSON.stringify({ keys: [{ kty: 'RSA' }] }))],
    ['a key does not import', (p: FakePortal) => void (p.keys = [keyB.jwk, { ...keyA.jwk, kid: 'bad', x: 'AAAA' }])],
  ])('keeps the good keys when a refresh fails because %s', async (_, breakIt) => {
    const cache = await open();
    await cache.refresh();
    breakIt(portal);
    const result = await cache.refresh();
    expect(result.ok).toBe(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain('https://portal.example.test/.well-known/jwks.json');
    expect(cache.jwks.keys).toEqual([keyA.jwk]);
    expect(await cache.keyFor(keyA.kid)).toBeDefined();
  });

  it('takes the new set when the portal rotates its keys', async () => {
    const cache = await open();
    await cache.refresh();
    portal.keys = [keyB.jwk];
    clock.now += 60_000;
    expect(await cache.refresh()).toEqual({ ok: true, keys: 1 });
    expect(await cache.keyFor(keyB.kid)).toBeDefined();
    expect(cache.fetchedAt).toBe(NOW + 60_000);
  });

  it('refreshes when a token names a new kid, at most once per interval', async () => {
    const cache = await open({ unknownKidIntervalMs: 30_000 });
    await cache.refresh();
    portal.keys = [keyA.jwk, keyB.jwk];
    clock.now += 10_000;
    expect(await cache.keyFor('unknown-1')).toBeUndefined();
    expect(await cache.keyFor(keyB.kid)).toBeUndefined();
    expect(portal.urls).toHaveLength(1);

    clock.now += 20_000;
    expect(await cache.keyFor(keyB.kid)).toBeDefined();
    expect(portal.urls).toHaveLength(2);
  });

  it('shares one fetch between concurrent lookups of unknown kids', async () => {
    const cache = await open();
    const found = await Promise.all(['x1', 'x2', 'x3', keyA.kid, 'x4'].map((kid) => cache.keyFor(kid)));
    expect(found.filter(Boolean)).toHaveLength(1);
    expect(portal.urls).toHaveLength(1);
  });

  it('does not retry an unreachable portal for every unknown kid', async () => {
    portal.down = true;
    const cache = await open();
    for (let i = 0; i < 50; i++) await cache.keyFor(`attacker-${i}`);
    expect(portal.urls).toHaveLength(1);
  });

  describe('with a cache file', () => {
    it('writes the key set atomically and reads it back after a restart with the portal down', async () => {
      const cacheFile = join(dir, 'jwks.json');
      const first = await open({ cacheFile });
      await first.refresh();
      expect(await readdir(dir)).toEqual(['jwks.json']);
      expect(JSON.parse(await readFile(cacheFile, 'utf8'))).toEqual({ version: 1, fetchedAt: NOW, jwks: { keys: [keyA.jwk] } });

      portal.down = true;
      clock.now += 3_600_000;
      const restarted = await open({ cacheFile });
      expect(restarted.fetchedAt).toBe(NOW);
      expect((await restarted.refresh()).ok).toBe(false);
      const token = await signToken(keyA, { iat: Math.floor(clock.now / 1000) - 60 });
      expect(await verifyEdgeToken(token, restarted, { issuer: ISSUER, now: clock.now })).toMatchObject({ ok: true });
    });

    it('starts empty, says why, and overwrites a corrupt cache file', async () => {
      const cacheFile = join(dir, 'jwks.json');
      await writeFile(cacheFile, '{"version":1,"keys":');
      const cache = await open({ cacheFile });
      expect(cache.jwks.keys).toEqual([]);
      expect(errors[0]?.message).toContain('Ignoring the key cache');
      await cache.refresh();
      expect(JSON.parse(await readFile(cacheFile, 'utf8'))).toMatchObject({ jwks: { keys: [keyA.jwk] } });
    });

    it('keeps working in memory when the file cannot be written', async () => {
      const cache = await open({ cacheFile: join(dir, 'missing-dir', 'jwks.json') });
      expect(await cache.refresh()).toEqual({ ok: true, keys: 1 });
      expect(errors[0]?.message).toContain('Could not write the key cache');
      expect(await cache.keyFor(keyA.kid)).toBeDefined();
    });
  });

  it('refreshes on start and then on its interval until stopped', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const cache = await open({ refreshIntervalMs: 300_000 });
    cache.start();
    await vi.waitFor(() => expect(portal.urls).toHaveLength(1));
    await vi.advanceTimersByTimeAsync(300_000);
    expect(portal.urls).toHaveLength(2);
    cache.stop();
    await vi.advanceTimersByTimeAsync(900_000);
    expect(portal.urls).toHaveLength(2);
  });
});
