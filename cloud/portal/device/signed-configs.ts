/**
 * The signed effective config of each device, built once per (device, policy version, signing
 * key, owner's email and groups, OS) and then served from memory. A revalidation — the common
 * case, every device polls — costs the current-policy read and a map hit: no policy evaluation,
 * no signing, no hashing of the config.
 *
 * Policy versions are immutable, so a cached config is stale only when one of the key's parts
 * changes, and then the key changes with it. The signer is re-read every SIGNER_TTL_MS, so a key
 * rotation reaches devices within that time.
 */
import { WaygateError } from '../../../protocol/errors.js';
import { Policy } from '../../../protocol/policy.js';
import { DeviceOs } from '../../../protocol/portal.js';
import type { PortalContext } from '../context.js';
import type { PortalSigner } from '../crypto/signing-keys.js';
import { effectiveConfig } from '../policy/effective-config.js';
import type { PolicyVersion } from '../store/store.js';
import type { AuthenticatedDevice } from './device-auth.js';
import { etagOf } from './etag.js';
import { LruCache } from './lru.js';

/**
 * Room for every device of a large org (the benchmark drives 10,000): an LRU smaller than the set
 * of devices polling round-robin would miss on every request. A signed config is a few KiB.
 */
const MAX_CONFIGS = 20_000;
/** Parsed policy documents; only the newest one or two are in use at any moment. */
const MAX_POLICIES = 4;
export const SIGNER_TTL_MS = 10_000;
/**
 * How long the current policy version number is reused before it is read again. Devices poll every
 * few minutes, so a second of delay in seeing a new version costs nothing, and it saves a database
 * round trip on every poll (the difference between PostgreSQL meeting its throughput target or not).
 */
export const POLICY_VERSION_TTL_MS = 1_000;

export interface SignedConfigBody {
  /** The SignedConfig as sent, serialised once. */
  body: string;
  etag: string;
}

type Cached = SignedConfigBody | { denied: string };

export class SignedConfigs {
  private readonly configs = new LruCache<string, Cached>({ maxEntries: MAX_CONFIGS });
  private readonly policies = new LruCache<number, { version: PolicyVersion; policy: Policy }>({ maxEntries: MAX_POLICIES });
  private signer: { value: PortalSigner; readAt: number } | null = null;
  private currentVersion: { value: number | null; readAt: number } | null = null;

  constructor(private readonly ctx: PortalContext) {}

  /** Throws PERMISSION_DENIED (403) when no app profile of the policy applies to the device. */
  async forDevice(who: AuthenticatedDevice): Promise<SignedConfigBody> {
    // The version alone is cheap to read; the document is fetched and parsed once per version.
    const version = await this.currentPolicyVersion();
    const current = version === null ? null : await this.policyVersion(version);
    if (!current) throw new WaygateError('NOT_FOUND', 'This organisation has no policy yet. Ask your administrator to publish one.');
    const signer = await this.currentSigner();
    const os = DeviceOs.parse(who.device.fingerprint.os);
    const key = JSON.stringify([who.device.id, current.version, signer.kid, who.user.email, who.groups, os]);
    let cached = this.configs.get(key);
    if (!cached) {
      cached = this.build(current, signer, who, os);
      this.configs.set(key, cached);
    }
    if ('denied' in cached) throw new WaygateError('PERMISSION_DENIED', cached.denied, { reason: 'NO_APP_PROFILE' });
    return cached;
  }

  private build(current: PolicyVersion, signer: PortalSigner, who: AuthenticatedDevice, os: DeviceOs): Cached {
    const policy = this.policy(current);
    const config = effectiveConfig(
      policy,
      current.version,
      { orgId: this.ctx.org.id, deviceId: who.device.id, os, userEmail: who.user.email, groups: who.groups },
      this.ctx.now(),
    );
    if (!config) {
      return {
        denied: `No app profile of policy version ${current.version} applies to ${who.user.email} on ${os}. Ask your administrator to add one that matches this user, their groups or this OS.`,
      };
    }
    const body = JSON.stringify(signer.signConfig(config));
    return { body, etag: etagOf(body) };
  }

  private async policyVersion(version: number): Promise<PolicyVersion | null> {
    const cached = this.policies.get(version);
    if (cached) return cached.version;
    const stored = await this.ctx.store.getPolicyVersion(this.ctx.org.id, version);
    if (stored) this.policies.set(version, { version: stored, policy: Policy.parse(stored.document) });
    return stored;
  }

  private policy(current: PolicyVersion): Policy {
    const cached = this.policies.get(current.version);
    if (cached) return cached.policy;
    const policy = Policy.parse(current.document);
    this.policies.set(current.version, { version: current, policy });
    return policy;
  }

  private async currentPolicyVersion(): Promise<number | null> {
    const now = this.ctx.now();
    if (this.currentVersion && now - this.currentVersion.readAt < POLICY_VERSION_TTL_MS) return this.currentVersion.value;
    const value = await this.ctx.store.currentPolicyVersion(this.ctx.org.id);
    this.currentVersion = { value, readAt: now };
    return value;
  }

  private async currentSigner(): Promise<PortalSigner> {
    const now = this.ctx.now();
    if (this.signer && now - this.signer.readAt < SIGNER_TTL_MS) return this.signer.value;
    const value = await this.ctx.signer();
    this.signer = { value, readAt: now };
    return value;
  }
}
