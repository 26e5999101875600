import { useEffect, useState } from 'preact/hooks';
import { readHostLink, watchHostLink, type HostLink } from '../lib/connection-state.js';

/**
 * The current `HostLink`: the stored snapshot first, then every change. Null until the snapshot is
 * read. The watch starts before the read so no change is missed; a change that lands while the read
 * is in flight wins over the (older) snapshot.
 */
export function useHostLink(): HostLink | null {
  const [link, setLink] = useState<HostLink | null>(null);
  useEffect(() => {
    let changed = false;
    const unwatch = watchHostLink((next) => {
      changed = true;
      setLink(next);
    });
    void readHostLink().then((snapshot) => {
      if (!changed) setLink(snapshot);
    });
    return unwatch;
  }, []);
  return link;
}
