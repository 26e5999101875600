/**
 * What one device receives: its app profile and forwarding profile, the edges that profile selects,
 * its PAC template and, when its profile installs one, the CA. Built from an explicit list of fields
 * rather than by deleting the ones it must not carry, so a field added to the policy reaches devices
 * only when someone decides it should.
 *
 * Null when no app profile applies. The portal then serves no config: the device API answers 403
 * PERMISSION_DENIED with details `{reason: 'NO_APP_PROFILE'}` and a message telling the user to ask
 * their administrator (cloud/portal/device/signed-configs.ts), and the device keeps its cached one.
 */
import type { AppProfile, Edge, EffectiveAppProfile, EffectiveConfig, PolicyDocument } from '../../../protocol/policy.js';
import { POLICY_SCHEMA_VERSION } from '../../../protocol/policy.js';
import { matchAppProfile, type DeviceIdentity } from './match.js';

export interface ConfigRecipient extends DeviceIdentity {
  orgId: string;
  deviceId: string;
}

/** `policy` must have passed validatePolicy; a dangling reference here is a bug, not bad input. */
export function effectiveConfig(policy: PolicyDocument, policyVersion: number, device: ConfigRecipient, now: number): EffectiveConfig | null {
  const { profile } = matchAppProfile(policy, device);
  if (profile === null) return null;
  const forwarding = policy.forwardingProfiles.find((candidate) => candidate.id === profile.forwardingProfile);
  if (forwarding === undefined) throw new Error(`policy version ${policyVersion}: forwarding profile "${profile.forwardingProfile}" does not exist`);
  const edges = forwarding.edgeSelection.edges.map((id): Edge => {
    const edge = policy.edges.find((candidate) => candidate.id === id);
    if (edge === undefined) throw new Error(`policy version ${policyVersion}: edge "${id}" does not exist`);
    return edge;
  });
  return {
    schemaVersion: POLICY_SCHEMA_VERSION,
    policyVersion,
    orgId: device.orgId,
    deviceId: device.deviceId,
    appProfile: deviceView(profile),
    forwardingProfile: {
      id: forwarding.id,
      name: forwarding.name,
      trustedNetwork: forwarding.trustedNetwork,
      actions: forwarding.actions,
      captivePortal: forwarding.captivePortal,
      failOpen: forwarding.failOpen,
      edgeSelection: forwarding.edgeSelection,
      include: forwarding.include,
      exclude: forwarding.exclude,
      privateDestinations: forwarding.privateDestinations,
      tunnelRange: forwarding.tunnelRange,
      allowUserProxy: forwarding.allowUserProxy,
    },
    edges,
    pac: forwarding.pac,
    ca: profile.installCa ? policy.ca : null,
    issuedAt: now,
  };
}

/** Without `match`: the other users and groups a profile names are not the device's to know. */
function deviceView(profile: AppProfile): EffectiveAppProfile {
  return {
    id: profile.id,
    name: profile.name,
    forwardingProfile: profile.forwardingProfile,
    passwords: profile.passwords,
    installCa: profile.installCa,
    updates: profile.updates,
    support: profile.support,
    logLevel: profile.logLevel,
    configPollSeconds: profile.configPollSeconds,
    ...(profile.disableMinutes === undefined ? {} : { disableMinutes: profile.disableMinutes }),
  };
}
