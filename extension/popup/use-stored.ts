import { useEffect, useState } from 'preact/hooks';
import type { StoredItem } from '../lib/stored.js';

/**
 * The current value of a stored item: the snapshot first, then every change; null until the
 * snapshot is read. The watch starts before the read so no change is missed; a change that lands
 * while the read is in flight wins over the (older) snapshot.
 */
export function useStored<T>(item: StoredItem<T>): T | null {
  const [value, setValue] = useState<{ current: T } | null>(null);
  useEffect(() => {
    let changed = false;
    const unwatch = item.watch((next) => {
      changed = true;
      setValue({ current: next });
    });
    void item.get().then((snapshot) => {
      if (!changed) setValue({ current: snapshot });
    });
    return unwatch;
  }, [item]);
  return value === null ? null : value.current;
}
