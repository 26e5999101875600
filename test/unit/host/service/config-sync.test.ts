import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConfigOutcome } from '../../../../core/portal-client.js';
import { ConfigSync } from '../../../../host/service/config-sync.js';
import { JsonStore } from '../../../../host/service/json-store.js';
import { CachedConfig } from '../../../../host/service/state-files.js';
import { WaygateError } from '../../../../protocol/errors.js';
import type { ConfigState } from '../../../../protocol/localapi.js';
import type { EffectiveConfig } from '../../../../protocol/policy.js';
import type { SignedConfig } from '../../../../protocol/portal.js';
import { silentLogger } from '../../../fakes/logger.js';
import { ManualClock } from '../../../fakes/manual-clock.js';
import { PortalSigningKey, TEST_DEVICE_ID, effectiveConfig } from '../../../fakes/portal-config.js';

const CREDENTIAL = 'wgd.dev-1.secret';

let portalKey: PortalSigningKey;
let impostorKey: PortalSigningKey;
let dir: string;

beforeAll(async () => {
  portalKey = await PortalSigningKey.generate('portal-key-1');
  // Same kid as the pinned key, so only the signature itself can tell them apart.
  impostorKey = await PortalSigningKey.generate('portal-key-1');
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'waygate-config-sync-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Answer = ConfigOutcome | WaygateError;

const fresh = (signed: SignedConfig, etag: string | null = `"v${signed.config.policyVersion}"`): ConfigOutcome => ({ kind: 'config', signed, etag });
const unchanged: ConfigOutcome = { kind: 'unchanged' };
const down = () => new WaygateError('PORTAL_UNREACHABLE', 'The portal at https://portal.example could not be reached: ECONNREFUSED.');

/** A ConfigSync on a manual clock, a temp-dir cache and a portal that answers from `answers` in turn. */
function harness(answers: Answer[], options: { random?: number } = {}) {
  const clock = new ManualClock();
  const cachePath = join(dir, 'config.json');
  const cache = new JsonStore(cachePath, CachedConfig);
  const etags: (string | null)[] = [];
  const config = vi.fn((credential: string, etag: string | null): Promise<ConfigOutcome> => {
    expect(credential).toBe(CREDENTIAL);
    etags.push(etag);
    const answer = answers.shift();
    if (answer === undefined) return Promise.reject(new Error('unexpected config request'));
    return answer instanceof WaygateError ? Promise.reject(answer) : Promise.resolve(answer);
  });
  const applied: { config: EffectiveConfig; source: 'portal' | 'disk' }[] = [];
  const states: ConfigState[] = [];
  const onRejected = vi.fn();
  const sync = new ConfigSync({
    client: { config },
    credential: CREDENTIAL,
    deviceId: TEST_DEVICE_ID,
    pinnedKeys: [portalKey.publicJwk],
    cache,
    clock,
    random: () => options.random ?? 0.5,
    logger: silentLogger,
    onConfig: (config, source) => applied.push({ config, source }),
    onState: (state) => states.push(state),
    onRejected,
  });
  const lastState = () => states.at(-1);
  const readCache = async () => CachedConfig.parse(JSON.parse(await readFile(cachePath, 'utf8')));
  return { clock, sync, config, etags, applied, lastState, onRejected, cachePath, readCache };
}

describe('ConfigSync', () => {
  it('applies a config signed by the pinned key and caches it on disk', async () => {
    const signed = await portalKey.sign(effectiveConfig({ policyVersion: 4 }));
    const h = harness([fresh(signed)]);
    const state = await h.sync.syncNow('start');
    expect(h.applied).toEqual([{ config: signed.config, source: 'portal' }]);
    expect(h.sync.policyVersion).toBe(4);
    expect(state).toMatchObject({ policyVersion: 4, source: 'portal', lastError: null, syncedAt: new Date(h.clock.now()).toISOString() });
    await expect(h.readCache()).resolves.toEqual({ signed, etag: '"v4"', fetchedAt: h.clock.now() });
  });

  it('refuses a config signed by another key: CONFIG_REJECTED, the last good one stays, nothing is written', async () => {
    const good = await portalKey.sign(effectiveConfig({ policyVersion: 1 }));
    const forged = await impostorKey.sign(effectiveConfig({ policyVersion: 2 }));
    const h = harness([fresh(good), fresh(forged)]);
    await h.sync.syncNow('start');
    const cachedBefore = await readFile(h.cachePath, 'utf8');

    const state = await h.sync.syncNow('manual');
    expect(state.lastError?.code).toBe('CONFIG_REJECTED');
    expect(state.lastError?.message).toMatch(/signature does not verify.*last good config stays/);
    expect(h.applied).toEqual([{ config: good.config, source: 'portal' }]);
    expect(h.sync.policyVersion).toBe(1);
    expect(state.policyVersion).toBe(1);
    expect(await readFile(h.cachePath, 'utf8')).toBe(cachedBefore);
  });

  it('refuses a config for another device, and writes nothing when there is no config yet', async () => {
    const other = await portalKey.sign(effectiveConfig({ deviceId: 'dev-2' }));
    const h = harness([fresh(other)]);
    const state = await h.sync.syncNow('start');
    expect(state.lastError?.code).toBe('CONFIG_REJECTED');
    expect(state.lastError?.message).toContain('for device dev-2');
    expect(h.applied).toEqual([]);
    expect(h.sync.policyVersion).toBeNull();
    await expect(readFile(h.cachePath, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a config altered after signing', async () => {
    const signed = await portalKey.sign(effectiveConfig({ policyVersion: 3 }));
    const altered: SignedConfig = { ...signed, config: { ...signed.config, forwardingProfile: { ...signed.config.forwardingProfile, allowUserProxy: true } } };
    const h = harness([fresh(altered)]);
    expect((await h.sync.syncNow('start')).lastError?.code).toBe('CONFIG_REJECTED');
    expect(h.applied).toEqual([]);
  });

  it('sends the ETag and keeps the current config on 304', async () => {
    const signed = await portalKey.sign(effectiveConfig({ policyVersion: 5 }));
    const h = harness([fresh(signed, '"etag-5"'), unchanged]);
    await h.sync.syncNow('start');
    const state = await h.sync.syncNow('manual');
    expect(h.etags).toEqual([null, '"etag-5"']);
    expect(h.applied).toHaveLength(1);
    expect(state).toMatchObject({ policyVersion: 5, source: 'portal', lastError: null });
    expect(h.sync.policyVersion).toBe(5);
  });

  it('keeps the last good config when the portal is down, and says so in lastError', async () => {
    const signed = await portalKey.sign(effectiveConfig({ policyVersion: 2 }));
    const h = harness([fresh(signed), down()]);
    await h.sync.syncNow('start');
    const state = await h.sync.syncNow('manual');
    expect(state.lastError?.code).toBe('PORTAL_UNREACHABLE');
    expect(state.lastError?.message).toContain('could not be reached');
    expect(state.policyVersion).toBe(2);
    expect(h.applied).toHaveLength(1);
  });

  it('retries failures with doubling backoff from 5 s, capped at the poll interval, then polls normally', async () => {
    const signed = await portalKey.sign(effectiveConfig({ policyVersion: 1, configPollSeconds: 60 }));
    const h = harness([fresh(signed), down(), down(), down(), down(), down(), down(), unchanged], { random: 0.5 });
    await h.sync.syncNow('start');
    h.clock.advance(60_000);
    await h.sync.syncNow('share the interval sync');
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const [next] = h.clock.pending();
      if (!next) throw new Error('no retry scheduled');
      delays.push(next.ms);
      h.clock.advance(next.ms);
      await h.sync.syncNow('share the retry');
    }
    expect(delays).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
    expect(h.config).toHaveBeenCalledTimes(8);
    expect(h.lastState()?.lastError).toBeNull();
    expect(h.clock.pending().map((t) => t.ms)).toEqual([60_000]);
  });

  it('caps the backoff at 15 minutes before the first config', async () => {
    const h = harness(Array.from({ length: 12 }, down));
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      await h.sync.syncNow('retry');
      delays.push(h.clock.pending()[0]?.ms ?? -1);
    }
    expect(delays.slice(0, 4)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(Math.max(...delays)).toBe(15 * 60_000);
    expect(h.clock.pending()).toHaveLength(1);
  });

  it.each([
    [0, 810_000],
    [0.5, 900_000],
    [1, 990_000],
  ])('schedules the next sync at configPollSeconds, jittered by up to a tenth (random %f → %i ms)', async (random, ms) => {
    const signed = await portalKey.sign(effectiveConfig({ configPollSeconds: 900 }));
    const h = harness([fresh(signed), unchanged], { random });
    const state = await h.sync.syncNow('start');
    expect(h.clock.pending()).toEqual([{ at: h.clock.now() + ms, ms }]);
    expect(state.nextSyncAt).toBe(new Date(h.clock.now() + ms).toISOString());
    h.clock.advance(ms - 1);
    expect(h.config).toHaveBeenCalledTimes(1);
    h.clock.advance(1);
    expect(h.config).toHaveBeenCalledTimes(2);
    await h.sync.syncNow('share the interval sync');
  });

  it('loads a verified cache at start, marked as from disk', async () => {
    const signed = await portalKey.sign(effectiveConfig({ policyVersion: 6 }));
    await writeFile(join(dir, 'config.json'), JSON.stringify({ signed, etag: '"v6"', fetchedAt: 1 }));
    const h = harness([unchanged]);
    await h.sync.loadCache();
    expect(h.applied).toEqual([{ config: signed.config, source: 'disk' }]);
    expect(h.lastState()).toMatchObject({ policyVersion: 6, source: 'disk' });

    const state = await h.sync.syncNow('start');
    expect(h.etags).toEqual(['"v6"']);
    expect(state).toMatchObject({ policyVersion: 6, source: 'portal' });
    expect(h.applied.at(-1)).toEqual({ config: signed.config, source: 'portal' });
  });

  it('ignores a cached config that was tampered with, signed by another key, for another device, or unreadable', async () => {
    const signed = await portalKey.sign(effectiveConfig({ policyVersion: 6 }));
    const files = [
      JSON.stringify({ signed: { ...signed, config: { ...signed.config, policyVersion: 7 } }, etag: null, fetchedAt: 1 }),
      JSON.stringify({ signed: await impostorKey.sign(signed.config), etag: null, fetchedAt: 1 }),
      JSON.stringify({ signed: await portalKey.sign(effectiveConfig({ deviceId: 'dev-2' })), etag: null, fetchedAt: 1 }),
      '{"signed": ',
    ];
    for (const text of files) {
      await writeFile(join(dir, 'config.json'), text);
      const h = harness([]);
      await h.sync.loadCache();
      expect(h.applied).toEqual([]);
      expect(h.sync.policyVersion).toBeNull();
    }
  });

  it('reports a 401 as a rejection and stops polling', async () => {
    const revoked = new WaygateError('UNAUTHENTICATED', 'The portal no longer accepts this device; sign in again.');
    const h = harness([revoked]);
    const state = await h.sync.syncNow('start');
    expect(h.onRejected).toHaveBeenCalledWith(revoked);
    expect(state.lastError?.code).toBe('UNAUTHENTICATED');
    expect(h.clock.pending()).toEqual([]);
  });

  it('shares one fetch between concurrent syncs', async () => {
    const signed = await portalKey.sign(effectiveConfig());
    const h = harness([fresh(signed), unchanged]);
    const [a, b, c] = await Promise.all([h.sync.syncNow('start'), h.sync.syncNow('popup'), h.sync.syncNow('heartbeat')]);
    expect(h.config).toHaveBeenCalledTimes(1);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(h.applied).toHaveLength(1);
    expect(h.clock.pending()).toHaveLength(1);
  });

  it('schedules nothing after stop', async () => {
    const signed = await portalKey.sign(effectiveConfig());
    const h = harness([fresh(signed)]);
    await h.sync.syncNow('start');
    h.sync.stop();
    expect(h.clock.pending()).toEqual([]);
  });

  // Bug: sync() sets `this.cached` to the new config before `cache.save()`; when the save fails the
  // error is caught (lastError INTERNAL) but onConfig is never called, so `policyVersion` (what the
  // heartbeat reports to the portal) names a config the device is not applying. The next sync sends
  // the new ETag, gets 304, and — source already being 'portal' — never applies it either.
  it('never reports a policy version it does not apply when the cache cannot be written', async () => {
    const v1 = await portalKey.sign(effectiveConfig({ policyVersion: 1 }));
    const v2 = await portalKey.sign(effectiveConfig({ policyVersion: 2 }));
    const h = harness([fresh(v1), fresh(v2), unchanged]);
    await h.sync.syncNow('start');
    await rm(h.cachePath);
    await mkdir(join(h.cachePath, 'blocker'), { recursive: true });

    await h.sync.syncNow('manual');
    expect(h.applied.at(-1)?.config.policyVersion).toBe(h.sync.policyVersion);
    await h.sync.syncNow('manual');
    expect(h.applied.at(-1)?.config.policyVersion).toBe(h.sync.policyVersion);
  });
});
