/** What every page gets from the shell: the API client and the signed-in admin. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { SessionInfo } from '../../../protocol/portal-admin.js';
import type { AdminApi } from './api.js';

export interface ConsoleContextValue {
  api: AdminApi;
  session: SessionInfo;
}

export const ConsoleContext = createContext<ConsoleContextValue | null>(null);

export function useConsole(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error('useConsole outside the console shell');
  return value;
}

export function useApi(): AdminApi {
  return useConsole().api;
}
