/**
 * What every route module of the portal gets: the store, the settings, the clock and the logger,
 * plus the two things that need more than the store — the signer and the audit log.
 */
import type { Logger } from 'pino';
import type { PortalConfig } from './config.js';
import { PortalSigner } from './crypto/signing-keys.js';
import { randomToken } from './crypto/secrets.js';
import type { Org, Store } from './store/store.js';

export interface PortalContext {
  store: Store;
  config: PortalConfig;
  logger: Logger;
  /** Epoch ms; injected so tests can move time (device code expiry, lockouts, token lifetimes). */
  now: () => number;
  /** The org this portal serves. */
  org: Org;
  /** The signer of the org's active key (read from the store, so replicas agree). */
  signer(): Promise<PortalSigner>;
  /** Records an admin or security-relevant change. */
  audit(actorUserId: string | null, action: string, target: string, details?: unknown): Promise<void>;
}

export function createContext(deps: Omit<PortalContext, 'signer' | 'audit'>): PortalContext {
  let cached: PortalSigner | null = null;
  return {
    ...deps,
    async signer() {
      const key = await deps.store.activeSigningKey(deps.org.id);
      if (!key) throw new Error('the org has no signing key; run `waygate-portal init`');
      if (cached?.kid !== key.kid) cached = new PortalSigner(key);
      return cached;
    },
    async audit(actorUserId, action, target, details = {}) {
      await deps.store.addAudit({ id: randomToken(12), orgId: deps.org.id, at: deps.now(), actorUserId, action, target, details });
    },
  };
}
