/**
 * Which app profile applies to a device: the first, in document order, whose match fits its OS and
 * its user or their groups. The reason names the profile by its path, as validation errors do.
 */
import type { AppProfile, AppProfileMatch, DeviceOs, PolicyDocument } from '../../../protocol/policy.js';
import { checkScope, type Person } from '../../access/people.js';

export interface DeviceIdentity extends Person {
  os: DeviceOs;
}

export type AppProfileMatchResult =
  | { profile: AppProfile; ruleIndex: number; reason: string }
  | { profile: null; ruleIndex: null; reason: string };

export function matchAppProfile(policy: Pick<PolicyDocument, 'appProfiles'>, device: DeviceIdentity): AppProfileMatchResult {
  const misses: string[] = [];
  for (const [index, profile] of policy.appProfiles.entries()) {
    const label = `appProfiles[${index}] "${profile.name}"`;
    const check = explain(profile.match, device);
    if (check.matched) {
      const order = index === 0 ? 'the first profile' : `the first of ${policy.appProfiles.length} profiles to apply`;
      return { profile, ruleIndex: index, reason: `${label} applies, ${order}: ${check.why}.` };
    }
    misses.push(`${label} is for ${check.why}`);
  }
  const who = `${device.userEmail}${device.groups.length > 0 ? ` (groups ${device.groups.map((g) => `"${g}"`).join(', ')})` : ''} on ${device.os}`;
  return { profile: null, ruleIndex: null, reason: `No app profile applies to ${who}: ${misses.join('; ')}.` };
}

/** Why a profile fits, or who it is for instead. */
function explain(match: AppProfileMatch, device: DeviceIdentity): { matched: boolean; why: string } {
  const osFits = match.os.length === 0 || match.os.includes(device.os);
  const scope = checkScope(match.users, match.groups, device);
  if (osFits && scope.matched) {
    const os = match.os.length === 0 ? 'any OS' : `OS ${device.os} is listed`;
    return { matched: true, why: `${os}, and ${scope.why === 'everyone' ? 'it is for everyone' : scope.why}` };
  }
  if (!osFits) return { matched: false, why: `${match.os.join(', ')} only` };
  return { matched: false, why: scope.why };
}
