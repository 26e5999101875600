/**
 * What a Waygate device says to a test portal: the RFC 8628 endpoints (form-encoded) and the
 * authenticated device API. Raw HTTP on purpose — the tests check status codes and headers.
 */
import { randomBytes, createHash } from 'node:crypto';
import { CLIENT_ID, DEVICE_CODE_GRANT, DeviceAuthorizeResponse, DeviceTokenResponse, ENROLLMENT_TOKEN_GRANT } from '../../protocol/portal.js';
import type { TestPortal } from './portal.js';

export interface Reply {
  status: number;
  headers: Headers;
  json: unknown;
}

async function reply(res: Response): Promise<Reply> {
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
}

export async function postForm(url: string, fields: Record<string, string>): Promise<Reply> {
  return reply(await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) }));
}

export async function authorize(portal: TestPortal, fields: Partial<Record<string, string>> = {}): Promise<DeviceAuthorizeResponse> {
  const res = await postForm(`${portal.url}/api/v1/device/authorize`, {
    client_id: CLIENT_ID,
    device_name: 'Uma’s laptop',
    os: 'linux',
    os_version: 'Ubuntu 24.04',
    ...Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined)),
  });
  if (res.status !== 200) throw new Error(`authorize: HTTP ${res.status} ${JSON.stringify(res.json)}`);
  return DeviceAuthorizeResponse.parse(res.json);
}

export function pollToken(portal: TestPortal, deviceCode: string): Promise<Reply> {
  return postForm(`${portal.url}/api/v1/device/token`, { grant_type: DEVICE_CODE_GRANT, device_code: deviceCode, client_id: CLIENT_ID });
}

/** Stores an org enrollment token the way the admin API does (hashed) and returns its plain value. */
export async function createEnrollmentToken(portal: TestPortal, change: { expiresAt?: number | null; revokedAt?: number | null } = {}): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await portal.ctx.store.createEnrollmentToken({
    id: randomBytes(9).toString('base64url'),
    orgId: portal.ctx.org.id,
    label: 'managed browsers',
    tokenHash: createHash('sha256').update(token).digest('base64url'),
    createdAt: portal.clock.now,
    expiresAt: change.expiresAt ?? null,
    revokedAt: change.revokedAt ?? null,
  });
  return token;
}

export function enrollmentTokenGrant(portal: TestPortal, token: string, email: string, os = 'chromeos'): Promise<Reply> {
  return postForm(`${portal.url}/api/v1/device/token`, {
    grant_type: ENROLLMENT_TOKEN_GRANT,
    client_id: CLIENT_ID,
    enrollment_token: token,
    user_email: email,
    device_name: 'Managed Chromebook',
    os,
    os_version: '126',
  });
}

/** A device enrolled by zero-touch: the quickest way to get a credential for device API tests. */
export async function enrollDevice(portal: TestPortal, email = portal.user.user.email, os = 'linux'): Promise<DeviceTokenResponse> {
  const res = await enrollmentTokenGrant(portal, await createEnrollmentToken(portal), email, os);
  if (res.status !== 200) throw new Error(`enroll: HTTP ${res.status} ${JSON.stringify(res.json)}`);
  return DeviceTokenResponse.parse(res.json);
}

export async function deviceCall(portal: TestPortal, credential: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return reply(
    await fetch(`${portal.url}/api/v1/device/${path}`, {
      method,
      headers: { authorization: `Bearer ${credential}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}
