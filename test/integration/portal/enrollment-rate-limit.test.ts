/** The unauthenticated enrollment endpoints are rate limited per client address. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WireError } from '../../../protocol/errors.js';
import { CLIENT_ID, DEVICE_CODE_GRANT } from '../../../protocol/portal.js';
import { AUTHORIZE_LIMIT, TOKEN_LIMIT } from '../../../cloud/portal/enrollment/rate-limits.js';
import { postForm } from '../../support/portal-device.js';
import { startTestPortal, type TestPortal } from '../../support/portal.js';

let portal: TestPortal;

beforeAll(async () => {
  portal = await startTestPortal();
});
afterAll(() => portal.close());

async function statuses(path: string, fields: Record<string, string>, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push((await postForm(`${portal.url}${path}`, fields)).status);
  return out;
}

describe('enrollment rate limits', () => {
  it('answers 429 RATE_LIMITED once an address goes over the authorize limit', async () => {
    const fields = { client_id: CLIENT_ID, device_name: 'x', os: 'linux' };
    const seen = await statuses('/api/v1/device/authorize', fields, AUTHORIZE_LIMIT.max);
    expect(new Set(seen)).toEqual(new Set([200]));
    const over = await postForm(`${portal.url}/api/v1/device/authorize`, fields);
    expect(over.status).toBe(429);
    expect(WireError.parse(over.json).code).toBe('RATE_LIMITED');
  });

  it('limits the token endpoint separately', async () => {
    const fields = { grant_type: DEVICE_CODE_GRANT, client_id: CLIENT_ID, device_code: 'guess' };
    const seen = await statuses('/api/v1/device/token', fields, TOKEN_LIMIT.max);
    expect(new Set(seen)).toEqual(new Set([400]));
    const over = await postForm(`${portal.url}/api/v1/device/token`, fields);
    expect(over.status).toBe(429);
    expect(WireError.parse(over.json).code).toBe('RATE_LIMITED');
  });
});
