/**
 * Whether and how this service sets the system proxy. The system proxy is a per-user desktop
 * setting, so only a service running as that user (user mode) sets it; the privileged service
 * leaves it alone until a per-user agent exists to apply it.
 */
import type { ServiceMode } from '../../protocol/localapi.js';
import type { Logger } from '../log.js';
import { SystemProxyManager, execFileRunner, systemProxyBackends, type SystemProxyResult } from '../proxy/system-proxy.js';
import { leaveSystemProxyAlone, type SystemProxyEffects } from './system-proxy-effects.js';

/** `auto`: only in user mode; `on`: also when privileged (a service run for one desktop user); `off`: never. */
export type SystemProxyChoice = 'auto' | 'on' | 'off';

export async function systemProxyEffects(choice: SystemProxyChoice, mode: ServiceMode, savedFile: string, logger: Logger): Promise<SystemProxyEffects> {
  if (choice === 'off') return leaveSystemProxyAlone('Waygate was told not to set the system proxy (--system-proxy off).');
  if (mode === 'system' && choice === 'auto') return leaveSystemProxyAlone('The system proxy is set per user; the privileged service does not change it.');
  const manager = new SystemProxyManager({ backends: await systemProxyBackends(process.platform, execFileRunner, process.env), savedFile, logger });
  const view = ({ state, detail }: SystemProxyResult) => ({ state, detail });
  return {
    apply: async (url) => view(await manager.apply({ kind: 'pac', url })),
    restore: async () => view(await manager.restore()),
    recoverAtStart: async () => (await manager.recoverAtStart()).recovered,
  };
}
