/**
 * The shapes of the service's state files. Private to the service (not a wire contract): a newer
 * service reads an older one's files through these schemas, and anything invalid is set aside.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { Account } from '../../protocol/localapi.js';
import { PublicJwk, SignedConfig } from '../../protocol/portal.js';
import { JsonStore } from './json-store.js';

/** The device's enrollment: its credential, the portal keys pinned when it enrolled, who it belongs to. */
export const Enrollment = z.object({
  account: Account,
  credential: z.string().min(1),
  portalKeys: z.array(PublicJwk).min(1),
});
export type Enrollment = z.infer<typeof Enrollment>;

/** The last good config as the portal signed it (verified again against the pinned keys when read). */
export const CachedConfig = z.object({
  signed: SignedConfig,
  etag: z.string().nullable(),
  /** Epoch ms of the fetch that delivered it. */
  fetchedAt: z.number(),
});
export type CachedConfig = z.infer<typeof CachedConfig>;

/** The current edge token, so a service restarted while the portal is down can still reach the edge. */
export const StoredEdgeToken = z.object({ token: z.string().min(1), expiresAtMs: z.number() });

/** What the user asked for that outlives a restart. */
export const Intents = z.object({ disabledUntil: z.number().nullable() });
export type Intents = z.infer<typeof Intents>;

export interface StateFiles {
  enrollment: JsonStore<Enrollment>;
  config: JsonStore<CachedConfig>;
  intents: JsonStore<Intents>;
  edgeToken: JsonStore<z.infer<typeof StoredEdgeToken>>;
  /** The user's own system-proxy settings, kept while Waygate's are applied (host/proxy/system-proxy.ts). */
  systemProxySaved: string;
}

export function stateFiles(dir: string): StateFiles {
  return {
    enrollment: new JsonStore(join(dir, 'enrollment.json'), Enrollment),
    config: new JsonStore(join(dir, 'config.json'), CachedConfig),
    intents: new JsonStore(join(dir, 'intents.json'), Intents),
    edgeToken: new JsonStore(join(dir, 'edge-token.json'), StoredEdgeToken),
    systemProxySaved: join(dir, 'system-proxy-saved.json'),
  };
}
