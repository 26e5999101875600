/**
 * Where a request goes, per the profile's PAC: the ordered routes its answer lists, or — when the
 * PAC cannot answer (it fails to compile, throws, loops, explodes, or returns garbage) — the
 * profile's fail-open answer (DIRECT) or fail-closed answer (no route: blocked). The proxy carries on
 * either way.
 *
 * Decisions are per origin (scheme, host, port): the PAC is asked with the URL reduced to
 * `scheme://host:port/` — as Chromium does for https:// — so the cached decision is exactly what the
 * script answers for any URL of that origin, whichever came first. A PAC that decides by path is
 * therefore not honoured.
 *
 * Cache: at most `cacheSize` origins, least recently used dropped first, each kept for `cacheTtlMs`
 * (time- and DNS-dependent answers move on); failures are remembered for `failureTtlMs` so that a
 * hostile script is not re-run for every request. `policyChanged` empties it and reloads the script.
 */
import { networkInterfaces } from 'node:os';
import { lookup } from 'node:dns/promises';
import { parsePacAnswer, type PacRoute } from './pac-answer.js';
import type { PacEngineLimits } from './pac-engine.js';
import type { PacEnvironment, PacLookup } from './pac-functions.js';
import { PacEvaluationError, PacSandbox } from './pac-sandbox.js';

export interface PacTarget {
  readonly scheme: 'http' | 'https';
  /** As a URL writes it: lower case, IPv6 in brackets. */
  readonly host: string;
  readonly port: number;
}

export interface PacDecision {
  /** In order; empty when the request is blocked. */
  readonly routes: readonly PacRoute[];
  /** `pac`: the script answered; otherwise the profile's answer for a PAC that could not. */
  readonly source: 'pac' | 'fail-open' | 'fail-closed';
  /** What FindProxyForURL returned, when it returned a string. */
  readonly pacResult: string | null;
  /** One sentence for people: why this decision. */
  readonly reason: string;
}

/** The clock and zone PAC scripts see (injected in tests: weekdayRange, dateRange, timeRange). */
export interface PacClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Minutes west of UTC at that instant, as Date.prototype.getTimezoneOffset counts them. */
  timezoneOffset(epochMs: number): number;
}

export const SYSTEM_CLOCK: PacClock = { now: () => Date.now(), timezoneOffset: (ms) => new Date(ms).getTimezoneOffset() };

export interface PacDeciderOptions {
  /** The PAC script in force (read again after `policyChanged`). */
  pac: () => string;
  /** The profile's answer when the PAC cannot give one: true → DIRECT, false → blocked. */
  failOpen: () => boolean;
  /** dnsResolve/isResolvable/isInNet; defaults to the system resolver (IPv4). */
  resolve?: PacLookup;
  /** myIpAddress(); defaults to the first non-internal IPv4 interface address. */
  myAddress?: () => string;
  clock?: PacClock;
  /** false: every decision runs the script (the benchmark's baseline). */
  cache?: boolean;
  cacheSize?: number;
  cacheTtlMs?: number;
  failureTtlMs?: number;
  /** The whole evaluation, name lookups included. */
  timeoutMs?: number;
  limits?: Partial<PacEngineLimits>;
  recycleAfter?: number;
  /** Monotonic milliseconds, for cache expiry. */
  monotonicNow?: () => number;
}

interface CacheEntry {
  readonly expires: number;
  /** A decision, or the failure to re-answer with the profile's current fail-open setting. */
  readonly value: PacDecision | { readonly failure: string };
}

const systemResolve: PacLookup = async (host) => (await lookup(host, { family: 4 })).address;

export function firstInterfaceAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    const found = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found) return found.address;
  }
  return '127.0.0.1';
}

export function pacUrlFor(target: PacTarget): string {
  const defaultPort = target.scheme === 'https' ? 443 : 80;
  return `${target.scheme}://${target.host}${target.port === defaultPort ? '' : `:${target.port}`}/`;
}

export class PacDecider {
  private readonly sandbox: PacSandbox;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<PacDecision>>();
  private readonly clock: PacClock;
  private readonly myAddress: () => string;
  private readonly monotonicNow: () => number;
  private readonly caching: boolean;
  private readonly cacheSize: number;
  private readonly cacheTtlMs: number;
  private readonly failureTtlMs: number;
  private loaded = false;
  /** Bumped by policyChanged: an evaluation started before it must not fill the emptied cache. */
  private generation = 0;

  constructor(private readonly options: PacDeciderOptions) {
    this.sandbox = new PacSandbox({
      resolve: options.resolve ?? systemResolve,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.recycleAfter === undefined ? {} : { recycleAfter: options.recycleAfter }),
    });
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.myAddress = options.myAddress ?? firstInterfaceAddress;
    this.monotonicNow = options.monotonicNow ?? (() => performance.now());
    this.caching = options.cache ?? true;
    this.cacheSize = options.cacheSize ?? 10_000;
    this.cacheTtlMs = options.cacheTtlMs ?? 5 * 60_000;
    this.failureTtlMs = options.failureTtlMs ?? 10_000;
  }

  /** The decision for a request to `target`. Never rejects. */
  decide(target: PacTarget): Promise<PacDecision> {
    const key = `${target.scheme}://${target.host}:${target.port}`;
    const hit = this.caching ? this.cached(key) : null;
    if (hit !== null) return Promise.resolve(hit);
    const running = this.inFlight.get(key);
    if (running !== undefined) return running;
    const decision: Promise<PacDecision> = this.evaluate(key, target).finally(() => {
      if (this.inFlight.get(key) === decision) this.inFlight.delete(key);
    });
    this.inFlight.set(key, decision);
    return decision;
  }

  /** The PAC or the fail-open setting changed: forget every decision; the next one reads the script again. */
  policyChanged(): void {
    this.cache.clear();
    this.inFlight.clear();
    this.loaded = false;
    this.generation++;
  }

  /** How many origins are cached (for tests and the benchmark's memory check). */
  get cachedCount(): number {
    return this.cache.size;
  }

  close(): Promise<void> {
    this.cache.clear();
    return this.sandbox.close();
  }

  private cached(key: string): PacDecision | null {
    const entry = this.cache.get(key);
    if (entry === undefined) return null;
    if (entry.expires <= this.monotonicNow()) {
      this.cache.delete(key);
      return null;
    }
    // Most recently used last: re-inserting moves it to the end of the Map's order.
    this.cache.delete(key);
    this.cache.set(key, entry);
    return 'failure' in entry.value ? this.failed(entry.value.failure) : entry.value;
  }

  private remember(generation: number, key: string, value: CacheEntry['value'], ttlMs: number): void {
    if (!this.caching || generation !== this.generation) return;
    this.cache.delete(key);
    this.cache.set(key, { expires: this.monotonicNow() + ttlMs, value });
    if (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
  }

  private async evaluate(key: string, target: PacTarget, retried = false): Promise<PacDecision> {
    const generation = this.generation;
    if (!this.loaded) {
      this.sandbox.setScript(this.options.pac());
      this.loaded = true;
    }
    const now = this.clock.now();
    const env: PacEnvironment = { now, timezoneOffset: this.clock.timezoneOffset(now), myAddress: this.myAddress() };
    let answer: string;
    try {
      answer = await this.sandbox.evaluate(pacUrlFor(target), target.host.replace(/^\[(.*)\]$/, '$1'), env);
    } catch (err) {
      // Terminated for another evaluation's overrun: this one never got its turn.
      if (err instanceof PacEvaluationError && err.kind === 'restarted' && !retried) return this.evaluate(key, target, true);
      const failure = `the PAC could not answer (${err instanceof Error ? err.message : String(err)})`;
      this.remember(generation, key, { failure }, this.failureTtlMs);
      return this.failed(failure);
    }
    const routes = parsePacAnswer(answer);
    if (routes === null) {
      const failure = `the PAC answered ${JSON.stringify(answer.slice(0, 200))}, which names no usable proxy or DIRECT`;
      this.remember(generation, key, { failure }, this.failureTtlMs);
      return this.failed(failure);
    }
    const decision: PacDecision = { routes, source: 'pac', pacResult: answer, reason: `The PAC answers "${answer}".` };
    this.remember(generation, key, decision, this.cacheTtlMs);
    return decision;
  }

  private failed(failure: string): PacDecision {
    return this.options.failOpen()
      ? { routes: [{ kind: 'direct' }], source: 'fail-open', pacResult: null, reason: `${capitalise(failure)}; the profile fails open, so the request goes direct.` }
      : { routes: [], source: 'fail-closed', pacResult: null, reason: `${capitalise(failure)}; the profile fails closed, so the request is blocked.` };
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
