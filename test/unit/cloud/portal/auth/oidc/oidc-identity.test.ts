import { describe, expect, it } from 'vitest';
import { identityFromClaims } from '../../../../../../cloud/portal/auth/oidc/oidc-identity.js';

describe('identity from OIDC claims', () => {
  it('reads subject, email, verification, name and the groups claim', () => {
    expect(identityFromClaims({ sub: 's1', email: 'Ada@Example.TEST', email_verified: true, name: 'Ada', groups: ['eng', 'ops'] }, 'groups')).toEqual({
      subject: 's1',
      email: 'ada@example.test',
      emailVerified: true,
      name: 'Ada',
      groups: ['eng', 'ops'],
    });
  });

  it('copes with the quirks of real providers', () => {
    const id = identityFromClaims({ sub: 's2', email_verified: 'true', email: 'b@x.test', preferred_username: 'bob', roles: 'admins' }, 'roles');
    expect(id.emailVerified).toBe(true);
    expect(id.name).toBe('bob');
    expect(id.groups).toEqual(['admins']);
    const messy = identityFromClaims({ sub: 's3', groups: [' eng ', 'eng', '', 42, 'x'.repeat(300), 'ops'] }, 'groups');
    expect(messy.groups).toEqual(['eng', 'ops']);
    expect(messy.email).toBeNull();
    expect(messy.emailVerified).toBe(false);
  });

  it('treats a missing or malformed groups claim as no groups', () => {
    expect(identityFromClaims({ sub: 's4' }, 'groups').groups).toEqual([]);
    expect(identityFromClaims({ sub: 's4', groups: { a: 1 } }, 'groups').groups).toEqual([]);
  });
});
