import { describe, expect, it } from 'vitest';
import { compareVersions, parseVersion } from '../../../../../cloud/portal/admin/app-version.js';

const cmp = (a: string, b: string) => Math.sign(compareVersions(parseVersion(a)!, parseVersion(b)!));

describe('app version order', () => {
  it('orders numerically, part by part', () => {
    expect(cmp('1.10.0', '1.9.2')).toBe(1);
    expect(cmp('2.0', '1.99.99')).toBe(1);
    expect(cmp('v1.2.3', '1.2.3')).toBe(0);
    expect(cmp('1.2', '1.2.0')).toBe(0);
  });

  it('puts a release after its pre-releases', () => {
    expect(cmp('1.2.0', '1.2.0-rc.1')).toBe(1);
    expect(cmp('1.2.0-rc.2', '1.2.0-rc.10')).toBe(-1);
    expect(cmp('1.2.0-alpha', '1.2.0-beta')).toBe(-1);
    expect(cmp('1.2.0+build.5', '1.2.0')).toBe(0);
  });

  it('cannot order what is not a version', () => {
    expect(parseVersion('dev-build')).toBeNull();
    expect(parseVersion('')).toBeNull();
  });
});
