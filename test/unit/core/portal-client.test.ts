import { describe, expect, it } from 'vitest';
import { PortalClient, type Fetch } from '../../../core/portal-client.js';
import { WaygateError } from '../../../protocol/errors.js';
import { CLIENT_ID, DEVICE_CODE_GRANT, type SignedConfig } from '../../../protocol/portal.js';
import { effectiveConfig } from '../../fakes/portal-config.js';

const BASE = 'https://portal.example';
const CREDENTIAL = 'wgd.dev-1.secret';

interface Sent {
  url: string;
  method: string | undefined;
  headers: Headers;
  body: string | null;
}

/** A fetch that records each request and answers with the next of `responses` (a Response or a thrown error). */
function fakeFetch(...responses: (Response | Error)[]) {
  const sent: Sent[] = [];
  const fetchFn: Fetch = (input, init) => {
    const body = init?.body;
    sent.push({ url: input, method: init?.method, headers: new Headers(init?.headers), body: typeof body === 'string' ? body : null });
    const next = responses.shift();
    if (next === undefined) return Promise.reject(new Error('unexpected request'));
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  return { fetchFn, sent, client: new PortalClient(`${BASE}/`, fetchFn) };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

async function failure(promise: Promise<unknown>): Promise<WaygateError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof WaygateError)) throw new Error(`expected a WaygateError, got ${String(err)}`);
  return err;
}

const SIGNED: SignedConfig = { config: effectiveConfig(), signature: { alg: 'EdDSA', kid: 'k1', value: 'c2ln' } };

describe('PortalClient requests', () => {
  it('form-encodes the token request to the device token endpoint, without credentials', async () => {
    const { client, sent } = fakeFetch(json({ error: 'authorization_pending' }, 400));
    await client.token({ grant_type: DEVICE_CODE_GRANT, device_code: 'code with spaces&=', client_id: CLIENT_ID });
    const [request] = sent;
    expect(request?.url).toBe(`${BASE}/api/v1/device/token`);
    expect(request?.method).toBe('POST');
    expect(request?.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(request?.headers.get('authorization')).toBeNull();
    expect(Object.fromEntries(new URLSearchParams(request?.body ?? ''))).toEqual({
      grant_type: DEVICE_CODE_GRANT,
      device_code: 'code with spaces&=',
      client_id: CLIENT_ID,
    });
  });

  it('adds the client id to the authorize form', async () => {
    const answer = {
      device_code: 'dc',
      user_code: 'ABCD-EFGH',
      verification_uri: `${BASE}/device`,
      verification_uri_complete: `${BASE}/device?user_code=ABCD-EFGH`,
      expires_in: 600,
      interval: 5,
    };
    const { client, sent } = fakeFetch(json(answer));
    await expect(client.authorize({ device_name: 'laptop', os: 'linux', os_version: '6.8' })).resolves.toEqual(answer);
    expect(Object.fromEntries(new URLSearchParams(sent[0]?.body ?? ''))).toEqual({ client_id: CLIENT_ID, device_name: 'laptop', os: 'linux', os_version: '6.8' });
  });

  it('sends the device credential as a Bearer token and JSON bodies as JSON', async () => {
    const { client, sent } = fakeFetch(json({ policyVersion: 3 }));
    await expect(client.heartbeat(CREDENTIAL, { fingerprint: { os: 'linux' }, policyVersion: 2 })).resolves.toEqual({ policyVersion: 3 });
    const [request] = sent;
    expect(request?.url).toBe(`${BASE}/api/v1/device/heartbeat`);
    expect(request?.headers.get('authorization')).toBe(`Bearer ${CREDENTIAL}`);
    expect(request?.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(request?.body ?? 'null')).toEqual({ fingerprint: { os: 'linux' }, policyVersion: 2 });
  });
});

describe('PortalClient config', () => {
  it('returns the signed config with its ETag, and sends no If-None-Match without one', async () => {
    const { client, sent } = fakeFetch(json(SIGNED, 200, { etag: '"v1"' }));
    await expect(client.config(CREDENTIAL, null)).resolves.toEqual({ kind: 'config', signed: SIGNED, etag: '"v1"' });
    expect(sent[0]?.method).toBe('GET');
    expect(sent[0]?.headers.get('if-none-match')).toBeNull();
  });

  it('sends the ETag as If-None-Match and reports 304 as unchanged', async () => {
    const { client, sent } = fakeFetch(new Response(null, { status: 304 }));
    await expect(client.config(CREDENTIAL, '"v1"')).resolves.toEqual({ kind: 'unchanged' });
    expect(sent[0]?.headers.get('if-none-match')).toBe('"v1"');
  });

  it('turns 401 into UNAUTHENTICATED, saying to sign in again', async () => {
    const { client } = fakeFetch(json({ code: 'UNAUTHENTICATED', message: 'This device was revoked.' }, 401));
    const err = await failure(client.config(CREDENTIAL, null));
    expect(err.code).toBe('UNAUTHENTICATED');
    expect(err.message).toContain('This device was revoked.');
    expect(err.message).toContain('sign in again');
  });

  it('turns a 5xx into PORTAL_UNREACHABLE naming what failed and the status', async () => {
    const { client } = fakeFetch(json({ code: 'INTERNAL', message: 'database is down' }, 503));
    const err = await failure(client.config(CREDENTIAL, null));
    expect(err.code).toBe('PORTAL_UNREACHABLE');
    expect(err.message).toContain('fetching the config');
    expect(err.message).toContain('HTTP 503');
    expect(err.message).toContain('database is down');
  });

  it('passes on a 4xx protocol error as it is', async () => {
    const { client } = fakeFetch(json({ code: 'RATE_LIMITED', message: 'Slow down.', details: { retryAfterSeconds: 30 } }, 429));
    const err = await failure(client.config(CREDENTIAL, null));
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.details).toEqual({ retryAfterSeconds: 30 });
  });

  it('turns a network error into PORTAL_UNREACHABLE naming the portal and the cause', async () => {
    const { client } = fakeFetch(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:443') }));
    const err = await failure(client.config(CREDENTIAL, null));
    expect(err.code).toBe('PORTAL_UNREACHABLE');
    expect(err.message).toContain(BASE);
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('turns an answer that is not the protocol into PORTAL_UNREACHABLE asking whether it is a portal', async () => {
    for (const response of [json({ hello: 'world' }), new Response('<html>captive portal</html>', { status: 200 })]) {
      const { client } = fakeFetch(response);
      const err = await failure(client.config(CREDENTIAL, null));
      expect(err.code).toBe('PORTAL_UNREACHABLE');
      expect(err.message).toContain(`is ${BASE} a Waygate portal?`);
    }
  });
});

describe('PortalClient token', () => {
  const form = { grant_type: DEVICE_CODE_GRANT, device_code: 'dc', client_id: CLIENT_ID } as const;

  it('returns OAuth errors as outcomes, whatever their status', async () => {
    const { client } = fakeFetch(json({ error: 'slow_down' }, 400), json({ error: 'invalid_client', error_description: 'unknown client' }, 401));
    await expect(client.token(form)).resolves.toEqual({ kind: 'error', error: { error: 'slow_down' } });
    await expect(client.token(form)).resolves.toEqual({ kind: 'error', error: { error: 'invalid_client', error_description: 'unknown client' } });
  });

  it('returns the enrollment when granted', async () => {
    const response = {
      token_type: 'waygate-device',
      device_id: 'dev-1',
      device_credential: CREDENTIAL,
      org: { id: 'org-1', name: 'Example' },
      user: { id: 'u1', email: 'ada@example.com', name: 'Ada' },
      portal_keys: { keys: [] },
    };
    const { client } = fakeFetch(json(response));
    await expect(client.token(form)).resolves.toEqual({ kind: 'granted', response });
  });

  it('throws PORTAL_UNREACHABLE for a failure that is not an OAuth error', async () => {
    const { client } = fakeFetch(new Response('Bad Gateway', { status: 502 }));
    const err = await failure(client.token(form));
    expect(err.code).toBe('PORTAL_UNREACHABLE');
    expect(err.message).toContain('HTTP 502');
  });
});

describe('PortalClient edge token and one-time codes', () => {
  it('parses the edge token and the one-time code answer', async () => {
    const { client, sent } = fakeFetch(json({ token: 'jwt', expires_at: 1_800_000_000 }), json({ valid: true }));
    await expect(client.edgeToken(CREDENTIAL)).resolves.toEqual({ token: 'jwt', expires_at: 1_800_000_000 });
    await expect(client.verifyCode(CREDENTIAL, 'disable', '123456')).resolves.toBe(true);
    expect(sent.map((s) => s.url)).toEqual([`${BASE}/api/v1/device/edge-token`, `${BASE}/api/v1/device/verify-code`]);
    expect(JSON.parse(sent[1]?.body ?? 'null')).toEqual({ kind: 'disable', code: '123456' });
  });

  it('turns a revoked device into UNAUTHENTICATED on the edge token too', async () => {
    const { client } = fakeFetch(new Response(null, { status: 401 }));
    expect((await failure(client.edgeToken(CREDENTIAL))).code).toBe('UNAUTHENTICATED');
  });
});
