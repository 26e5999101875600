import { describe, expect, it } from 'vitest';
import { LruCache } from '../../../../../cloud/portal/device/lru.js';

describe('LruCache', () => {
  it('forgets the least recently used entry when full', () => {
    const cache = new LruCache<string, number>({ maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('replaces a value without growing', () => {
    const cache = new LruCache<string, number>({ maxEntries: 2 });
    cache.set('a', 1);
    cache.set('a', 2);
    expect(cache.size).toBe(1);
    expect(cache.get('a')).toBe(2);
  });

  it('treats entries older than the TTL as absent', () => {
    let now = 1000;
    const cache = new LruCache<string, string>({ maxEntries: 10, ttlMs: 500, now: () => now });
    cache.set('k', 'v');
    now += 499;
    expect(cache.get('k')).toBe('v');
    now += 1;
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('caches null as a value, distinct from a miss', () => {
    const cache = new LruCache<string, null>({ maxEntries: 1 });
    cache.set('gone', null);
    expect(cache.get('gone')).toBeNull();
    expect(cache.get('other')).toBeUndefined();
  });

  it('refuses a cache with no room', () => {
    expect(() => new LruCache({ maxEntries: 0 })).toThrow(RangeError);
  });
});
