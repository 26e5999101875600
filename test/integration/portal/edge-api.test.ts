/**
 * The edge API: an edge with the shared key pulls the access policy and the recently revoked
 * devices, revalidates with its ETag, and sees revocations and policy changes as a new ETag.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDGE_POLICY_PATH, EdgePolicy } from '../../../protocol/portal-edge.js';
import { DEFAULT_POLICY } from '../../../protocol/policy.js';
import { startTestPortal, type TestPortal } from '../../support/portal.js';
import { enrollDevice } from '../../support/portal-device.js';
import { signIn, type BrowserSession } from '../../support/portal-sign-in.js';

const EDGE_KEY = 'edge-key-for-tests-0123456789abcdef';

let portal: TestPortal;
let admin: BrowserSession;

beforeAll(async () => {
  portal = await startTestPortal({ edgeKey: EDGE_KEY });
  admin = await signIn(portal, portal.admin);
});
afterAll(() => portal.close());

function pull(headers: Record<string, string> = { authorization: `Bearer ${EDGE_KEY}` }): Promise<Response> {
  return fetch(`${portal.url}${EDGE_POLICY_PATH}`, { headers });
}

describe('GET /api/v1/edge/policy', () => {
  it('refuses a missing or wrong edge key with a reason', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-key-wrong-key-wrong-key-wrong' }, { authorization: EDGE_KEY }];
    for (const headers of attempts) {
      const res = await pull(headers);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringContaining('WAYGATE_EDGE_KEY') });
    }
  });

  it('serves the access policy with an ETag, and 304 when nothing changed', async () => {
    const res = await pull();
    expect(res.status).toBe(200);
    const policy = EdgePolicy.parse(await res.json());
    expect(policy).toEqual({ policyVersion: 1, access: DEFAULT_POLICY.access, revokedDevices: [] });
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    const again = await pull({ authorization: `Bearer ${EDGE_KEY}`, 'if-none-match': etag ?? '' });
    expect(again.status).toBe(304);
  });

  it('lists a revoked and a removed device, and a new policy changes the ETag', async () => {
    const before = (await pull()).headers.get('etag') ?? '';
    const revoked = await enrollDevice(portal);
    const removed = await enrollDevice(portal);
    expect((await admin.json('POST', `/api/v1/admin/devices/${revoked.device_id}/revoke`)).status).toBe(200);
    expect((await admin.json('DELETE', `/api/v1/admin/devices/${removed.device_id}`)).status).toBe(204);
    const res = await pull({ authorization: `Bearer ${EDGE_KEY}`, 'if-none-match': before });
    expect(res.status).toBe(200);
    const policy = EdgePolicy.parse(await res.json());
    expect(policy.revokedDevices.map((d) => d.id).sort()).toEqual([revoked.device_id, removed.device_id].sort());
    expect(policy.revokedDevices.every((d) => d.revokedAt === portal.clock.now)).toBe(true);

    const document = { ...DEFAULT_POLICY, access: { defaultAction: 'allow', rules: [{ id: 'no-gambling', action: 'block', users: [], groups: [], domains: ['.casino.example'], cidrs: [], ports: [] }] } };
    expect((await admin.json('PUT', '/api/v1/admin/policy', { document, comment: 'block gambling', baseVersion: 1 })).status).toBe(200);
    const changed = EdgePolicy.parse(await (await pull()).json());
    expect(changed.policyVersion).toBe(2);
    expect(changed.access.rules.map((r) => r.id)).toEqual(['no-gambling']);
  });

  it('leaves out revocations older than any token could be', async () => {
    portal.clock.advance(3 * 60 * 60 * 1000);
    expect(EdgePolicy.parse(await (await pull()).json()).revokedDevices).toEqual([]);
  });
});

describe('a portal without an edge key', () => {
  it('keeps the edge API off and says how to turn it on', async () => {
    const plain = await startTestPortal();
    try {
      const res = await fetch(`${plain.url}${EDGE_POLICY_PATH}`, { headers: { authorization: `Bearer ${EDGE_KEY}` } });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('WAYGATE_EDGE_KEY') });
    } finally {
      await plain.close();
    }
  });
});
