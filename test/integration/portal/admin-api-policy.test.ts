/**
 * Admin API: the policy document — current, save (valid, invalid with exact error paths, stale
 * base version), history, one version, simulate; each save audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type PolicyDocument } from '../../../protocol/policy.js';
import { PolicyErrors, PolicyHistory, PolicyVersionDetail, SimulateResponse } from '../../../protocol/portal-admin.js';
import { startTestPortal, type TestPortal } from '../../support/portal.js';
import { signIn, type BrowserSession } from '../../support/portal-sign-in.js';

const API = '/api/v1/admin';

let portal: TestPortal;
let admin: BrowserSession;

beforeAll(async () => {
  portal = await startTestPortal();
  admin = await signIn(portal, portal.admin);
});
afterAll(() => portal.close());

function edited(change: (doc: PolicyDocument) => void): PolicyDocument {
  const doc = structuredClone(DEFAULT_POLICY);
  change(doc);
  return doc;
}

describe('the policy', () => {
  it('starts at version 1, the default policy, made by the first admin', async () => {
    const { status, body } = await admin.json('GET', `${API}/policy`);
    expect(status).toBe(200);
    const current = PolicyVersionDetail.parse(body);
    expect(current).toMatchObject({ version: 1, comment: 'initial policy', createdBy: { id: portal.admin.user.id, email: 'admin@example.test' } });
    expect(current.document).toEqual(DEFAULT_POLICY);
  });

  it('saves a valid document as the next version, audited', async () => {
    const document = edited((doc) => {
      doc.appProfiles[0]!.name = 'All staff';
    });
    const { status, body } = await admin.json('PUT', `${API}/policy`, { document, comment: 'rename', baseVersion: 1 });
    expect(status).toBe(200);
    const saved = PolicyVersionDetail.parse(body);
    expect(saved).toMatchObject({ version: 2, comment: 'rename', createdBy: { id: portal.admin.user.id } });
    expect(saved.document).toEqual(document);
    expect(PolicyVersionDetail.parse((await admin.json('GET', `${API}/policy`)).body).version).toBe(2);

    const entry = (await portal.ctx.store.listAudit(portal.ctx.org.id, 100)).find((a) => a.action === 'policy.save');
    expect(entry).toMatchObject({ target: '2', actorUserId: portal.admin.user.id, details: { version: 2, comment: 'rename', baseVersion: 1 } });
  });

  it('refuses an invalid document with every problem at its exact path, and saves nothing', async () => {
    const document = edited((doc) => {
      doc.appProfiles[0]!.forwardingProfile = 'missing-profile';
      doc.edges[0]!.proxyUrl = 'not a url';
      Object.assign(doc.forwardingProfiles[0]!, { colour: 'blue' });
    });
    const { status, body } = await admin.json<{ code: string; message: string; details: unknown }>('PUT', `${API}/policy`, { document });
    expect(status).toBe(400);
    expect(body.code).toBe('INVALID_POLICY');
    const { errors } = PolicyErrors.parse(body.details);
    expect(errors.map((e) => e.path).sort()).toEqual(['appProfiles[0].forwardingProfile', 'edges[0].proxyUrl', 'forwardingProfiles[0].colour']);
    expect(errors.find((e) => e.path === 'forwardingProfiles[0].colour')?.message).toBe('Unknown field "colour".');
    expect(errors.find((e) => e.path === 'appProfiles[0].forwardingProfile')?.message).toContain('missing-profile');
    expect(body.message).toContain('3 problems');

    const notAnObject = await admin.json<{ code: string }>('PUT', `${API}/policy`, { document: 'hello' });
    expect(notAnObject.body.code).toBe('INVALID_POLICY');
    expect(PolicyHistory.parse((await admin.json('GET', `${API}/policy/versions`)).body).versions).toHaveLength(2);
  });

  it('refuses a save based on a version that is no longer current', async () => {
    const { status, body } = await admin.json<{ code: string; message: string; details: { currentVersion: number } }>('PUT', `${API}/policy`, {
      document: DEFAULT_POLICY,
      baseVersion: 1,
    });
    expect(status).toBe(409);
    expect(body.code).toBe('CONFLICT');
    expect(body.details.currentVersion).toBe(2);
    expect(body.message).toContain('Reload');
  });

  it('keeps the history, newest first, and every version readable', async () => {
    expect((await admin.json('PUT', `${API}/policy`, { document: DEFAULT_POLICY, comment: 'revert', baseVersion: 2 })).status).toBe(200);
    const { versions } = PolicyHistory.parse((await admin.json('GET', `${API}/policy/versions`)).body);
    expect(versions.map((v) => [v.version, v.comment])).toEqual([
      [3, 'revert'],
      [2, 'rename'],
      [1, 'initial policy'],
    ]);
    const two = PolicyVersionDetail.parse((await admin.json('GET', `${API}/policy/versions/2`)).body);
    expect((two.document as PolicyDocument).appProfiles[0]?.name).toBe('All staff');
    expect((await admin.json('GET', `${API}/policy/versions/99`)).status).toBe(404);
    expect((await admin.json('GET', `${API}/policy/versions/zero`)).status).toBe(400);
  });
});

describe('the simulator', () => {
  const request = { userEmail: 'user@example.test', groups: [], os: 'linux', networkType: 'off-trusted', url: 'https://example.com/' };

  it('says what the current policy does, and why', async () => {
    const { status, body } = await admin.json('POST', `${API}/policy/simulate`, request);
    expect(status).toBe(200);
    const result = SimulateResponse.parse(body);
    expect(result.appProfile).toMatchObject({ id: 'everyone' });
    expect(result.internetAction).toBe('enforce-proxy');
    expect(result.reasons.length).toBeGreaterThan(0);
  });

  it('simulates an unsaved draft or an old version', async () => {
    const draft = edited((doc) => {
      doc.forwardingProfiles[0]!.actions['off-trusted'].internet = 'tunnel';
    });
    const fromDraft = SimulateResponse.parse((await admin.json('POST', `${API}/policy/simulate`, { ...request, document: draft })).body);
    expect(fromDraft.internetAction).toBe('tunnel');
    const fromOld = await admin.json('POST', `${API}/policy/simulate`, { ...request, version: 2 });
    expect(SimulateResponse.parse(fromOld.body).appProfile?.name).toBe('All staff');
  });

  it('refuses an invalid draft with its error paths, and a malformed request', async () => {
    const broken = await admin.json<{ code: string; details: unknown }>('POST', `${API}/policy/simulate`, { ...request, document: { schemaVersion: 1 } });
    expect(broken.body.code).toBe('INVALID_POLICY');
    expect(PolicyErrors.parse(broken.body.details).errors.map((e) => e.path)).toContain('appProfiles');
    const bad = await admin.json<{ code: string }>('POST', `${API}/policy/simulate`, { ...request, os: 'beos' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('BAD_REQUEST');
  });
});
