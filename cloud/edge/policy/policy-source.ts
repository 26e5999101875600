/**
 * The access policy and revoked devices as this edge knows them, pulled from the portal's edge API
 * (protocol/portal-edge.ts) with If-None-Match.
 *
 * Invariants:
 * - A pull that fails (portal down, HTTP error, a body that does not parse) keeps the last good
 *   policy; the edge goes on enforcing it. Each failure is reported once per streak, with the reason.
 * - With `cacheFile`, each new policy is written there atomically and read back by `open`, so a
 *   restarted edge enforces the last policy before it reaches the portal.
 * - Before any policy is known the edge is fail-closed: `current()` is null and callers refuse.
 * - A new policy is one immutable snapshot swapped in one step; listeners hear of it after the swap.
 *
 * Lifecycle: `open` → `start` (pull now, then every `intervalMs`) → `stop`.
 */
import { z } from 'zod';
import { EDGE_POLICY_PATH, EdgePolicy } from '../../../protocol/portal-edge.js';
import type { FetchLike } from '../auth/jwks-cache.js';
import { PeriodicPull, reportTo } from '../periodic-pull.js';
import { readStateFile, writeFileAtomic } from '../../../platform/state-file.js';

const MAX_POLICY_BYTES = 16 * 1024 * 1024;

/** What the cache file holds; edge-local. */
const PolicyCacheFile = z.object({ version: z.literal(1), etag: z.string(), fetchedAt: z.number(), policy: EdgePolicy });

export interface PolicySnapshot {
  readonly policy: EdgePolicy;
  /** Device id → revocation time (epoch ms). */
  readonly revoked: ReadonlyMap<string, number>;
  readonly etag: string;
  /** When the portal served it (epoch ms). */
  readonly fetchedAt: number;
}

export interface PolicySourceOptions {
  portalUrl: string;
  edgeKey: string;
  cacheFile?: string;
  fetch?: FetchLike;
  now?: () => number;
  intervalMs?: number;
  fetchTimeoutMs?: number;
  onError?: (error: Error) => void;
  onChange?: (snapshot: PolicySnapshot) => void;
}

export type PullResult = { ok: true; changed: boolean } | { ok: false; error: Error };

function snapshotOf(policy: EdgePolicy, etag: string, fetchedAt: number): PolicySnapshot {
  return { policy, etag, fetchedAt, revoked: new Map(policy.revokedDevices.map((device) => [device.id, device.revokedAt])) };
}

export class EdgePolicySource {
  readonly url: string;
  private readonly options: PolicySourceOptions;
  private readonly fetch: FetchLike;
  private readonly now: () => number;
  private snapshot: PolicySnapshot | null = null;
  private failing = false;
  private readonly pulls: PeriodicPull<PullResult>;

  private constructor(options: PolicySourceOptions) {
    this.options = options;
    this.url = `${options.portalUrl.replace(/\/+$/, '')}${EDGE_POLICY_PATH}`;
    this.fetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.now = options.now ?? Date.now;
    this.pulls = new PeriodicPull(() => this.pullAndSwap(), options.intervalMs ?? 10_000);
  }

  /** Builds the source and loads the cache file if there is one. Does not reach the portal. */
  static async open(options: PolicySourceOptions): Promise<EdgePolicySource> {
    const source = new EdgePolicySource(options);
    if (options.cacheFile !== undefined) {
      try {
        const file = await readStateFile(options.cacheFile, PolicyCacheFile);
        if (file !== undefined) source.snapshot = snapshotOf(file.policy, file.etag, file.fetchedAt);
      } catch (err) {
        source.report(new Error(`Ignoring the policy cache ${options.cacheFile}: ${message(err)}`, { cause: err }));
      }
    }
    return source;
  }

  /** The policy in force, or null before the first one (the edge then refuses everything). */
  current(): PolicySnapshot | null {
    return this.snapshot;
  }

  /** Pulls now (or joins the pull under way). Never throws; never drops the last good policy. */
  pull(): Promise<PullResult> {
    return this.pulls.now();
  }

  /** Pull now, then every `intervalMs`. The timer does not keep the process alive. */
  start(): void {
    this.pulls.start();
  }

  stop(): void {
    this.pulls.stop();
  }

  private report(error: Error): void {
    reportTo(this.options.onError, error);
  }

  private async pullAndSwap(): Promise<PullResult> {
    let next: PolicySnapshot | null;
    try {
      next = await this.download();
    } catch (err) {
      const error = new Error(`Could not pull the policy from ${this.url}: ${message(err)}; enforcing the last good policy.`, { cause: err });
      if (!this.failing) this.report(error);
      this.failing = true;
      return { ok: false, error };
    }
    this.failing = false;
    if (next === null) return { ok: true, changed: false };
    this.snapshot = next;
    await this.saveFile(next);
    try {
      this.options.onChange?.(next);
    } catch (err) {
      this.report(new Error(`A policy listener failed: ${message(err)}`, { cause: err }));
    }
    return { ok: true, changed: true };
  }

  /** The new snapshot, or null when the portal answered 304. */
  private async download(): Promise<PolicySnapshot | null> {
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${this.options.edgeKey}` };
    if (this.snapshot !== null) headers['if-none-match'] = this.snapshot.etag;
    const res = await this.fetch(this.url, { signal: AbortSignal.timeout(this.options.fetchTimeoutMs ?? 5_000), headers });
    if (res.status === 304) {
      await res.body?.cancel();
      return null;
    }
    if (res.status !== 200) {
      const text = await res.text();
      throw new Error(`HTTP ${res.status}${text ? `: ${text.slice(0, 300)}` : ''}`);
    }
    const text = await res.text();
    if (text.length > MAX_POLICY_BYTES) throw new Error('the policy is too large');
    const policy = EdgePolicy.parse(JSON.parse(text));
    return snapshotOf(policy, res.headers.get('etag') ?? '', this.now());
  }

  private async saveFile(snapshot: PolicySnapshot): Promise<void> {
    const path = this.options.cacheFile;
    if (path === undefined) return;
    try {
      const body = JSON.stringify({ version: 1, etag: snapshot.etag, fetchedAt: snapshot.fetchedAt, policy: snapshot.policy });
      // The file names users and groups: readable by the edge only.
      await writeFileAtomic(path, body, 0o600);
    } catch (err) {
      this.report(new Error(`Could not write the policy cache ${path}: ${message(err)}`, { cause: err }));
    }
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
