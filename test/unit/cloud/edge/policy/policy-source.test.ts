import { afterEach, describe, expect, it } from 'vitest';
import type { FetchLike } from '../../../../../cloud/edge/auth/jwks-cache.js';
import { EdgePolicySource, type PolicySnapshot } from '../../../../../cloud/edge/policy/policy-source.js';
import type { EdgePolicy } from '../../../../../protocol/portal-edge.js';
import { tempDir } from '../../../../support/waygate-process.js';

const POLICY: EdgePolicy = {
  policyVersion: 3,
  access: { defaultAction: 'allow', rules: [{ id: 'no-casino', action: 'block', users: [], groups: [], domains: ['.casino.test'], cidrs: [], ports: [] }] },
  revokedDevices: [{ id: 'dev-1', revokedAt: 1000 }],
};

/** A portal that answers from a script, recording the headers of each pull. */
function portal(answers: (() => Response)[]): { fetch: FetchLike; seen: Record<string, string>[] } {
  const seen: Record<string, string>[] = [];
  return {
    seen,
    fetch: (_url, init) => {
      seen.push(init.headers);
      const next = answers.shift();
      return next === undefined ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve(next());
    },
  };
}

const ok = (body: unknown, etag = '"v3"') => () => new Response(JSON.stringify(body), { status: 200, headers: { etag } });
const notModified = () => new Response(null, { status: 304 });

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('EdgePolicySource', () => {
  it('has no policy before the first pull (the edge is then fail-closed)', async () => {
    const source = await EdgePolicySource.open({ portalUrl: 'http://portal.test', edgeKey: 'k', fetch: portal([]).fetch });
    expect(source.current()).toBeNull();
  });

  it('pulls with the edge key, then revalidates with the ETag and keeps the snapshot on 304', async () => {
    const changes: PolicySnapshot[] = [];
    const { fetch, seen } = portal([ok(POLICY), notModified]);
    const source = await EdgePolicySource.open({ portalUrl: 'http://portal.test/', edgeKey: 'the-key', fetch, now: () => 42, onChange: (s) => changes.push(s) });
    expect(await source.pull()).toEqual({ ok: true, changed: true });
    expect(source.current()).toMatchObject({ etag: '"v3"', fetchedAt: 42, policy: POLICY });
    expect(source.current()?.revoked.get('dev-1')).toBe(1000);
    expect(await source.pull()).toEqual({ ok: true, changed: false });
    expect(seen[0]).toMatchObject({ authorization: 'Bearer the-key' });
    expect(seen[0]).not.toHaveProperty('if-none-match');
    expect(seen[1]).toMatchObject({ 'if-none-match': '"v3"' });
    expect(changes).toHaveLength(1);
  });

  it('keeps the last good policy through failures, reporting once per streak', async () => {
    const errors: Error[] = [];
    const { fetch } = portal([ok(POLICY), () => new Response('nope', { status: 500 }), ok({ access: 'garbage' }), ok(POLICY, '"v4"')]);
    const source = await EdgePolicySource.open({ portalUrl: 'http://portal.test', edgeKey: 'k', fetch, onError: (e) => errors.push(e) });
    await source.pull();
    expect((await source.pull()).ok).toBe(false);
    expect((await source.pull()).ok).toBe(false);
    expect(source.current()?.etag).toBe('"v3"');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/HTTP 500: nope.*last good policy/);
    expect(await source.pull()).toEqual({ ok: true, changed: true });
    expect(source.current()?.etag).toBe('"v4"');
  });

  it('joins concurrent pulls into one request', async () => {
    const { fetch, seen } = portal([ok(POLICY)]);
    const source = await EdgePolicySource.open({ portalUrl: 'http://portal.test', edgeKey: 'k', fetch });
    await Promise.all([source.pull(), source.pull(), source.pull()]);
    expect(seen).toHaveLength(1);
  });

  it('writes the policy to its cache file (0600) and a new source starts from it without the portal', async () => {
    const tmp = await tempDir('policy-cache');
    cleanups.push(tmp.cleanup);
    const cacheFile = `${tmp.dir}/policy.json`;
    const first = await EdgePolicySource.open({ portalUrl: 'http://portal.test', edgeKey: 'k', cacheFile, fetch: portal([ok(POLICY)]).fetch });
    await first.pull();
    const { stat } = await import('node:fs/promises');
    expect((await stat(cacheFile)).mode & 0o777).toBe(0o600);
    const restarted = await EdgePolicySource.open({ portalUrl: 'http://portal.test', edgeKey: 'k', cacheFile, fetch: portal([]).fetch });
    expect(restarted.current()?.policy).toEqual(POLICY);
    expect((await restarted.pull()).ok).toBe(false);
    expect(restarted.current()?.policy).toEqual(POLICY);
  });

  it('ignores a corrupt cache file, saying so', async () => {
    const tmp = await tempDir('policy-cache');
    cleanups.push(tmp.cleanup);
    const cacheFile = `${tmp.dir}/policy.json`;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(cacheFile, '{"version":1,"etag":');
    const errors: Error[] = [];
    const source = await EdgePolicySource.open({ portalUrl: 'http://portal.test', edgeKey: 'k', cacheFile, fetch: portal([]).fetch, onError: (e) => errors.push(e) });
    expect(source.current()).toBeNull();
    expect(errors[0]?.message).toContain('Ignoring the policy cache');
  });
});
