import { canonicalBytes } from '../../protocol/config-signature.js';
import { DEFAULT_POLICY, EffectiveConfig, type Edge, type EffectiveForwardingProfile } from '../../protocol/policy.js';
import type { PublicJwk, SignedConfig } from '../../protocol/portal.js';

/**
 * What the portal hands a device, built for tests: an EffectiveConfig derived from DEFAULT_POLICY
 * (checked by its schema, so a fixture cannot drift from the protocol) and a portal signing key that
 * signs it the way the portal does — Ed25519 over the RFC 8785 canonical bytes.
 */

export const EDGE_EU: Edge = { id: 'eu', region: 'eu-west', proxyUrl: 'https://eu.edge.example', tunnelUrl: 'wss://eu.edge.example/tunnel/v1' };
export const EDGE_US: Edge = { id: 'us', region: 'us-east', proxyUrl: 'https://us.edge.example:8443', tunnelUrl: 'wss://us.edge.example:8443/tunnel/v1' };
export const EDGE_AP: Edge = { id: 'ap', region: 'ap-south', proxyUrl: 'https://ap.edge.example:9443', tunnelUrl: 'wss://ap.edge.example:9443/tunnel/v1' };

export const TEST_DEVICE_ID = 'dev-1';

export interface ConfigChanges {
  deviceId?: string;
  policyVersion?: number;
  edges?: Edge[];
  pac?: string;
  configPollSeconds?: number;
  forwarding?: Partial<EffectiveForwardingProfile>;
}

export function effectiveConfig(changes: ConfigChanges = {}): EffectiveConfig {
  const app = DEFAULT_POLICY.appProfiles[0];
  const forwarding = DEFAULT_POLICY.forwardingProfiles[0];
  if (!app || !forwarding) throw new Error('DEFAULT_POLICY has no profiles');
  // The device's view drops `match` (protocol/policy.ts EffectiveAppProfile); the schema below checks the rest.
  const appProfile = Object.fromEntries(Object.entries(app).filter(([key]) => key !== 'match'));
  const { pac, ...forwardingProfile } = forwarding;
  const edges = changes.edges ?? [EDGE_EU, EDGE_US];
  return EffectiveConfig.parse({
    schemaVersion: DEFAULT_POLICY.schemaVersion,
    policyVersion: changes.policyVersion ?? 1,
    orgId: 'org-1',
    deviceId: changes.deviceId ?? TEST_DEVICE_ID,
    appProfile: { ...appProfile, configPollSeconds: changes.configPollSeconds ?? app.configPollSeconds },
    forwardingProfile: {
      ...forwardingProfile,
      ...changes.forwarding,
      edgeSelection: { ...forwardingProfile.edgeSelection, edges: edges.map((edge) => edge.id) },
    },
    edges,
    pac: changes.pac ?? pac,
    ca: null,
    issuedAt: Date.UTC(2026, 0, 1),
  });
}

function base64Url(bytes: ArrayBuffer): string {
  return Buffer.from(bytes).toString('base64url');
}

/** An Ed25519 key pair standing in for the portal's config-signing key. */
export class PortalSigningKey {
  private constructor(
    private readonly privateKey: CryptoKey,
    readonly publicJwk: PublicJwk,
  ) {}

  static async generate(kid = 'portal-key-1'): Promise<PortalSigningKey> {
    const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
    if (!('privateKey' in pair)) throw new Error('Ed25519 generateKey did not return a key pair');
    const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
    if (typeof jwk.x !== 'string') throw new Error('exported Ed25519 key has no x');
    return new PortalSigningKey(pair.privateKey, { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid, alg: 'EdDSA', use: 'sig' });
  }

  async sign(config: EffectiveConfig): Promise<SignedConfig> {
    const signature = await crypto.subtle.sign({ name: 'Ed25519' }, this.privateKey, canonicalBytes(config));
    return { config, signature: { alg: 'EdDSA', kid: this.publicJwk.kid, value: base64Url(signature) } };
  }
}
