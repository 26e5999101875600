import { describe, expect, it } from 'vitest';
import { bearerCredential, deviceIdOf, newDeviceCredential } from '../../../../../cloud/portal/device/credential.js';
import { sha256 } from '../../../../../cloud/portal/crypto/secrets.js';

describe('device credentials', () => {
  it('name the device and store only the hash of the whole credential', () => {
    const { credential, hash } = newDeviceCredential('dev123');
    expect(credential).toMatch(/^wgd\.dev123\.[A-Za-z0-9_-]{43}$/);
    expect(hash).toBe(sha256(credential));
    expect(deviceIdOf(credential)).toBe('dev123');
  });

  it('reject anything without the wgd.<id>.<secret> shape', () => {
    for (const bad of ['', 'wgd', 'wgd.id', 'wgd..secret', 'wgd.id.', 'xyz.id.secret', 'wgd.a.b.c']) expect(deviceIdOf(bad)).toBeNull();
  });

  it('are read from a Bearer header only', () => {
    expect(bearerCredential('Bearer wgd.a.b')).toBe('wgd.a.b');
    expect(bearerCredential('bearer  wgd.a.b')).toBe('wgd.a.b');
    expect(bearerCredential('Basic d2dkOmE=')).toBeNull();
    expect(bearerCredential('Bearer a b')).toBeNull();
    expect(bearerCredential(undefined)).toBeNull();
  });
});
