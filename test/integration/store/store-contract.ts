/**
 * What every Store must do, whichever database is underneath: one behaviour suite, run against
 * SQLite (sqlite.test.ts) and PostgreSQL (postgres.test.ts). `open` gives a fresh, empty, migrated
 * store for each test; `cleanup` closes it and throws its data away.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  StoreConflictError,
  type AuditEntry,
  type Device,
  type DeviceAuthorization,
  type EnrollmentToken,
  type Group,
  type OneTimeCode,
  type Org,
  type Session,
  type SigningKey,
  type Store,
  type SupportTicket,
  type User,
} from '../../../cloud/portal/store/store.js';

/** The largest time a JavaScript Date can hold: far beyond 2^32, well inside 2^53. */
const MAX_DATE_MS = 8_640_000_000_000_000;
const T0 = 1_760_000_000_000;

const id = () => randomUUID();

function anOrg(over: Partial<Org> = {}): Org {
  return { id: id(), name: 'Example Org', createdAt: T0, ...over };
}

function aUser(orgId: string, over: Partial<User> = {}): User {
  return {
    id: id(),
    orgId,
    email: `${id()}@example.test`,
    name: 'Some One',
    role: 'user',
    passwordHash: null,
    totpSecret: null,
    oidcIssuer: null,
    oidcSubject: null,
    failedSignIns: 0,
    lockedUntil: null,
    disabled: false,
    createdAt: T0,
    ...over,
  };
}

function aGroup(orgId: string, over: Partial<Group> = {}): Group {
  return { id: id(), orgId, name: `group-${id()}`, source: 'local', ...over };
}

function anAuthorization(orgId: string, over: Partial<DeviceAuthorization> = {}): DeviceAuthorization {
  return {
    id: id(),
    orgId,
    deviceCodeHash: `dc-${id()}`,
    userCode: id().slice(0, 9).toUpperCase(),
    deviceName: 'laptop',
    os: 'linux',
    osVersion: '6.1',
    status: 'pending',
    userId: null,
    interval: 5,
    lastPolledAt: null,
    expiresAt: T0 + 600_000,
    createdAt: T0,
    ...over,
  };
}

function aDevice(orgId: string, userId: string, over: Partial<Device> = {}): Device {
  return {
    id: id(),
    orgId,
    userId,
    name: 'laptop',
    credentialHash: `cred-${id()}`,
    fingerprint: {},
    policyVersion: null,
    enrolledAt: T0,
    lastSeenAt: null,
    revokedAt: null,
    ...over,
  };
}

function aToken(orgId: string, over: Partial<EnrollmentToken> = {}): EnrollmentToken {
  return { id: id(), orgId, label: 'fleet', tokenHash: `tok-${id()}`, createdAt: T0, expiresAt: null, revokedAt: null, ...over };
}

function aCode(deviceId: string, over: Partial<OneTimeCode> = {}): OneTimeCode {
  return { id: id(), deviceId, kind: 'disable', codeHash: `code-${id()}`, expiresAt: T0 + 60_000, usedAt: null, ...over };
}

function aSession(userId: string, over: Partial<Session> = {}): Session {
  return { idHash: `sess-${id()}`, userId, csrfToken: id(), mfaPassed: false, createdAt: T0, expiresAt: T0 + 3_600_000, ...over };
}

function anAudit(orgId: string, over: Partial<AuditEntry> = {}): AuditEntry {
  return { id: id(), orgId, at: T0, actorUserId: null, action: 'thing.done', target: 'x', details: {}, ...over };
}

function aTicket(orgId: string, deviceId: string, userId: string, over: Partial<SupportTicket> = {}): SupportTicket {
  return { id: id(), orgId, deviceId, userId, subject: 'help', message: 'it broke', bundle: null, status: 'open', createdAt: T0, ...over };
}

function aKey(orgId: string, over: Partial<SigningKey> = {}): SigningKey {
  return {
    kid: `kid-${id()}`,
    orgId,
    publicJwk: { kty: 'OKP', crv: 'Ed25519', x: 'pub' },
    privateJwk: { kty: 'OKP', crv: 'Ed25519', x: 'pub', d: 'secret' },
    createdAt: T0,
    retiredAt: null,
    ...over,
  };
}

export function describeStoreContract(name: string, open: () => Promise<Store>, cleanup: (store: Store) => Promise<void>): void {
  describe(`Store contract (${name})`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await cleanup(store);
    });

    /** A stored org with a stored user in it: what most records hang from. */
    async function orgWithUser(): Promise<{ org: Org; user: User }> {
      const org = anOrg();
      await store.createOrg(org);
      const user = aUser(org.id);
      await store.createUser(user);
      return { org, user };
    }

    /**
     * Runs `call` 10 times at once. A round of reads first opens as many connections as a pool will
     * give (PostgreSQL), so the calls really overlap instead of queueing behind connection setup.
     */
    async function tenAtOnce<T>(call: (n: number) => Promise<T>): Promise<T[]> {
      await Promise.all(Array.from({ length: 10 }, () => store.getOrg('warm-up')));
      return Promise.all(Array.from({ length: 10 }, (_, n) => call(n)));
    }

    describe('migrations', () => {
      it('can run again on a migrated database, changing nothing', async () => {
        const org = anOrg();
        await store.createOrg(org);
        await store.migrate();
        await store.migrate();
        expect(await store.getOrg(org.id)).toEqual(org);
      });
    });

    describe('orgs', () => {
      it('round-trips an org and finds nothing for an unknown id', async () => {
        const org = anOrg({ createdAt: MAX_DATE_MS });
        await store.createOrg(org);
        expect(await store.getOrg(org.id)).toEqual(org);
        expect(await store.getOrg('missing')).toBeNull();
      });

      it('names the first org created as the default', async () => {
        expect(await store.defaultOrg()).toBeNull();
        const later = anOrg({ name: 'later', createdAt: T0 + 1 });
        const first = anOrg({ name: 'first', createdAt: T0 });
        await store.createOrg(later);
        await store.createOrg(first);
        expect(await store.defaultOrg()).toEqual(first);
      });

      it('refuses a second org with the same id', async () => {
        const org = anOrg();
        await store.createOrg(org);
        await expect(store.createOrg({ ...org, name: 'other' })).rejects.toBeInstanceOf(StoreConflictError);
      });
    });

    describe('users', () => {
      it('round-trips a user whose optional fields are all null', async () => {
        const { user } = await orgWithUser();
        expect(await store.getUser(user.id)).toEqual(user);
      });

      it('round-trips a user whose optional fields are all set, booleans and big times included', async () => {
        const org = anOrg();
        await store.createOrg(org);
        const user = aUser(org.id, {
          role: 'admin',
          passwordHash: '$scrypt$n=16384,r=8,p=1$c2FsdA$aGFzaA',
          totpSecret: 'JBSWY3DPEHPK3PXP',
          oidcIssuer: 'https://idp.example.test',
          oidcSubject: 'sub-1',
          failedSignIns: 3,
          lockedUntil: Number.MAX_SAFE_INTEGER,
          disabled: true,
          createdAt: MAX_DATE_MS,
        });
        await store.createUser(user);
        const read = await store.getUser(user.id);
        expect(read).toEqual(user);
        expect(typeof read?.lockedUntil).toBe('number');
        expect(typeof read?.createdAt).toBe('number');
        expect(read?.disabled).toBe(true);
        expect(await store.getUser('missing')).toBeNull();
      });

      it('finds a user by email within their org only', async () => {
        const { org, user } = await orgWithUser();
        const other = anOrg();
        await store.createOrg(other);
        const namesake = aUser(other.id, { email: user.email });
        await store.createUser(namesake);
        expect(await store.getUserByEmail(org.id, user.email)).toEqual(user);
        expect(await store.getUserByEmail(other.id, user.email)).toEqual(namesake);
        expect(await store.getUserByEmail(org.id, 'nobody@example.test')).toBeNull();
      });

      it('refuses a second user with the same email in one org', async () => {
        const { org, user } = await orgWithUser();
        await expect(store.createUser(aUser(org.id, { email: user.email }))).rejects.toBeInstanceOf(StoreConflictError);
      });

      it('finds a user by OIDC issuer and subject, which name one user only', async () => {
        const org = anOrg();
        await store.createOrg(org);
        const user = aUser(org.id, { oidcIssuer: 'https://idp.example.test', oidcSubject: 'abc' });
        await store.createUser(user);
        // Password-only users (no issuer, no subject) do not collide with each other.
        await store.createUser(aUser(org.id));
        await store.createUser(aUser(org.id));
        expect(await store.getUserByOidc('https://idp.example.test', 'abc')).toEqual(user);
        expect(await store.getUserByOidc('https://idp.example.test', 'other')).toBeNull();
        expect(await store.getUserByOidc('https://other.example.test', 'abc')).toBeNull();
        await expect(store.createUser(aUser(org.id, { oidcIssuer: 'https://idp.example.test', oidcSubject: 'abc' }))).rejects.toBeInstanceOf(
          StoreConflictError,
        );
      });

      it('lists the users of one org by email', async () => {
        const org = anOrg();
        const other = anOrg();
        await store.createOrg(org);
        await store.createOrg(other);
        await store.createUser(aUser(other.id, { email: 'aaron@example.test' }));
        const carol = aUser(org.id, { email: 'carol@example.test' });
        const bob = aUser(org.id, { email: 'bob@example.test' });
        const alice = aUser(org.id, { email: 'alice@example.test' });
        for (const u of [carol, alice, bob]) await store.createUser(u);
        expect(await store.listUsers(org.id)).toEqual([alice, bob, carol]);
      });

      it('changes only the fields named, setting nulls and booleans', async () => {
        const org = anOrg();
        await store.createOrg(org);
        const user = aUser(org.id, { totpSecret: 'SECRET', lockedUntil: T0 });
        await store.createUser(user);
        await store.updateUser(user.id, { totpSecret: null, lockedUntil: null, disabled: true, failedSignIns: 5, name: 'Renamed' });
        expect(await store.getUser(user.id)).toEqual({ ...user, totpSecret: null, lockedUntil: null, disabled: true, failedSignIns: 5, name: 'Renamed' });
        await store.updateUser(user.id, { disabled: false, role: 'admin', oidcIssuer: 'https://idp.example.test', oidcSubject: 's' });
        expect(await store.getUser(user.id)).toMatchObject({ disabled: false, role: 'admin', oidcIssuer: 'https://idp.example.test', oidcSubject: 's' });
        await store.updateUser(user.id, {});
        expect(await store.getUser(user.id)).toMatchObject({ name: 'Renamed' });
      });

      it('refuses to change an email to one taken in the org', async () => {
        const { org, user } = await orgWithUser();
        const other = aUser(org.id);
        await store.createUser(other);
        await expect(store.updateUser(other.id, { email: user.email })).rejects.toBeInstanceOf(StoreConflictError);
      });

      it('takes what belongs to a deleted user with them, and keeps the history naming them', async () => {
        const { org, user } = await orgWithUser();
        const keeper = aUser(org.id);
        await store.createUser(keeper);
        const group = aGroup(org.id);
        await store.createGroup(group);
        await store.setUserGroups(user.id, 'local', [group.id]);
        await store.setUserGroups(keeper.id, 'local', [group.id]);
        const session = aSession(user.id);
        const keptSession = aSession(keeper.id);
        await store.createSession(session);
        await store.createSession(keptSession);
        const device = aDevice(org.id, user.id);
        await store.createDevice(device);
        const code = aCode(device.id);
        await store.createOneTimeCode(code);
        const auth = anAuthorization(org.id, { status: 'approved', userId: user.id });
        await store.createDeviceAuthorization(auth);
        const ticket = aTicket(org.id, device.id, user.id);
        await store.createTicket(ticket);
        await store.addAudit(anAudit(org.id, { actorUserId: user.id }));
        await store.addPolicyVersion({ orgId: org.id, document: {}, createdAt: T0, createdBy: user.id, comment: '' });

        await store.deleteUser(user.id, T0 + 9);

        expect(await store.getUser(user.id)).toBeNull();
        // Edges keep refusing the removed device's tokens until they expire.
        expect(await store.revokedDevicesSince(org.id, T0)).toEqual([{ id: device.id, revokedAt: T0 + 9 }]);
        expect(await store.getSession(session.idHash)).toBeNull();
        expect(await store.getDevice(device.id)).toBeNull();
        expect(await store.getDeviceAuthorizationByDeviceCode(auth.deviceCodeHash)).toBeNull();
        expect(await store.getTicket(ticket.id)).toBeNull();
        expect(await store.groupsOfUser(user.id)).toEqual([]);
        // The device's one-time code went with the device: a device recreated under the same id
        // does not inherit it.
        await store.createDevice({ ...device, userId: keeper.id });
        expect(await store.useOneTimeCode(device.id, code.kind, code.codeHash, T0)).toBe(false);
        // Others' records, and the history, stay.
        expect(await store.getSession(keptSession.idHash)).toEqual(keptSession);
        expect(await store.groupsOfUser(keeper.id)).toEqual([group]);
        expect((await store.listAudit(org.id, 10))[0]?.actorUserId).toBe(user.id);
        expect((await store.currentPolicy(org.id))?.createdBy).toBe(user.id);
      });
    });

    describe('groups', () => {
      it('round-trips groups, finds one by name within its org and lists them by name', async () => {
        const org = anOrg();
        const other = anOrg();
        await store.createOrg(org);
        await store.createOrg(other);
        const sales = aGroup(org.id, { name: 'sales', source: 'oidc' });
        const eng = aGroup(org.id, { name: 'eng' });
        const elsewhere = aGroup(other.id, { name: 'sales' });
        await store.createGroup(sales);
        await store.createGroup(eng);
        await store.createGroup(elsewhere);
        expect(await store.getGroupByName(org.id, 'sales')).toEqual(sales);
        expect(await store.getGroupByName(other.id, 'sales')).toEqual(elsewhere);
        expect(await store.getGroupByName(org.id, 'nope')).toBeNull();
        expect(await store.listGroups(org.id)).toEqual([eng, sales]);
      });

      it('refuses a second group with the same name in one org', async () => {
        const org = anOrg();
        await store.createOrg(org);
        await store.createGroup(aGroup(org.id, { name: 'eng' }));
        await expect(store.createGroup(aGroup(org.id, { name: 'eng', source: 'oidc' }))).rejects.toBeInstanceOf(StoreConflictError);
      });

      it('keeps memberships per source: replacing one source leaves the other alone', async () => {
        const { org, user } = await orgWithUser();
        const [a, b, c] = [aGroup(org.id, { name: 'a' }), aGroup(org.id, { name: 'b', source: 'oidc' }), aGroup(org.id, { name: 'c', source: 'oidc' })];
        for (const g of [a, b, c]) await store.createGroup(g);

        await store.setUserGroups(user.id, 'local', [a.id, b.id, a.id]);
        await store.setUserGroups(user.id, 'oidc', [b.id, c.id]);
        // b is granted by both sources and listed once.
        expect(await store.groupsOfUser(user.id)).toEqual([a, b, c]);

        await store.setUserGroups(user.id, 'oidc', []);
        expect(await store.groupsOfUser(user.id)).toEqual([a, b]);

        await store.setUserGroups(user.id, 'local', [c.id]);
        expect(await store.groupsOfUser(user.id)).toEqual([c]);
        expect(await store.groupsOfUser('nobody')).toEqual([]);
      });

      it('takes its memberships with it when deleted', async () => {
        const { org, user } = await orgWithUser();
        const a = aGroup(org.id, { name: 'a' });
        const b = aGroup(org.id, { name: 'b' });
        await store.createGroup(a);
        await store.createGroup(b);
        await store.setUserGroups(user.id, 'local', [a.id, b.id]);
        await store.deleteGroup(a.id);
        expect(await store.groupsOfUser(user.id)).toEqual([b]);
        expect(await store.listGroups(org.id)).toEqual([b]);
        // The name is free again.
        await store.createGroup(aGroup(org.id, { name: 'a' }));
      });
    });

    describe('policy versions', () => {
      const document = {
        version: 1,
        apps: [{ match: { os: ['linux'] }, forwarding: 'default' }],
        text: 'ünïcödé ✓ "quotes" \\ back',
        nothing: null,
        flag: false,
        big: 2 ** 40,
        fraction: 0.25,
      };

      it('numbers versions 1, 2, 3 per org and returns the highest as current', async () => {
        const { org, user } = await orgWithUser();
        const other = anOrg();
        await store.createOrg(other);
        expect(await store.currentPolicy(org.id)).toBeNull();
        expect(await store.currentPolicyVersion(org.id)).toBeNull();

        const first = await store.addPolicyVersion({ orgId: org.id, document, createdAt: T0, createdBy: user.id, comment: 'initial' });
        const second = await store.addPolicyVersion({ orgId: org.id, document: ['a', 1], createdAt: T0 + 1, createdBy: null, comment: '' });
        const elsewhere = await store.addPolicyVersion({ orgId: other.id, document: null, createdAt: MAX_DATE_MS, createdBy: null, comment: 'x' });

        expect(first).toEqual({ orgId: org.id, version: 1, document, createdAt: T0, createdBy: user.id, comment: 'initial' });
        expect(second.version).toBe(2);
        expect(elsewhere.version).toBe(1);
        expect(await store.currentPolicy(org.id)).toEqual(second);
        expect(await store.currentPolicyVersion(org.id)).toBe(second.version);
        expect(await store.currentPolicy(other.id)).toEqual(elsewhere);
        expect(await store.getPolicyVersion(org.id, 1)).toEqual(first);
        expect(await store.getPolicyVersion(org.id, 3)).toBeNull();
      });

      it('lists versions newest first, without their documents', async () => {
        const org = anOrg();
        await store.createOrg(org);
        for (let i = 0; i < 3; i++) {
          await store.addPolicyVersion({ orgId: org.id, document, createdAt: T0 + i, createdBy: null, comment: `v${i + 1}` });
        }
        const listed = await store.listPolicyVersions(org.id);
        expect(listed.map((p) => p.version)).toEqual([3, 2, 1]);
        expect(listed[0]).toEqual({ orgId: org.id, version: 3, createdAt: T0 + 2, createdBy: null, comment: 'v3' });
        expect(listed.some((p) => 'document' in p)).toBe(false);
      });

      it('gives 10 concurrent writers 10 distinct versions, 1 to 10', async () => {
        const org = anOrg();
        await store.createOrg(org);
        const added = await tenAtOnce((n) => store.addPolicyVersion({ orgId: org.id, document: { n }, createdAt: T0, createdBy: null, comment: `${n}` }));
        expect(added.map((p) => p.version).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        for (const policy of added) expect(await store.getPolicyVersion(org.id, policy.version)).toEqual(policy);
        expect((await store.currentPolicy(org.id))?.version).toBe(10);
      });
    });

    describe('device authorizations', () => {
      it('round-trips one and finds it by device code, and by user code while pending', async () => {
        const { org, user } = await orgWithUser();
        const pending = anAuthorization(org.id, { expiresAt: MAX_DATE_MS });
        const approved = anAuthorization(org.id, { status: 'approved', userId: user.id, lastPolledAt: T0 + 5000, interval: 10 });
        await store.createDeviceAuthorization(pending);
        await store.createDeviceAuthorization(approved);
        expect(await store.getDeviceAuthorizationByDeviceCode(pending.deviceCodeHash)).toEqual(pending);
        expect(await store.getDeviceAuthorizationByDeviceCode(approved.deviceCodeHash)).toEqual(approved);
        expect(await store.getDeviceAuthorizationByDeviceCode('missing')).toBeNull();
        expect(await store.getPendingDeviceAuthorizationByUserCode(pending.userCode)).toEqual(pending);
        expect(await store.getPendingDeviceAuthorizationByUserCode(approved.userCode)).toBeNull();
      });

      it('updates status, approver, interval and last poll', async () => {
        const { org, user } = await orgWithUser();
        const auth = anAuthorization(org.id);
        await store.createDeviceAuthorization(auth);
        await store.updateDeviceAuthorization(auth.id, { interval: 10, lastPolledAt: T0 + 1 });
        expect(await store.getDeviceAuthorizationByDeviceCode(auth.deviceCodeHash)).toEqual({ ...auth, interval: 10, lastPolledAt: T0 + 1 });
        await store.updateDeviceAuthorization(auth.id, { status: 'denied', userId: user.id });
        expect(await store.getDeviceAuthorizationByDeviceCode(auth.deviceCodeHash)).toEqual({
          ...auth,
          interval: 10,
          lastPolledAt: T0 + 1,
          status: 'denied',
          userId: user.id,
        });
        await store.updateDeviceAuthorization(auth.id, {});
      });

      it('refuses a taken device code, and a user code taken by a pending request only', async () => {
        const org = anOrg();
        await store.createOrg(org);
        const first = anAuthorization(org.id, { userCode: 'WDJB-MJHT' });
        await store.createDeviceAuthorization(first);
        await expect(store.createDeviceAuthorization(anAuthorization(org.id, { deviceCodeHash: first.deviceCodeHash }))).rejects.toBeInstanceOf(
          StoreConflictError,
        );
        await expect(store.createDeviceAuthorization(anAuthorization(org.id, { userCode: 'WDJB-MJHT' }))).rejects.toBeInstanceOf(StoreConflictError);
        await store.updateDeviceAuthorization(first.id, { status: 'denied' });
        const second = anAuthorization(org.id, { userCode: 'WDJB-MJHT' });
        await store.createDeviceAuthorization(second);
        expect(await store.getPendingDeviceAuthorizationByUserCode('WDJB-MJHT')).toEqual(second);
      });

      it('consumes an approved authorization once, and nothing else', async () => {
        const { org, user } = await orgWithUser();
        const pending = anAuthorization(org.id);
        const approved = anAuthorization(org.id, { status: 'approved', userId: user.id });
        await store.createDeviceAuthorization(pending);
        await store.createDeviceAuthorization(approved);
        expect(await store.consumeDeviceAuthorization(pending.id)).toBe(false);
        expect(await store.consumeDeviceAuthorization('missing')).toBe(false);
        expect(await store.consumeDeviceAuthorization(approved.id)).toBe(true);
        expect(await store.consumeDeviceAuthorization(approved.id)).toBe(false);
        expect((await store.getDeviceAuthorizationByDeviceCode(approved.deviceCodeHash))?.status).toBe('consumed');
        expect((await store.getDeviceAuthorizationByDeviceCode(pending.deviceCodeHash))?.status).toBe('pending');
      });

      it('lets exactly one of 10 concurrent pollers consume it', async () => {
        const { org, user } = await orgWithUser();
        const auth = anAuthorization(org.id, { status: 'approved', userId: user.id });
        await store.createDeviceAuthorization(auth);
        const results = await tenAtOnce(() => store.consumeDeviceAuthorization(auth.id));
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('devices', () => {
      const fingerprint = {
        os: 'linux',
        osVersion: '6.1',
        model: 'ThinkPad',
        hostname: 'host-1',
        serial: 'SN1',
        appVersion: '0.1.0',
        networkType: 'trusted',
        edge: 'eu-1',
        state: 'connected',
      };

      it('round-trips devices with an empty and a full fingerprint', async () => {
        const { org, user } = await orgWithUser();
        const bare = aDevice(org.id, user.id);
        const full = aDevice(org.id, user.id, { fingerprint, policyVersion: 7, lastSeenAt: MAX_DATE_MS, revokedAt: T0 + 1 });
        await store.createDevice(bare);
        await store.createDevice(full);
        expect(await store.getDevice(bare.id)).toEqual(bare);
        const read = await store.getDevice(full.id);
        expect(read).toEqual(full);
        expect(typeof read?.lastSeenAt).toBe('number');
        expect(await store.getDevice('missing')).toBeNull();
      });

      it('lists the devices of one org, oldest enrollment first', async () => {
        const { org, user } = await orgWithUser();
        const other = anOrg();
        await store.createOrg(other);
        const otherUser = aUser(other.id);
        await store.createUser(otherUser);
        const newer = aDevice(org.id, user.id, { enrolledAt: T0 + 10 });
        const older = aDevice(org.id, user.id, { enrolledAt: T0 });
        await store.createDevice(newer);
        await store.createDevice(older);
        await store.createDevice(aDevice(other.id, otherUser.id));
        expect(await store.listDevices(org.id)).toEqual([older, newer]);
      });

      it('counts the devices of a user that are not revoked', async () => {
        const { org, user } = await orgWithUser();
        const someoneElse = aUser(org.id);
        await store.createUser(someoneElse);
        expect(await store.countActiveDevicesOfUser(user.id)).toBe(0);
        await store.createDevice(aDevice(org.id, user.id));
        await store.createDevice(aDevice(org.id, user.id));
        await store.createDevice(aDevice(org.id, user.id, { revokedAt: T0 }));
        await store.createDevice(aDevice(org.id, someoneElse.id));
        expect(await store.countActiveDevicesOfUser(user.id)).toBe(2);
      });

      it('changes only the fields named, replacing the fingerprint as a whole', async () => {
        const { org, user } = await orgWithUser();
        const device = aDevice(org.id, user.id, { fingerprint });
        await store.createDevice(device);
        await store.updateDevice(device.id, { fingerprint: { os: 'macos' }, policyVersion: 3, lastSeenAt: T0 + 5 });
        expect(await store.getDevice(device.id)).toEqual({ ...device, fingerprint: { os: 'macos' }, policyVersion: 3, lastSeenAt: T0 + 5 });
        await store.updateDevice(device.id, { name: 'renamed', revokedAt: T0 + 6, policyVersion: null });
        expect(await store.getDevice(device.id)).toMatchObject({ name: 'renamed', revokedAt: T0 + 6, policyVersion: null, lastSeenAt: T0 + 5 });
        await store.updateDevice(device.id, {});
      });

      it('lists devices revoked or removed since a time, for edges', async () => {
        const { org, user } = await orgWithUser();
        const [kept, revokedLongAgo, revoked, removed] = [aDevice(org.id, user.id), aDevice(org.id, user.id), aDevice(org.id, user.id), aDevice(org.id, user.id)];
        for (const device of [kept, revokedLongAgo, revoked, removed]) await store.createDevice(device);
        await store.updateDevice(revokedLongAgo.id, { revokedAt: T0 - 1 });
        await store.updateDevice(revoked.id, { revokedAt: T0 + 1 });
        await store.deleteDevice(removed.id, T0 + 2);
        const listed = await store.revokedDevicesSince(org.id, T0);
        expect(listed).toEqual(
          [
            { id: revoked.id, revokedAt: T0 + 1 },
            { id: removed.id, revokedAt: T0 + 2 },
          ].sort((a, b) => a.id.localeCompare(b.id)),
        );
        expect(await store.revokedDevicesSince(anOrg().id, T0)).toEqual([]);
      });

      it('takes its one-time codes with it when deleted, and leaves its tickets', async () => {
        const { org, user } = await orgWithUser();
        const device = aDevice(org.id, user.id);
        await store.createDevice(device);
        const code = aCode(device.id);
        await store.createOneTimeCode(code);
        const ticket = aTicket(org.id, device.id, user.id);
        await store.createTicket(ticket);
        await store.deleteDevice(device.id, T0 + 7);
        expect(await store.getDevice(device.id)).toBeNull();
        expect(await store.getTicket(ticket.id)).toEqual(ticket);
        await store.createDevice(device);
        expect(await store.useOneTimeCode(device.id, code.kind, code.codeHash, T0)).toBe(false);
      });
    });

    describe('enrollment tokens', () => {
      it('round-trips tokens, finds one by hash and lists them oldest first', async () => {
        const org = anOrg();
        await store.createOrg(org);
        const newer = aToken(org.id, { createdAt: T0 + 1, expiresAt: MAX_DATE_MS });
        const older = aToken(org.id, { createdAt: T0 });
        await store.createEnrollmentToken(newer);
        await store.createEnrollmentToken(older);
        expect(await store.getEnrollmentTokenByHash(newer.tokenHash)).toEqual(newer);
        expect(await store.getEnrollmentTokenByHash('missing')).toBeNull();
        expect(await store.listEnrollmentTokens(org.id)).toEqual([older, newer]);
      });

      it('refuses a taken token hash', async () => {
        const org = anOrg();
        await store.createOrg(org);
        const token = aToken(org.id);
        await store.createEnrollmentToken(token);
        await expect(store.createEnrollmentToken(aToken(org.id, { tokenHash: token.tokenHash }))).rejects.toBeInstanceOf(StoreConflictError);
      });

      it('revokes a token once: the first revocation time stands', async () => {
        const org = anOrg();
        await store.createOrg(org);
        const token = aToken(org.id);
        await store.createEnrollmentToken(token);
        await store.revokeEnrollmentToken(token.id, T0 + 10);
        await store.revokeEnrollmentToken(token.id, T0 + 20);
        expect(await store.getEnrollmentTokenByHash(token.tokenHash)).toEqual({ ...token, revokedAt: T0 + 10 });
      });
    });

    describe('one-time codes', () => {
      async function deviceWithCode(over: Partial<OneTimeCode> = {}): Promise<{ device: Device; code: OneTimeCode }> {
        const { org, user } = await orgWithUser();
        const device = aDevice(org.id, user.id);
        await store.createDevice(device);
        const code = aCode(device.id, over);
        await store.createOneTimeCode(code);
        return { device, code };
      }

      it('accepts a code once, for its device and kind only', async () => {
        const { device, code } = await deviceWithCode({ kind: 'logout' });
        expect(await store.useOneTimeCode(device.id, 'disable', code.codeHash, T0)).toBe(false);
        expect(await store.useOneTimeCode(device.id, 'logout', 'wrong', T0)).toBe(false);
        expect(await store.useOneTimeCode('other-device', 'logout', code.codeHash, T0)).toBe(false);
        expect(await store.useOneTimeCode(device.id, 'logout', code.codeHash, T0)).toBe(true);
        expect(await store.useOneTimeCode(device.id, 'logout', code.codeHash, T0)).toBe(false);
      });

      it('refuses an expired code', async () => {
        const { device, code } = await deviceWithCode({ expiresAt: T0 + 1000 });
        expect(await store.useOneTimeCode(device.id, code.kind, code.codeHash, T0 + 1000)).toBe(false);
        expect(await store.useOneTimeCode(device.id, code.kind, code.codeHash, T0 + 999)).toBe(true);
      });

      it('refuses a code created already used', async () => {
        const { device, code } = await deviceWithCode({ usedAt: T0 });
        expect(await store.useOneTimeCode(device.id, code.kind, code.codeHash, T0)).toBe(false);
      });

      it('lets exactly one of 10 concurrent callers use a code', async () => {
        const { device, code } = await deviceWithCode();
        const results = await tenAtOnce(() => store.useOneTimeCode(device.id, code.kind, code.codeHash, T0));
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('sessions', () => {
      it('round-trips a session, updates it and deletes it', async () => {
        const { user } = await orgWithUser();
        const session = aSession(user.id, { expiresAt: MAX_DATE_MS });
        await store.createSession(session);
        expect(await store.getSession(session.idHash)).toEqual(session);
        await store.updateSession(session.idHash, { mfaPassed: true });
        expect(await store.getSession(session.idHash)).toEqual({ ...session, mfaPassed: true });
        await store.updateSession(session.idHash, { expiresAt: T0 + 1 });
        expect(await store.getSession(session.idHash)).toEqual({ ...session, mfaPassed: true, expiresAt: T0 + 1 });
        await store.updateSession(session.idHash, {});
        await store.deleteSession(session.idHash);
        expect(await store.getSession(session.idHash)).toBeNull();
      });

      it('refuses a taken session id', async () => {
        const { user } = await orgWithUser();
        const session = aSession(user.id);
        await store.createSession(session);
        await expect(store.createSession(aSession(user.id, { idHash: session.idHash }))).rejects.toBeInstanceOf(StoreConflictError);
      });

      it("deletes every session of one user and no one else's", async () => {
        const { org, user } = await orgWithUser();
        const other = aUser(org.id);
        await store.createUser(other);
        const mine = [aSession(user.id), aSession(user.id, { mfaPassed: true })];
        const theirs = aSession(other.id);
        for (const s of [...mine, theirs]) await store.createSession(s);
        await store.deleteSessionsOfUser(user.id);
        for (const s of mine) expect(await store.getSession(s.idHash)).toBeNull();
        expect(await store.getSession(theirs.idHash)).toEqual(theirs);
      });
    });

    describe('audit log', () => {
      it('round-trips details of any JSON shape', async () => {
        const org = anOrg();
        await store.createOrg(org);
        const shapes: unknown[] = [{ nested: { list: [1, 'two', null] } }, 'text', 42, null, [], true];
        const entries = shapes.map((details, i) => anAudit(org.id, { at: T0 + i, details, actorUserId: i % 2 ? 'someone' : null }));
        for (const e of entries) await store.addAudit(e);
        expect(await store.listAudit(org.id, 100)).toEqual([...entries].reverse());
      });

      it('lists newest first, pages with an exclusive `before`, and keeps orgs apart', async () => {
        const org = anOrg();
        const other = anOrg();
        await store.createOrg(org);
        await store.createOrg(other);
        const entries = Array.from({ length: 5 }, (_, i) => anAudit(org.id, { at: MAX_DATE_MS - 5 + i, action: `a${i}` }));
        for (const e of [entries[2], entries[0], entries[4], entries[1], entries[3]]) await store.addAudit(e!);
        await store.addAudit(anAudit(other.id, { at: MAX_DATE_MS }));

        const page1 = await store.listAudit(org.id, 2);
        expect(page1.map((e) => e.action)).toEqual(['a4', 'a3']);
        expect(typeof page1[0]?.at).toBe('number');
        const page2 = await store.listAudit(org.id, 2, page1.at(-1)?.at);
        expect(page2.map((e) => e.action)).toEqual(['a2', 'a1']);
        const page3 = await store.listAudit(org.id, 2, page2.at(-1)?.at);
        expect(page3.map((e) => e.action)).toEqual(['a0']);
        expect(await store.listAudit(org.id, 2, entries[0]?.at)).toEqual([]);
      });
    });

    describe('support tickets', () => {
      it('round-trips bundles byte for byte: every byte value, empty, and none', async () => {
        const { org, user } = await orgWithUser();
        const device = aDevice(org.id, user.id);
        await store.createDevice(device);
        const everyByte = aTicket(org.id, device.id, user.id, { bundle: Uint8Array.from({ length: 256 }, (_, i) => i) });
        const empty = aTicket(org.id, device.id, user.id, { bundle: new Uint8Array(0) });
        const none = aTicket(org.id, device.id, user.id);
        for (const t of [everyByte, empty, none]) await store.createTicket(t);
        expect(await store.getTicket(everyByte.id)).toEqual(everyByte);
        expect((await store.getTicket(everyByte.id))?.bundle).toBeInstanceOf(Uint8Array);
        expect(await store.getTicket(empty.id)).toEqual(empty);
        expect(await store.getTicket(none.id)).toEqual(none);
        expect(await store.getTicket('missing')).toBeNull();
      });

      it('lists the tickets of one org newest first, without bundles', async () => {
        const { org, user } = await orgWithUser();
        const device = aDevice(org.id, user.id);
        await store.createDevice(device);
        const older = aTicket(org.id, device.id, user.id, { createdAt: T0, bundle: new Uint8Array([1, 2, 3]) });
        const newer = aTicket(org.id, device.id, user.id, { createdAt: T0 + 1 });
        await store.createTicket(older);
        await store.createTicket(newer);
        const listed = await store.listTickets(org.id);
        expect(listed).toEqual([newer, older].map(({ bundle: _bundle, ...summary }) => summary));
        expect(listed.some((t) => 'bundle' in t)).toBe(false);
      });

      it('updates the status', async () => {
        const { org, user } = await orgWithUser();
        const ticket = aTicket(org.id, 'device', user.id);
        await store.createTicket(ticket);
        await store.updateTicket(ticket.id, { status: 'closed' });
        expect(await store.getTicket(ticket.id)).toEqual({ ...ticket, status: 'closed' });
      });
    });

    describe('signing keys', () => {
      it('round-trips keys and lists them all, retired too, newest first', async () => {
        const org = anOrg();
        await store.createOrg(org);
        const retired = aKey(org.id, { createdAt: T0, retiredAt: T0 + 5 });
        const current = aKey(org.id, { createdAt: T0 + 1 });
        await store.addSigningKey(retired);
        await store.addSigningKey(current);
        expect(await store.listSigningKeys(org.id)).toEqual([current, retired]);
      });

      it('names the newest key that is not retired as active', async () => {
        const org = anOrg();
        await store.createOrg(org);
        expect(await store.activeSigningKey(org.id)).toBeNull();
        const old = aKey(org.id, { createdAt: T0 });
        const newestRetired = aKey(org.id, { createdAt: T0 + 10, retiredAt: T0 + 11 });
        const active = aKey(org.id, { createdAt: T0 + 5 });
        for (const k of [old, newestRetired, active]) await store.addSigningKey(k);
        expect(await store.activeSigningKey(org.id)).toEqual(active);
      });

      it('refuses a taken key id', async () => {
        const org = anOrg();
        await store.createOrg(org);
        const key = aKey(org.id);
        await store.addSigningKey(key);
        await expect(store.addSigningKey(aKey(org.id, { kid: key.kid }))).rejects.toBeInstanceOf(StoreConflictError);
      });
    });
  });
}
