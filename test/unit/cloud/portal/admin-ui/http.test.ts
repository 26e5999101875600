import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { WaygateError } from '../../../../../protocol/errors.js';
import { request } from '../../../../../cloud/portal/admin-ui/http.js';

function fakeFetch(status: number, body: string) {
  return vi.fn<typeof fetch>(() => Promise.resolve(new Response(body === '' ? null : body, { status })));
}

const Thing = z.object({ n: z.number() });

describe('the console’s HTTP client', () => {
  it('sends the CSRF token on changes only, and JSON bodies', async () => {
    const fetch = fakeFetch(200, '{"n":1}');
    await request({ csrfToken: 'tok', fetch }, Thing, 'GET', '/a');
    await request({ csrfToken: 'tok', fetch }, Thing, 'PUT', '/b', { x: 1 });
    const [, get] = fetch.mock.calls[0] ?? [];
    const [, put] = fetch.mock.calls[1] ?? [];
    expect(get?.headers).not.toHaveProperty('x-csrf-token');
    expect(put?.headers).toMatchObject({ 'x-csrf-token': 'tok', 'content-type': 'application/json' });
    expect(put?.body).toBe('{"x":1}');
    expect(put?.credentials).toBe('same-origin');
  });

  it('returns the parsed reply', async () => {
    await expect(request({ csrfToken: null, fetch: fakeFetch(200, '{"n":2,"extra":true}') }, Thing, 'GET', '/a')).resolves.toEqual({ n: 2 });
  });

  it('rejects a reply that does not match its schema, saying so', async () => {
    const err = await request({ csrfToken: null, fetch: fakeFetch(200, '{"n":"two"}') }, Thing, 'GET', '/a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaygateError);
    expect(err).toMatchObject({ code: 'INTERNAL' });
    expect((err as Error).message).toContain('GET /a');
  });

  it('rebuilds the portal’s error with its code, message and details', async () => {
    const body = JSON.stringify({ code: 'INVALID_POLICY', message: 'The policy has 1 problem', details: { errors: [{ path: 'a', message: 'b' }] } });
    await expect(request({ csrfToken: 't', fetch: fakeFetch(400, body) }, Thing, 'PUT', '/p', {})).rejects.toMatchObject({
      code: 'INVALID_POLICY',
      message: 'The policy has 1 problem',
      details: { errors: [{ path: 'a', message: 'b' }] },
    });
  });

  it('tells the shell when the session is gone', async () => {
    const onUnauthenticated = vi.fn();
    const body = JSON.stringify({ code: 'UNAUTHENTICATED', message: 'Sign in first.' });
    await expect(request({ csrfToken: null, onUnauthenticated, fetch: fakeFetch(401, body) }, Thing, 'GET', '/a')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(onUnauthenticated).toHaveBeenCalledOnce();
  });

  it('accepts an empty 204 where nothing is expected', async () => {
    await expect(request({ csrfToken: 't', fetch: fakeFetch(204, '') }, z.unknown(), 'DELETE', '/d')).resolves.toBeUndefined();
  });

  it('turns an unreachable portal into SERVICE_UNAVAILABLE', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(() => Promise.reject(new TypeError('fetch failed')));
    await expect(request({ csrfToken: null, fetch }, Thing, 'GET', '/a')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('does not mistake an HTML error page for an answer', async () => {
    await expect(request({ csrfToken: null, fetch: fakeFetch(502, '<html>Bad gateway</html>') }, Thing, 'GET', '/a')).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
