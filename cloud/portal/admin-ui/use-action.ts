/**
 * Runs an admin change and says how it went: the success text, or the portal's own message on
 * failure. Never rejects, so buttons can fire and forget; resolves to whether it worked.
 */
import { useCallback } from 'preact/hooks';
import { useNotify } from './components/Notices.js';

export function useAction(): <T>(change: () => Promise<T>, success: string | ((result: T) => string)) => Promise<T | undefined> {
  const notify = useNotify();
  return useCallback(
    async <T>(change: () => Promise<T>, success: string | ((result: T) => string)) => {
      try {
        const result = await change();
        notify('success', typeof success === 'function' ? success(result) : success);
        return result;
      } catch (err) {
        notify('error', err instanceof Error ? err.message : String(err));
        return undefined;
      }
    },
    [notify],
  );
}
