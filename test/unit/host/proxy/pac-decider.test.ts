/**
 * PacDecider: routes from the PAC, cached per origin and forgotten on policy change; the profile's
 * fail-open/fail-closed answer when the script cannot answer; a fresh engine every `recycleAfter`
 * evaluations.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PacDecider, type PacDeciderOptions, type PacTarget } from '../../../../host/proxy/pac-decider.js';

const ORIGIN: PacTarget = { scheme: 'https', host: 'www.example.test', port: 443 };
const deciders: PacDecider[] = [];
afterEach(async () => {
  await Promise.all(deciders.splice(0).map((d) => d.close()));
});

function decider(options: Partial<PacDeciderOptions> & { pac: () => string }): PacDecider {
  // Generous: these tests are not about deadlines, and a loaded CI machine is slow to start a worker.
  const made = new PacDecider({ failOpen: () => false, resolve: () => Promise.resolve(null), myAddress: () => '192.0.2.1', timeoutMs: 5_000, ...options });
  deciders.push(made);
  return made;
}

/** A PAC whose answer counts its own calls: shows when the script really ran. */
const COUNTING = 'var calls = 0; function FindProxyForURL(url, host) { calls++; return "PROXY 127.0.0.1:" + calls + "; DIRECT"; }';

describe('PacDecider', { timeout: 30_000 }, () => {
  it('returns the ordered routes and the raw answer', async () => {
    const d = decider({ pac: () => 'function FindProxyForURL(url, host) { return "PROXY 127.0.0.1:3128; HTTPS edge.example.test:443; DIRECT"; }' });
    expect(await d.decide(ORIGIN)).toEqual({
      routes: [{ kind: 'proxy', tls: false, host: '127.0.0.1', port: 3128 }, { kind: 'proxy', tls: true, host: 'edge.example.test', port: 443 }, { kind: 'direct' }],
      source: 'pac',
      pacResult: 'PROXY 127.0.0.1:3128; HTTPS edge.example.test:443; DIRECT',
      reason: 'The PAC answers "PROXY 127.0.0.1:3128; HTTPS edge.example.test:443; DIRECT".',
    });
  });

  it('asks the script about the origin (scheme, host, port), not the path', async () => {
    const d = decider({ pac: () => 'function FindProxyForURL(url, host) { return "PROXY " + host + ":1; DIRECT"; }' });
    const seen = decider({ pac: () => 'function FindProxyForURL(url, host) { return url === "http://a.test:8080/" ? "DIRECT" : "PROXY wrong:1"; }' });
    expect((await d.decide({ scheme: 'http', host: 'a.test', port: 80 })).pacResult).toBe('PROXY a.test:1; DIRECT');
    expect((await seen.decide({ scheme: 'http', host: 'a.test', port: 8080 })).pacResult).toBe('DIRECT');
  });

  it('caches per origin, and recomputes after policyChanged with the new script', async () => {
    let script = COUNTING;
    const d = decider({ pac: () => script });
    expect((await d.decide(ORIGIN)).pacResult).toBe('PROXY 127.0.0.1:1; DIRECT');
    expect((await d.decide(ORIGIN)).pacResult).toBe('PROXY 127.0.0.1:1; DIRECT');
    expect((await d.decide({ ...ORIGIN, host: 'other.test' })).pacResult).toBe('PROXY 127.0.0.1:2; DIRECT');
    expect(d.cachedCount).toBe(2);
    script = 'function FindProxyForURL(url, host) { return "DIRECT"; }';
    d.policyChanged();
    expect(d.cachedCount).toBe(0);
    expect((await d.decide(ORIGIN)).pacResult).toBe('DIRECT');
  });

  it('asks the script once for concurrent requests to one origin', async () => {
    const d = decider({ pac: () => COUNTING });
    const answers = await Promise.all(Array.from({ length: 20 }, () => d.decide(ORIGIN)));
    expect(new Set(answers.map((a) => a.pacResult))).toEqual(new Set(['PROXY 127.0.0.1:1; DIRECT']));
  });

  it('keeps at most cacheSize origins, dropping the least recently used', async () => {
    const d = decider({ pac: () => COUNTING, cacheSize: 2 });
    await d.decide({ ...ORIGIN, host: 'a.test' });
    await d.decide({ ...ORIGIN, host: 'b.test' });
    await d.decide({ ...ORIGIN, host: 'a.test' });
    await d.decide({ ...ORIGIN, host: 'c.test' });
    expect(d.cachedCount).toBe(2);
    expect((await d.decide({ ...ORIGIN, host: 'a.test' })).pacResult).toBe('PROXY 127.0.0.1:1; DIRECT');
    expect((await d.decide({ ...ORIGIN, host: 'b.test' })).pacResult).toBe('PROXY 127.0.0.1:4; DIRECT');
  });

  it('expires cached decisions after cacheTtlMs', async () => {
    let now = 0;
    const d = decider({ pac: () => COUNTING, cacheTtlMs: 1_000, monotonicNow: () => now });
    expect((await d.decide(ORIGIN)).pacResult).toBe('PROXY 127.0.0.1:1; DIRECT');
    now = 999;
    expect((await d.decide(ORIGIN)).pacResult).toBe('PROXY 127.0.0.1:1; DIRECT');
    now = 1_000;
    expect((await d.decide(ORIGIN)).pacResult).toBe('PROXY 127.0.0.1:2; DIRECT');
  });

  it('without the cache, runs the script for every decision', async () => {
    const d = decider({ pac: () => COUNTING, cache: false });
    for (let i = 1; i <= 3; i++) expect((await d.decide(ORIGIN)).pacResult).toBe(`PROXY 127.0.0.1:${i}; DIRECT`);
  });

  it('replaces the engine every recycleAfter evaluations (script state starts over)', async () => {
    const d = decider({ pac: () => COUNTING, cache: false, recycleAfter: 3 });
    const answers: (string | null)[] = [];
    for (let i = 0; i < 7; i++) answers.push((await d.decide(ORIGIN)).pacResult);
    expect(answers.map((a) => a?.split(';')[0])).toEqual(['PROXY 127.0.0.1:1', 'PROXY 127.0.0.1:2', 'PROXY 127.0.0.1:3', 'PROXY 127.0.0.1:1', 'PROXY 127.0.0.1:2', 'PROXY 127.0.0.1:3', 'PROXY 127.0.0.1:1']);
  });

  describe('a PAC that cannot answer gets the profile’s answer', () => {
    const broken: [string, string][] = [
      ['does not compile', 'function FindProxyForURL(url, host) { return "DIRECT" '],
      ['has no FindProxyForURL', 'var x = 1;'],
      ['throws', 'function FindProxyForURL(url, host) { throw new Error("no"); }'],
      ['returns a number', 'function FindProxyForURL(url, host) { return 42; }'],
      ['returns nothing usable', 'function FindProxyForURL(url, host) { return "SOCKS5 s:1080"; }'],
      ['returns an object', 'function FindProxyForURL(url, host) { return { proxy: "DIRECT" }; }'],
    ];

    it.each(broken)('fail-closed: a PAC that %s blocks the request, saying why', async (_what, script) => {
      const d = decider({ pac: () => script, failOpen: () => false });
      const decision = await d.decide(ORIGIN);
      expect(decision).toMatchObject({ routes: [], source: 'fail-closed', pacResult: null });
      expect(decision.reason).toMatch(/^The PAC could not answer|^The PAC answered/);
      expect(decision.reason).toMatch(/fails closed, so the request is blocked\.$/);
    });

    it.each(broken)('fail-open: a PAC that %s sends the request direct', async (_what, script) => {
      const d = decider({ pac: () => script, failOpen: () => true });
      expect(await d.decide(ORIGIN)).toMatchObject({ routes: [{ kind: 'direct' }], source: 'fail-open' });
    });

    it('reads the fail-open setting at decision time, also for a remembered failure', async () => {
      let open = false;
      const d = decider({ pac: () => 'function FindProxyForURL() { throw 1; }', failOpen: () => open });
      expect((await d.decide(ORIGIN)).source).toBe('fail-closed');
      open = true;
      expect((await d.decide(ORIGIN)).source).toBe('fail-open');
    });
  });
});
