import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, EffectiveConfig } from '../../../../../protocol/policy.js';
import { checkPasswordHash } from '../../../../../protocol/policy-fields.js';
import { hashPassword, verifyPassword } from '../../../../../cloud/portal/crypto/passwords.js';
import { effectiveConfig } from '../../../../../cloud/portal/policy/effective-config.js';
import { CA_PEM, HASH, samplePolicy } from './sample-policy.js';

const NOW = 1_764_000_000_000;
const policy = samplePolicy();
const device = { orgId: 'org_1', deviceId: 'dev_1' };

describe('effectiveConfig', () => {
  it('gives a default-policy device everything it needs, and a config its own schema accepts', () => {
    const config = effectiveConfig(DEFAULT_POLICY, 1, { ...device, os: 'linux', userEmail: 'demo@example.com', groups: [] }, NOW);
    expect(config).not.toBeNull();
    expect(EffectiveConfig.parse(config)).toEqual(config);
    expect(config).toMatchObject({
      schemaVersion: 1,
      policyVersion: 1,
      orgId: 'org_1',
      deviceId: 'dev_1',
      appProfile: { id: 'everyone', forwardingProfile: 'default' },
      forwardingProfile: { id: 'default', actions: { 'off-trusted': { internet: 'enforce-proxy' } } },
      edges: DEFAULT_POLICY.edges,
      pac: DEFAULT_POLICY.forwardingProfiles[0]!.pac,
      ca: null,
      issuedAt: NOW,
    });
  });

  it('carries only the matched profiles, the selected edges in selection order, and no access rules', () => {
    const config = effectiveConfig(policy, 7, { ...device, os: 'linux', userEmail: 'ada@corp.example.com', groups: ['engineering'] }, NOW)!;
    expect(EffectiveConfig.parse(config)).toEqual(config);
    expect(config.appProfile.id).toBe('engineering-linux');
    expect(config.forwardingProfile.id).toBe('office');
    expect(config.edges.map((edge) => edge.id)).toEqual(['eu-1', 'us-1']);
    const text = JSON.stringify(config);
    for (const absent of ['contractors', 'Contractors', 'staff', 'Strict', 'ap-1', 'access', 'block-casinos', 'eve@contractor.example', 'engineering"', '"pac":{']) {
      expect(text).not.toContain(absent);
    }
    expect(Object.keys(config.appProfile)).not.toContain('match');
    expect(Object.keys(config.forwardingProfile)).not.toContain('pac');
  });

  it('sends password hashes, never passwords, and hashes the device can verify', async () => {
    const config = effectiveConfig(policy, 7, { ...device, os: 'macos', userEmail: 'eve@contractor.example', groups: [] }, NOW)!;
    expect(config.appProfile.passwords).toEqual({ logout: HASH, disable: HASH, uninstall: HASH });
    expect(JSON.stringify(config)).not.toContain('correct horse');
    await expect(verifyPassword('correct horse', config.appProfile.passwords.uninstall!)).resolves.toBe(true);
    // What the portal's own hasher writes is exactly the format the policy accepts.
    expect(checkPasswordHash(await hashPassword('another one'))).toBeNull();
  });

  it('includes the CA only for a profile that installs it', () => {
    const contractor = effectiveConfig(policy, 7, { ...device, os: 'windows', userEmail: 'eve@contractor.example', groups: [] }, NOW)!;
    expect(contractor.ca).toBe(CA_PEM);
    const staff = effectiveConfig(policy, 7, { ...device, os: 'windows', userEmail: 'sam@corp.example.com', groups: [] }, NOW)!;
    expect(staff.ca).toBeNull();
    expect(JSON.stringify(staff)).not.toContain('BEGIN CERTIFICATE');
  });

  it('is null when no app profile applies', () => {
    expect(effectiveConfig(policy, 7, { ...device, os: 'chromeos', userEmail: 'kim@corp.example.com', groups: ['sales'] }, NOW)).toBeNull();
  });

  it('is deterministic for the same inputs, so the portal can cache and sign it once', () => {
    const who = { ...device, os: 'linux' as const, userEmail: 'ada@corp.example.com', groups: ['engineering'] };
    expect(effectiveConfig(policy, 7, who, NOW)).toEqual(effectiveConfig(samplePolicy(), 7, who, NOW));
  });
});

describe('the EffectiveConfig schema a device checks', () => {
  const good = () => effectiveConfig(policy, 7, { ...device, os: 'linux', userEmail: 'ada@corp.example.com', groups: ['engineering'] }, NOW)!;

  it('refuses edges other than the selection', () => {
    const config = good();
    config.edges.reverse();
    expect(EffectiveConfig.safeParse(config).error?.issues).toEqual([expect.objectContaining({ path: ['edges'] })]);
  });

  it('refuses an app profile pointing at another forwarding profile', () => {
    const config = good();
    config.appProfile.forwardingProfile = 'strict';
    expect(EffectiveConfig.safeParse(config).error?.issues).toEqual([expect.objectContaining({ path: ['appProfile', 'forwardingProfile'] })]);
  });

  it('refuses a plain password, the other profiles’ match lists and any unknown field', () => {
    const plain = good();
    plain.appProfile.passwords.logout = 'hunter2';
    expect(EffectiveConfig.safeParse(plain).success).toBe(false);
    expect(EffectiveConfig.safeParse({ ...good(), appProfile: { ...good().appProfile, match: { os: [], users: [], groups: [] } } }).success).toBe(false);
    expect(EffectiveConfig.safeParse({ ...good(), access: policy.access }).success).toBe(false);
  });
});
