/**
 * What protection needs from the system proxy: point it at a PAC URL, give the user's own settings
 * back, and undo what a crashed run left. host/proxy/system-proxy.ts does the work per desktop and OS.
 */
import type { SystemProxyView } from '../../protocol/localapi.js';

export interface SystemProxyEffects {
  apply(pacUrl: string): Promise<SystemProxyView>;
  restore(): Promise<SystemProxyView>;
  /** Restores settings a previous run left applied; true when there were some. */
  recoverAtStart(): Promise<boolean>;
}

/** For a service that must not touch the system proxy (`--system-proxy off`, the privileged service). */
export function leaveSystemProxyAlone(detail: string): SystemProxyEffects {
  const view: SystemProxyView = { state: 'untouched', detail };
  return { apply: () => Promise.resolve(view), restore: () => Promise.resolve(view), recoverAtStart: () => Promise.resolve(false) };
}
