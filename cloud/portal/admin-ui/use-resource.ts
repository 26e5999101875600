/**
 * Data a page shows: loaded on mount and when `deps` change, optionally refreshed every `pollMs`
 * while the tab is visible (the admin API has no change stream; a device list that updates itself
 * is worth a small request every few seconds). A refresh keeps the old data on screen until the new
 * arrives, and a reply that comes back after a newer request started is dropped.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Resource<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Epoch ms of the last successful load. */
  loadedAt: number | null;
  reload(): Promise<void>;
}

export function useResource<T>(load: () => Promise<T>, deps: readonly unknown[], pollMs?: number): Resource<T> {
  const [state, setState] = useState<{ data: T | undefined; error: Error | undefined; loading: boolean; loadedAt: number | null }>({
    data: undefined,
    error: undefined,
    loading: true,
    loadedAt: null,
  });
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await loadRef.current();
      if (mine === seq.current) setState({ data, error: undefined, loading: false, loadedAt: Date.now() });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (mine === seq.current) setState((s) => ({ ...s, error, loading: false }));
    }
  }, []);

  useEffect(() => {
    setState({ data: undefined, error: undefined, loading: true, loadedAt: null });
    void reload();
  }, deps);

  useEffect(() => {
    if (!pollMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void reload();
    }, pollMs);
    const onVisible = () => {
      if (document.visibilityState === 'visible') void reload();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [pollMs, reload]);

  return { ...state, reload };
}
