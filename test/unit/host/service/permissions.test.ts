import { describe, expect, it } from 'vitest';
import { checkAccess } from '../../../../host/service/permissions.js';

const policy = { serviceUid: 0, operatorUids: [1001] };
const user = (uid: number) => ({ uid, gid: uid, pid: 42 });

describe('LocalAPI permission check', () => {
  it('lets anyone who can connect read, even an unidentified caller', () => {
    expect(checkAccess(user(1234), 'read', policy)).toEqual({ allowed: true });
    expect(checkAccess(null, 'read', policy)).toEqual({ allowed: true });
  });

  it('lets root, the service user and operators change state', () => {
    expect(checkAccess(user(0), 'write', policy).allowed).toBe(true);
    expect(checkAccess(user(1001), 'write', policy).allowed).toBe(true);
    expect(checkAccess(user(500), 'write', { serviceUid: 500, operatorUids: [] }).allowed).toBe(true);
  });

  it('refuses other users and unidentified callers, saying why', () => {
    expect(checkAccess(user(1234), 'write', policy)).toEqual({ allowed: false, reason: expect.stringContaining('user 1234 may read but not change') });
    expect(checkAccess(null, 'write', policy)).toEqual({ allowed: false, reason: expect.stringContaining('could not be identified') });
  });
});
