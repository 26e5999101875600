import { describe, expect, it } from 'vitest';
import { checkCaptivePortal } from '../../../../host/netmon/captive-portal.js';

const PROBE = 'http://probe.example/generate_204';
const API = 'https://api.cafe.example/capport';

type Answer = Response | Error | ((init: RequestInit | undefined) => Response | Promise<Response>);

/** A fetch that answers each URL from a table and records every request it was asked to make. */
function fakeFetch(answers: Record<string, Answer>) {
  const requests: { url: string; init: RequestInit | undefined }[] = [];
  const fn = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    requests.push({ url, init });
    const answer = answers[url];
    if (answer === undefined) return Promise.reject(new TypeError(`fetch failed: no route to ${url}`));
    if (answer instanceof Error) return Promise.reject(answer);
    if (typeof answer === 'function') return Promise.resolve(answer(init));
    return Promise.resolve(answer);
  };
  return { fetch: fn, requests };
}

const noContent = () => new Response(null, { status: 204 });
const redirect = (location: string, status = 302) => new Response(null, { status, headers: { location } });
const capport = (body: unknown, contentType = 'application/captive+json') =>
  new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': contentType } });

describe('checkCaptivePortal: the probe', () => {
  it('is open on 204 with an empty body', async () => {
    const { fetch, requests } = fakeFetch({ [PROBE]: noContent() });
    expect(await checkCaptivePortal({ probeUrl: PROBE, fetch })).toEqual({ state: 'open' });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.init?.redirect).toBe('manual');
  });

  it('is captive on a redirect, with the Location resolved against the probe URL', async () => {
    const { fetch } = fakeFetch({ [PROBE]: redirect('/login?from=probe') });
    expect(await checkCaptivePortal({ probeUrl: PROBE, fetch })).toEqual({
      state: 'captive',
      loginUrl: 'http://probe.example/login?from=probe',
      secondsRemaining: null,
      source: 'probe',
      detail: expect.stringContaining('redirected (HTTP 302)'),
    });
  });

  it.each([301, 303, 307, 308])('is captive on a %i redirect to an absolute URL', async (status) => {
    const { fetch } = fakeFetch({ [PROBE]: redirect('https://portal.cafe.example/welcome', status) });
    expect(await checkCaptivePortal({ probeUrl: PROBE, fetch })).toMatchObject({ state: 'captive', loginUrl: 'https://portal.cafe.example/welcome' });
  });

  it.each(['javascript:alert(1)', 'file:///etc/passwd', 'http://[bad'])('offers no sign-in page for a redirect to %s', async (location) => {
    const { fetch } = fakeFetch({ [PROBE]: redirect(location) });
    expect(await checkCaptivePortal({ probeUrl: PROBE, fetch })).toMatchObject({ state: 'captive', loginUrl: null, source: 'probe' });
  });

  it('is captive, without a sign-in page, on a redirect without Location', async () => {
    const { fetch } = fakeFetch({ [PROBE]: new Response(null, { status: 302 }) });
    expect(await checkCaptivePortal({ probeUrl: PROBE, fetch })).toMatchObject({ state: 'captive', loginUrl: null });
  });

  it('is captive on a 200 with the portal page in it', async () => {
    const { fetch } = fakeFetch({ [PROBE]: new Response('<html>Welcome to the café</html>', { status: 200, headers: { 'content-type': 'text/html' } }) });
    expect(await checkCaptivePortal({ probeUrl: PROBE, fetch })).toMatchObject({
      state: 'captive',
      loginUrl: null,
      source: 'probe',
      detail: expect.stringContaining('HTTP 200 instead of 204'),
    });
  });

  it('is captive on a 204 that carries a body anyway', async () => {
    const odd = { status: 204, ok: true, headers: new Headers(), body: null, text: () => Promise.resolve('<html></html>') } as unknown as Response;
    const { fetch } = fakeFetch({ [PROBE]: odd });
    expect(await checkCaptivePortal({ probeUrl: PROBE, fetch })).toMatchObject({ state: 'captive', detail: expect.stringContaining('204 with a body') });
  });

  it('is offline when the probe gets no answer', async () => {
    const { fetch } = fakeFetch({ [PROBE]: new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') }) });
    expect(await checkCaptivePortal({ probeUrl: PROBE, fetch })).toEqual({ state: 'offline', detail: expect.stringContaining('ECONNREFUSED') });
  });

  it('is offline when the probe times out', async () => {
    const { fetch } = fakeFetch({
      [PROBE]: (init) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => {
            const reason: unknown = init.signal?.reason;
            reject(reason instanceof Error ? reason : new Error(String(reason)));
          });
        }),
    });
    expect(await checkCaptivePortal({ probeUrl: PROBE, fetch, timeoutMs: 20 })).toEqual({ state: 'offline', detail: expect.stringContaining('timed out') });
  });
});

describe('checkCaptivePortal: the Captive Portal API (RFC 8908)', () => {
  it('asks the API first, for application/captive+json, and believes captive: true', async () => {
    const { fetch, requests } = fakeFetch({
      [API]: capport({ captive: true, 'user-portal-url': 'https://portal.cafe.example/signin', 'venue-info-url': 'https://cafe.example/' }),
      [PROBE]: noContent(),
    });
    expect(await checkCaptivePortal({ probeUrl: PROBE, capportUrl: API, fetch })).toEqual({
      state: 'captive',
      loginUrl: 'https://portal.cafe.example/signin',
      secondsRemaining: null,
      source: 'capport',
      detail: expect.stringContaining('Captive Portal API'),
    });
    expect(requests.map((r) => r.url)).toEqual([API]);
    expect(new Headers(requests[0]?.init?.headers).get('accept')).toBe('application/captive+json');
  });

  it('is open on captive: false without probing', async () => {
    const { fetch, requests } = fakeFetch({ [API]: capport({ captive: false, 'seconds-remaining': 3600, 'can-extend-session': true }) });
    expect(await checkCaptivePortal({ probeUrl: PROBE, capportUrl: API, fetch })).toEqual({ state: 'open' });
    expect(requests.map((r) => r.url)).toEqual([API]);
  });

  it('passes on seconds-remaining and ignores keys it does not know', async () => {
    const { fetch } = fakeFetch({ [API]: capport({ captive: true, 'seconds-remaining': 0, 'some-future-key': { x: 1 } }) });
    expect(await checkCaptivePortal({ probeUrl: PROBE, capportUrl: API, fetch })).toMatchObject({ state: 'captive', loginUrl: null, secondsRemaining: 0 });
  });

  it('does not offer a plain-http sign-in page', async () => {
    const { fetch } = fakeFetch({ [API]: capport({ captive: true, 'user-portal-url': 'http://portal.cafe.example/signin' }) });
    expect(await checkCaptivePortal({ probeUrl: PROBE, capportUrl: API, fetch })).toMatchObject({ state: 'captive', source: 'capport', loginUrl: null });
  });

  const failures: [string, Answer][] = [
    ['unreachable', new TypeError('fetch failed')],
    ['an HTTP error', new Response('nope', { status: 500 })],
    ['the wrong content type', capport({ captive: false }, 'application/json')],
    ['not JSON', new Response('<html>', { status: 200, headers: { 'content-type': 'application/captive+json' } })],
    ['no captive key', capport({ 'user-portal-url': 'https://portal.cafe.example/' })],
    ['captive of the wrong type', capport({ captive: 'false' })],
    ['a user-portal-url that is not a web URL', capport({ captive: true, 'user-portal-url': 'javascript:alert(1)' })],
    ['a negative seconds-remaining', capport({ captive: false, 'seconds-remaining': -5 })],
    ['an oversized body', capport({ captive: false, padding: 'x'.repeat(100_000) })],
  ];

  it.each(failures)('falls back to the probe when the API answer is %s', async (_what, answer) => {
    const { fetch, requests } = fakeFetch({ [API]: answer, [PROBE]: redirect('https://portal.cafe.example/') });
    const check = await checkCaptivePortal({ probeUrl: PROBE, capportUrl: API, fetch });
    expect(check).toMatchObject({ state: 'captive', source: 'probe', loginUrl: 'https://portal.cafe.example/' });
    expect(check.state === 'captive' && check.detail).toContain('Captive Portal API was not used');
    expect(requests.map((r) => r.url)).toEqual([API, PROBE]);
  });

  it('does not follow a redirect from the API', async () => {
    const { fetch, requests } = fakeFetch({ [API]: capport({ captive: true }), [PROBE]: noContent() });
    await checkCaptivePortal({ probeUrl: PROBE, capportUrl: API, fetch });
    expect(requests[0]?.init?.redirect).toBe('error');
  });

  it('does not ask a plain-http API on the network, and says why', async () => {
    const plain = 'http://api.cafe.example/capport';
    const { fetch, requests } = fakeFetch({ [plain]: capport({ captive: false }), [PROBE]: redirect('/login') });
    const check = await checkCaptivePortal({ probeUrl: PROBE, capportUrl: plain, fetch });
    expect(check).toMatchObject({ state: 'captive', source: 'probe', detail: expect.stringContaining('not https') });
    expect(requests.map((r) => r.url)).toEqual([PROBE]);
  });

  it.each(['http://127.0.0.1:8080/capport', 'http://localhost:8080/capport', 'http://[::1]:8080/capport'])('asks a plain-http API on loopback (%s)', async (url) => {
    const { fetch, requests } = fakeFetch({ [url]: capport({ captive: false }) });
    expect(await checkCaptivePortal({ probeUrl: PROBE, capportUrl: url, fetch })).toEqual({ state: 'open' });
    expect(requests).toHaveLength(1);
  });

  it('reports offline when neither the API nor the probe answer', async () => {
    const { fetch } = fakeFetch({});
    const check = await checkCaptivePortal({ probeUrl: PROBE, capportUrl: API, fetch });
    expect(check).toEqual({ state: 'offline', detail: expect.stringMatching(/probe .* got no answer.*Captive Portal API was not used/) });
  });

  it('skips the API when none is configured', async () => {
    const { fetch, requests } = fakeFetch({ [PROBE]: noContent() });
    expect(await checkCaptivePortal({ probeUrl: PROBE, capportUrl: null, fetch })).toEqual({ state: 'open' });
    expect(requests.map((r) => r.url)).toEqual([PROBE]);
  });
});
