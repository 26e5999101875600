/**
 * The portal's public signing keys, as the edge knows them.
 *
 * Invariants:
 * - The key set is replaced only by a response that parsed as a `Jwks` and whose every key imports;
 *   a failed refresh (portal down, HTTP error, bad body) keeps the last good set, so the edge keeps
 *   verifying tokens while the portal is away.
 * - With `cacheFile`, every new set is written there atomically (temp + rename) and read back by
 *   `open`, so a restarted edge verifies before it has reached the portal.
 * - A token naming an unknown `kid` triggers at most one fetch per `unknownKidIntervalMs` (any fetch
 *   counts), and concurrent lookups share one fetch: unknown kids cannot hammer the portal.
 *
 * Lifecycle: `open` → `start` (first fetch now, then every `refreshIntervalMs`) → `stop`.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { Jwks, type PublicJwk } from '../../../protocol/portal.js';
import { PeriodicPull, reportTo } from '../periodic-pull.js';
import { readStateFile, writeFileAtomic } from '../../../platform/state-file.js';
import type { EdgeKeySource } from './verify-token.js';

export const JWKS_PATH = '/.well-known/jwks.json';
const MAX_JWKS_BYTES = 1024 * 1024;

/** What the cache file holds. Edge-local: only this module writes and reads it. */
const JwksCacheFile = z.object({ version: z.literal(1), fetchedAt: z.number(), jwks: Jwks });

export type FetchLike = (url: string, init: { signal: AbortSignal; headers: Record<string, string> }) => Promise<Response>;

export interface JwksCacheOptions {
  /** The portal's base URL; keys come from `<portalUrl>/.well-known/jwks.json`. */
  portalUrl: string;
  /** Where to keep the last good key set across restarts. */
  cacheFile?: string;
  fetch?: FetchLike;
  /** Epoch milliseconds. */
  now?: () => number;
  refreshIntervalMs?: number;
  unknownKidIntervalMs?: number;
  fetchTimeoutMs?: number;
  /** Told about every failed refresh and cache-file problem; the cache carries on regardless. */
  onError?: (error: Error) => void;
}

export type RefreshResult = { ok: true; keys: number } | { ok: false; error: Error };

interface KeySet {
  jwks: Jwks;
  byKid: ReadonlyMap<string, KeyObject>;
  /** When the portal served this set (epoch ms); null when none has been loaded. */
  fetchedAt: number | null;
}

const EMPTY: KeySet = { jwks: { keys: [] }, byKid: new Map(), fetchedAt: null };

/** Imports every key, or throws: a set with a key that cannot verify anything is not taken. */
function buildKeySet(jwks: Jwks, fetchedAt: number): KeySet {
  const byKid = new Map<string, KeyObject>();
  for (const jwk of jwks.keys) byKid.set(jwk.kid, importKey(jwk));
  return { jwks, byKid, fetchedAt };
}

function importKey(jwk: PublicJwk): KeyObject {
  const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`Key ${jwk.kid} is not an Ed25519 key.`);
  return key;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

export class JwksCache implements EdgeKeySource {
  readonly url: string;
  private readonly options: JwksCacheOptions;
  private readonly fetch: FetchLike;
  private readonly now: () => number;
  private readonly refreshIntervalMs: number;
  private readonly unknownKidIntervalMs: number;
  private readonly fetchTimeoutMs: number;
  private set: KeySet = EMPTY;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private readonly pulls: PeriodicPull<RefreshResult>;

  private constructor(options: JwksCacheOptions) {
    this.options = options;
    this.url = `${options.portalUrl.replace(/\/+$/, '')}${JWKS_PATH}`;
    this.fetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.now = options.now ?? Date.now;
    this.refreshIntervalMs = options.refreshIntervalMs ?? 5 * 60_000;
    this.unknownKidIntervalMs = options.unknownKidIntervalMs ?? 30_000;
    this.fetchTimeoutMs = options.fetchTimeoutMs ?? 5_000;
    this.pulls = new PeriodicPull(() => this.fetchAndSwap(), this.refreshIntervalMs);
  }

  /** Builds the cache and loads the cache file if there is one. Does not reach the portal. */
  static async open(options: JwksCacheOptions): Promise<JwksCache> {
    const cache = new JwksCache(options);
    await cache.loadFile();
    return cache;
  }

  /** The current key set, as the portal published it. */
  get jwks(): Jwks {
    return this.set.jwks;
  }

  /** When the current key set was fetched from the portal (epoch ms), or null if never. */
  get fetchedAt(): number | null {
    return this.set.fetchedAt;
  }

  async keyFor(kid: string): Promise<KeyObject | undefined> {
    const known = this.set.byKid.get(kid);
    if (known !== undefined) return known;
    if (!this.pulls.running && this.now() - this.lastAttemptAt < this.unknownKidIntervalMs) return undefined;
    await this.refresh();
    return this.set.byKid.get(kid);
  }

  /** Fetches the key set now (or joins the fetch under way). Never throws; never drops good keys. */
  refresh(): Promise<RefreshResult> {
    return this.pulls.now();
  }

  /** First fetch now, then one every `refreshIntervalMs`. The timer does not keep the process alive. */
  start(): void {
    this.pulls.start();
  }

  stop(): void {
    this.pulls.stop();
  }

  private report(error: Error): void {
    reportTo(this.options.onError, error);
  }

  private async fetchAndSwap(): Promise<RefreshResult> {
    this.lastAttemptAt = this.now();
    let next: KeySet;
    try {
      next = buildKeySet(await this.download(), this.now());
    } catch (err) {
      const error = new Error(`Could not refresh the portal keys from ${this.url}: ${asError(err).message}`, { cause: err });
      this.report(error);
      return { ok: false, error };
    }
    this.set = next;
    await this.saveFile(next);
    return { ok: true, keys: next.byKid.size };
  }

  private async download(): Promise<Jwks> {
    const res = await this.fetch(this.url, { signal: AbortSignal.timeout(this.fetchTimeoutMs), headers: { accept: 'application/json' } });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`HTTP ${res.status}`);
    }
    if (Number(res.headers.get('content-length') ?? 0) > MAX_JWKS_BYTES) {
      await res.body?.cancel();
      throw new Error('the key set is too large');
    }
    const text = await res.text();
    if (text.length > MAX_JWKS_BYTES) throw new Error('the key set is too large');
    return Jwks.parse(JSON.parse(text));
  }

  private async loadFile(): Promise<void> {
    const path = this.options.cacheFile;
    if (path === undefined) return;
    try {
      const file = await readStateFile(path, JwksCacheFile);
      if (file !== undefined) this.set = buildKeySet(file.jwks, file.fetchedAt);
    } catch (err) {
      this.report(new Error(`Ignoring the key cache ${path}: ${asError(err).message}`, { cause: err }));
    }
  }

  private async saveFile(set: KeySet): Promise<void> {
    const path = this.options.cacheFile;
    if (path === undefined || set.fetchedAt === null) return;
    try {
      await writeFileAtomic(path, JSON.stringify(JwksCacheFile.parse({ version: 1, fetchedAt: set.fetchedAt, jwks: set.jwks })));
    } catch (err) {
      this.report(new Error(`Could not write the key cache ${path}: ${asError(err).message}`, { cause: err }));
    }
  }
}
