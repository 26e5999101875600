import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { INITIAL_PAUSE, nextPause } from '../../../core/captive-pause.js';
import { checkCaptivePortal } from '../../../host/netmon/captive-portal.js';
import { ManualClock } from '../../fakes/manual-clock.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function listen(handler: Handler): Promise<{ server: Server; origin: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}` };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * A café Wi-Fi: until the guest signs in, every probe is sent to the sign-in page; after, the probe
 * gets its 204. Its Captive Portal API runs on a server of its own and tells the same story.
 */
let signedIn = false;
const probeHits: string[] = [];
let cafe: { server: Server; origin: string };
let api: { server: Server; origin: string };
let silent: { server: Server; origin: string };
let deadOrigin: string;

beforeAll(async () => {
  cafe = await listen((req, res) => {
    if (req.url === '/generate_204') {
      probeHits.push(req.url);
      if (signedIn) res.writeHead(204).end();
      else res.writeHead(302, { location: '/login?continue=%2Fgenerate_204' }).end();
    } else if (req.url?.startsWith('/login') && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<form method="post"><button>Accept and connect</button></form>');
    } else if (req.url === '/login' && req.method === 'POST') {
      signedIn = true;
      res.writeHead(303, { location: '/welcome' }).end();
    } else {
      res.writeHead(404).end();
    }
  });
  api = await listen((req, res) => {
    if (req.url !== '/capport') return void res.writeHead(404).end();
    const state = signedIn ? { captive: false, 'seconds-remaining': 3600, 'can-extend-session': true } : { captive: true, 'user-portal-url': `${cafe.origin}/login` };
    res.writeHead(200, { 'content-type': 'application/captive+json', 'cache-control': 'private, no-store' }).end(JSON.stringify(state));
  });
  // Accepts the connection and never answers: a network that swallows traffic.
  silent = await listen(() => undefined);
  const dead = await listen(() => undefined);
  deadOrigin = dead.origin;
  await close(dead.server);
});

afterAll(async () => {
  await Promise.all([close(cafe.server), close(api.server), close(silent.server)]);
});

beforeEach(() => {
  signedIn = false;
  probeHits.length = 0;
});

async function signIn(): Promise<void> {
  const res = await fetch(`${cafe.origin}/login`, { method: 'POST', redirect: 'manual' });
  expect(res.status).toBe(303);
}

describe('checkCaptivePortal against a café on loopback', () => {
  it('finds the portal by its redirect, then the open internet once the guest signs in', async () => {
    const probeUrl = `${cafe.origin}/generate_204`;
    expect(await checkCaptivePortal({ probeUrl })).toMatchObject({
      state: 'captive',
      source: 'probe',
      loginUrl: `${cafe.origin}/login?continue=%2Fgenerate_204`,
      secondsRemaining: null,
    });
    await signIn();
    expect(await checkCaptivePortal({ probeUrl })).toEqual({ state: 'open' });
  });

  it('finds a portal that answers the probe with its page instead of redirecting', async () => {
    expect(await checkCaptivePortal({ probeUrl: `${cafe.origin}/login` })).toMatchObject({
      state: 'captive',
      source: 'probe',
      loginUrl: null,
      detail: expect.stringContaining('HTTP 200 instead of 204'),
    });
  });

  it('asks the Captive Portal API first and does not probe while it answers', async () => {
    const options = { probeUrl: `${cafe.origin}/generate_204`, capportUrl: `${api.origin}/capport` };
    expect(await checkCaptivePortal(options)).toMatchObject({ state: 'captive', source: 'capport', loginUrl: `${cafe.origin}/login` });
    await signIn();
    expect(await checkCaptivePortal(options)).toEqual({ state: 'open' });
    expect(probeHits).toEqual([]);
  });

  it('falls back to the probe when the API does not answer', async () => {
    const check = await checkCaptivePortal({ probeUrl: `${cafe.origin}/generate_204`, capportUrl: `${deadOrigin}/capport` });
    expect(check).toMatchObject({ state: 'captive', source: 'probe', detail: expect.stringContaining('Captive Portal API was not used') });
    expect(probeHits).toHaveLength(1);
  });

  it('is offline when nothing listens', async () => {
    expect(await checkCaptivePortal({ probeUrl: `${deadOrigin}/generate_204` })).toEqual({
      state: 'offline',
      detail: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('is offline when the network swallows the probe', async () => {
    expect(await checkCaptivePortal({ probeUrl: `${silent.origin}/generate_204`, timeoutMs: 300 })).toEqual({
      state: 'offline',
      detail: expect.stringContaining('timed out'),
    });
  });

  it('pauses forwarding for the sign-in and resumes as soon as the internet answers', async () => {
    const clock = new ManualClock();
    const settings = { enabled: true, pauseMinutes: 5 };
    const options = { probeUrl: `${cafe.origin}/generate_204`, capportUrl: `${api.origin}/capport` };

    let pause = nextPause(INITIAL_PAUSE, await checkCaptivePortal(options), clock.now(), settings);
    expect(pause).toMatchObject({ paused: true, loginUrl: `${cafe.origin}/login`, resumesAt: clock.now() + 5 * 60_000 });

    clock.advance(60_000);
    await signIn();
    pause = nextPause(pause, await checkCaptivePortal(options), clock.now(), settings);
    expect(pause).toMatchObject({ paused: false, resumesAt: null, detail: 'the internet answers: protection resumed' });
  });
});
