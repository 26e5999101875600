/**
 * What browser-only mode keeps between wakes of the worker. The device credential, the pinned
 * portal keys and the account live in local storage (they must survive a browser restart, as the
 * app keeps them on disk); the edge token lives in session storage (memory only).
 */
import { z } from 'zod';
import { WireError } from '../../../protocol/errors.js';
import { Account } from '../../../protocol/localapi.js';
import { DeviceAuthorizeResponse, PublicJwk, SignedConfig } from '../../../protocol/portal.js';
import type { DeviceSnapshot } from '../../lib/device-state.js';

export const Enrollment = z.object({
  portalUrl: z.string(),
  /** `wgd.<deviceId>.<secret>`: the device's bearer credential at the portal. */
  credential: z.string(),
  /** Pinned at enrollment: the config signature must verify against one of these. */
  portalKeys: z.array(PublicJwk),
  account: Account,
});
export type Enrollment = z.infer<typeof Enrollment>;

/** The last good config (its signature checked when it arrived) and its ETag. */
export const StoredConfig = z.object({ signed: SignedConfig, etag: z.string().nullable() });
export type StoredConfig = z.infer<typeof StoredConfig>;

/** Epoch ms throughout. */
export const SyncState = z.object({
  syncedAt: z.number().nullable(),
  lastError: WireError.nullable(),
  nextSyncAt: z.number().nullable(),
});
export type SyncState = z.infer<typeof SyncState>;

export const NEVER_SYNCED: SyncState = { syncedAt: null, lastError: null, nextSyncAt: null };

/** A sign-in in progress (the device code, to resume polling on the next wake) or how the last one failed. */
export const PendingLogin = z.discriminatedUnion('state', [
  z.object({ state: z.literal('waiting'), portalUrl: z.string(), code: DeviceAuthorizeResponse, expiresAt: z.number() }),
  z.object({ state: z.literal('failed'), error: WireError }),
]);
export type PendingLogin = z.infer<typeof PendingLogin>;

export const EdgeToken = z.object({ username: z.string(), token: z.string(), issuedAt: z.number(), expiresAt: z.number() });
export type EdgeToken = z.infer<typeof EdgeToken>;

export interface Slot<T> {
  get(): Promise<T>;
  set(value: T): Promise<void>;
}

export interface BrowserOnlyStore {
  enrollment: Slot<Enrollment | null>;
  config: Slot<StoredConfig | null>;
  sync: Slot<SyncState>;
  login: Slot<PendingLogin | null>;
  /** Session storage. */
  token: Slot<EdgeToken | null>;
  /** Epoch ms until which the user turned protection off. */
  disabledUntil: Slot<number | null>;
  snapshot: Slot<DeviceSnapshot | null>;
}
