/**
 * The current route, from the address bar. Navigation goes through `navigate` (history.pushState)
 * and the back/forward buttons (popstate); every subscriber re-renders on both.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { href, parseRoute, type Route } from './routes.js';

const listeners = new Set<() => void>();

export function navigate(to: Route, options: { replace?: boolean } = {}): void {
  const url = href(to);
  if (url === location.pathname) return;
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  for (const listener of listeners) listener();
}

export function useRoute(): Route {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return useMemo(() => parseRoute(path), [path]);
}
