import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../../../protocol/policy.js';
import { matchAppProfile } from '../../../../../cloud/portal/policy/match.js';
import { samplePolicy } from './sample-policy.js';

const policy = samplePolicy();
const idOf = (result: ReturnType<typeof matchAppProfile>) => result.profile?.id ?? null;

describe('matchAppProfile', () => {
  it('gives the default policy’s one profile to anyone on any OS', () => {
    for (const os of ['linux', 'macos', 'windows', 'chromeos'] as const) {
      const result = matchAppProfile(DEFAULT_POLICY, { os, userEmail: 'anyone@example.com', groups: [] });
      expect(result).toMatchObject({ ruleIndex: 0, reason: 'appProfiles[0] "Everyone" applies, the first profile: any OS, and it is for everyone.' });
    }
  });

  it('matches a listed user whatever the case of the email', () => {
    const result = matchAppProfile(policy, { os: 'windows', userEmail: 'EVE@contractor.example', groups: [] });
    expect(result.ruleIndex).toBe(0);
    expect(result.reason).toBe('appProfiles[0] "Contractors" applies, the first profile: any OS, and user EVE@contractor.example is listed.');
  });

  it('matches a listed group, by its exact name', () => {
    expect(idOf(matchAppProfile(policy, { os: 'macos', userEmail: 'carl@corp.example.com', groups: ['staff', 'contractors'] }))).toBe('contractors');
    expect(idOf(matchAppProfile(policy, { os: 'macos', userEmail: 'carl@corp.example.com', groups: ['Contractors'] }))).toBe('staff');
  });

  it('lets the first matching profile win over later ones that also match', () => {
    // A contractor in engineering on Linux fits all three profiles.
    const result = matchAppProfile(policy, { os: 'linux', userEmail: 'eve@contractor.example', groups: ['engineering'] });
    expect(idOf(result)).toBe('contractors');
    const reordered = { appProfiles: [...policy.appProfiles].reverse() };
    expect(idOf(matchAppProfile(reordered, { os: 'linux', userEmail: 'eve@contractor.example', groups: ['engineering'] }))).toBe('staff');
  });

  it('needs both the OS and the person to fit', () => {
    const linux = matchAppProfile(policy, { os: 'linux', userEmail: 'ada@corp.example.com', groups: ['engineering'] });
    expect(linux).toMatchObject({ ruleIndex: 1, reason: 'appProfiles[1] "Engineering on Linux" applies, the first of 3 profiles to apply: OS linux is listed, and group "engineering" is listed.' });
    // The same engineer on a Mac falls through to the staff profile.
    const mac = matchAppProfile(policy, { os: 'macos', userEmail: 'ada@corp.example.com', groups: ['engineering'] });
    expect(mac).toMatchObject({ ruleIndex: 2, reason: expect.stringContaining('OS macos is listed, and it is for everyone') });
  });

  it('returns null with a reason naming why each profile did not apply', () => {
    const result = matchAppProfile(policy, { os: 'chromeos', userEmail: 'kim@corp.example.com', groups: ['sales'] });
    expect(result).toEqual({
      profile: null,
      ruleIndex: null,
      reason:
        'No app profile applies to kim@corp.example.com (groups "sales") on chromeos: appProfiles[0] "Contractors" is for other users and groups; appProfiles[1] "Engineering on Linux" is for linux only; appProfiles[2] "Staff on desktops" is for linux, macos, windows only.',
    });
  });
});
