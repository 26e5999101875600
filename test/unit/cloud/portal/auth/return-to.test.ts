import { describe, expect, it } from 'vitest';
import { safeReturnTo } from '../../../../../cloud/portal/auth/return-to.js';

describe('return_to after sign-in', () => {
  it('accepts paths on the portal, with query and fragment', () => {
    for (const path of ['/', '/admin/', '/device?user_code=WDJB-MJHT', '/admin/devices#top', '/a/b/../c']) expect(safeReturnTo(path)).toBe(path);
  });

  it('refuses anything a browser could resolve to another origin', () => {
    const attacks = [
      'https://evil.example/',
      'http://127.0.0.1:1/',
      '//evil.example/path',
      '/\\evil.example',
      '\\\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      'javascript:alert(1)',
      'evil.example',
      ' /admin',
      '',
      '/'.padEnd(3000, 'a'),
    ];
    for (const value of attacks) expect(safeReturnTo(value), JSON.stringify(value)).toBeNull();
  });

  it('refuses values that are not strings', () => {
    expect(safeReturnTo(undefined)).toBeNull();
    expect(safeReturnTo(['/admin'])).toBeNull();
  });
});
