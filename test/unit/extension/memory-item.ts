/** A StoredItem kept in memory: what the worker's storage holds, for tests that restart the worker. */
import type { StoredItem } from '../../../extension/lib/stored.js';

export interface MemoryItem<T> extends StoredItem<T> {
  value: T;
  writes: number;
}

export function memoryItem<T>(initial: T): MemoryItem<T> {
  const item: MemoryItem<T> = {
    value: initial,
    writes: 0,
    get: () => Promise.resolve(item.value),
    set: (value) => {
      item.value = value;
      item.writes += 1;
      return Promise.resolve();
    },
    watch: () => () => undefined,
  };
  return item;
}
