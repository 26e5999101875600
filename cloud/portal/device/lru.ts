/**
 * A bounded map that forgets the least recently used entry first, with an optional time to live.
 * Map keeps insertion order, so re-inserting on every hit makes the first key the oldest.
 * Small on purpose: the portal needs get/set/delete, nothing else.
 */
export interface LruOptions {
  maxEntries: number;
  /** Entries older than this are treated as absent; omit for no expiry. */
  ttlMs?: number;
  /** Epoch ms; injected so tests can move time. */
  now?: () => number;
}

interface Entry<V> {
  value: V;
  storedAt: number;
}

export class LruCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private readonly now: () => number;

  constructor(private readonly options: LruOptions) {
    if (options.maxEntries < 1) throw new RangeError('an LRU cache needs room for at least one entry');
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.options.ttlMs !== undefined && this.now() - entry.storedAt >= this.options.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, storedAt: this.now() });
    if (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}
