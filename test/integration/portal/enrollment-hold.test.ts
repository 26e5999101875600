/**
 * RFC 8628 long polling over real HTTP: a token poll that would say authorization_pending is held
 * open and answers the moment the person approves or denies on the verification page; a hold that
 * runs out answers authorization_pending and the device may poll again at once; shutdown and a
 * device hanging up end held polls. Order of events is asserted, never durations: holds here are
 * 19 s (interval 20 s), far longer than any of these tests may take.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLIENT_ID, DEVICE_CODE_GRANT, DeviceTokenResponse, TokenError } from '../../../protocol/portal.js';
import { authorize, type Reply } from '../../support/portal-device.js';
import { signIn, type BrowserSession } from '../../support/portal-sign-in.js';
import { startTestPortal, type TestPortal } from '../../support/portal.js';

/** Holds min(20, 20) − 1 = 19 s: a poll that answers sooner was woken, not timed out. */
const PATIENT = { pollIntervalSeconds: 20 };
/** Holds min(2, 20) − 1 = 1 s, for the tests that need a hold to run out. */
const BRIEF = { pollIntervalSeconds: 2 };

let patient: TestPortal;
let brief: TestPortal;
let browser: BrowserSession;

beforeAll(async () => {
  [patient, brief] = await Promise.all([startTestPortal(PATIENT), startTestPortal(BRIEF)]);
  browser = await signIn(patient.url, patient.user);
});
afterAll(() => Promise.all([patient.close(), brief.close()]));

async function poll(portal: TestPortal, deviceCode: string, signal?: AbortSignal): Promise<Reply> {
  const res = await fetch(`${portal.url}/api/v1/device/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: DEVICE_CODE_GRANT, device_code: deviceCode, client_id: CLIENT_ID }),
    signal,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
}

function tokenError(reply: Reply): string {
  expect(reply.status).toBe(400);
  return TokenError.parse(reply.json).error;
}

/** A poll in flight, recording when it settles. */
function started(reply: Promise<Reply>, events: string[], name: string): Promise<Reply> {
  return reply.finally(() => events.push(name));
}

/** Resolves once the portal holds a poll of `deviceCode` (it marks the poll when the hold begins). */
async function held(portal: TestPortal, deviceCode: string): Promise<void> {
  const deviceCodeHash = createHash('sha256').update(deviceCode).digest('base64url');
  await vi.waitFor(async () => expect((await portal.ctx.store.getDeviceAuthorizationByDeviceCode(deviceCodeHash))?.lastPolledAt).not.toBeNull(), { timeout: 5000 });
}

async function decide(decision: 'approve' | 'deny', userCode: string): Promise<void> {
  const page = await fetch(`${patient.url}/device?user_code=${encodeURIComponent(userCode)}`, { headers: { cookie: browser.cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const res = await fetch(`${patient.url}/device/${decision}`, {
    method: 'POST',
    headers: { cookie: browser.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ user_code: userCode, _csrf: csrf }),
  });
  expect(res.status).toBe(200);
}

describe('a held token poll (RFC 8628 long polling)', () => {
  it('answers with the device credential as soon as the person approves', async () => {
    const events: string[] = [];
    const { device_code, user_code } = await authorize(patient);
    const reply = started(poll(patient, device_code), events, 'poll answered');
    await held(patient, device_code);
    events.push('held');
    await decide('approve', user_code);
    events.push('approved');
    const answer = await reply;
    expect(answer.status).toBe(200);
    expect(DeviceTokenResponse.parse(answer.json).user.email).toBe('user@example.test');
    // Still open when the approval went in, and answered with a credential well inside its 19-s hold.
    expect(events[0]).toBe('held');
  });

  it('answers access_denied as soon as the person denies', async () => {
    const events: string[] = [];
    const { device_code, user_code } = await authorize(patient);
    const reply = started(poll(patient, device_code), events, 'poll answered');
    await held(patient, device_code);
    events.push('held');
    await decide('deny', user_code);
    expect(tokenError(await reply)).toBe('access_denied');
    expect(events[0]).toBe('held');
  });

  it('says slow_down to a second poll while one is held, and answers that one first', async () => {
    const events: string[] = [];
    const { device_code, user_code } = await authorize(patient);
    const first = started(poll(patient, device_code), events, 'first answered');
    await held(patient, device_code);
    expect(tokenError(await started(poll(patient, device_code), events, 'second answered'))).toBe('slow_down');
    await decide('approve', user_code);
    expect((await first).status).toBe(200);
    expect(events).toEqual(['second answered', 'first answered']);
  });

  it('answers authorization_pending when its hold runs out, and a poll straight after is held again, not slow_down', async () => {
    const { device_code } = await authorize(brief);
    expect(tokenError(await poll(brief, device_code))).toBe('authorization_pending');
    expect(tokenError(await poll(brief, device_code))).toBe('authorization_pending');
    expect(tokenError(await poll(brief, device_code))).toBe('authorization_pending');
  });

  it('ends when the device hangs up, and polling again at once is then too fast', async () => {
    const debug = vi.spyOn(patient.ctx.logger, 'debug');
    const { device_code } = await authorize(patient);
    const hangUp = new AbortController();
    const reply = poll(patient, device_code, hangUp.signal).catch((err: unknown) => err);
    await held(patient, device_code);
    hangUp.abort();
    expect(await reply).toBeInstanceOf(Error);
    await vi.waitFor(() => expect(debug).toHaveBeenCalledWith(expect.objectContaining({ end: 'hung-up' }), 'enrollment: held poll ended'), { timeout: 5000 });
    debug.mockRestore();
    expect(tokenError(await poll(patient, device_code))).toBe('slow_down');
  });

  it('ends when the portal shuts down, answering authorization_pending', async () => {
    const portal = await startTestPortal(PATIENT);
    const events: string[] = [];
    const { device_code } = await authorize(portal);
    const reply = started(poll(portal, device_code), events, 'poll answered');
    await held(portal, device_code);
    events.push('closing');
    await portal.close().then(() => events.push('portal closed'));
    expect(tokenError(await reply)).toBe('authorization_pending');
    expect(events).toEqual(['closing', 'poll answered', 'portal closed']);
  });
});
