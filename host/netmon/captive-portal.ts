/**
 * Is there a captive portal between this device and the internet? One check, two ways of asking:
 *
 * 1. The network's Captive Portal API (RFC 8908), when one is configured: it says outright whether
 *    this device is captive and where to sign in. If it cannot be asked (unreachable, not https,
 *    a malformed answer), the probe decides instead.
 * 2. The HTTP probe: GET a URL that answers 204 with an empty body on the open internet. A portal
 *    intercepts it and answers something else — usually a redirect to its sign-in page, sometimes
 *    the page itself with a 200. Redirects are not followed: the Location is the sign-in page.
 *
 * Both requests go straight to the network: Node's fetch (undici) does not use the system or
 * environment proxy, which is what a portal check needs — the edge's view of the internet says
 * nothing about the café's. Once the tunnel exists (issue #7) these requests must bypass it too
 * (bound to the physical interface, or exempt from the tunnel's routes), or a working tunnel would
 * hide the portal and a captive one would make every check fail as offline.
 */
import { CAPPORT_CONTENT_TYPE, CapportState } from '../../protocol/capport.js';

export type CaptiveCheck =
  | { state: 'open' }
  | { state: 'captive'; loginUrl: string | null; secondsRemaining: number | null; source: 'capport' | 'probe'; detail: string }
  | { state: 'offline'; detail: string };

export interface CaptiveCheckOptions {
  /** Answers 204 with an empty body when the internet is open. */
  probeUrl: string;
  /** The network's RFC 8908 API URI, if it provisioned one. */
  capportUrl?: string | null;
  /** Per request: the API and the probe each get this long. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const DEFAULT_TIMEOUT_MS = 5_000;
/** An API answer is a few hundred bytes; anything near this is not one. */
const MAX_CAPPORT_BYTES = 64 * 1024;

export async function checkCaptivePortal(options: CaptiveCheckOptions): Promise<CaptiveCheck> {
  const fetchFn = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let apiFailure: string | null = null;
  if (options.capportUrl) {
    const api = await askCapport(options.capportUrl, fetchFn, timeoutMs);
    if (api.kind === 'answer') return api.check;
    apiFailure = api.why;
  }
  const probed = await probe(options.probeUrl, fetchFn, timeoutMs);
  if (apiFailure === null || probed.state === 'open') return probed;
  return { ...probed, detail: `${probed.detail}; the Captive Portal API was not used: ${apiFailure}` };
}

type ApiResult = { kind: 'answer'; check: CaptiveCheck } | { kind: 'failed'; why: string };

async function askCapport(capportUrl: string, fetchFn: typeof fetch, timeoutMs: number): Promise<ApiResult> {
  const url = parseWebUrl(capportUrl);
  if (!url) return { kind: 'failed', why: `${capportUrl} is not an http(s) URL` };
  if (!secureOrLoopback(url)) return { kind: 'failed', why: `${capportUrl} is not https (RFC 8908 §4)` };
  try {
    const res = await fetchFn(url, {
      headers: { accept: CAPPORT_CONTENT_TYPE, 'cache-control': 'no-store' },
      // A redirect could lead anywhere, including to plain http; the API has no reason to send one.
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) {
      await res.body?.cancel();
      return { kind: 'failed', why: `${capportUrl} answered HTTP ${res.status}` };
    }
    const type = res.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (type !== CAPPORT_CONTENT_TYPE) {
      await res.body?.cancel();
      return { kind: 'failed', why: `${capportUrl} answered ${type ?? 'no content type'}, not ${CAPPORT_CONTENT_TYPE}` };
    }
    const text = await readCapped(res, MAX_CAPPORT_BYTES);
    if (text === null) return { kind: 'failed', why: `${capportUrl} answered more than ${MAX_CAPPORT_BYTES} bytes` };
    const parsed = CapportState.safeParse(parseJson(text));
    if (!parsed.success) return { kind: 'failed', why: `${capportUrl} answered something that is not Captive Portal API state` };
    const state = parsed.data;
    if (!state.captive) return { kind: 'answer', check: { state: 'open' } };
    const portal = state['user-portal-url'];
    const portalUrl = portal === undefined ? null : parseWebUrl(portal);
    // RFC 8908 requires the sign-in page over TLS: an http one is not offered to the user.
    const loginUrl = portalUrl && secureOrLoopback(portalUrl) ? portalUrl.href : null;
    return {
      kind: 'answer',
      check: {
        state: 'captive',
        loginUrl,
        secondsRemaining: state['seconds-remaining'] ?? null,
        source: 'capport',
        detail: `the network's Captive Portal API says this device is captive${loginUrl ? `; sign in at ${loginUrl}` : ''}`,
      },
    };
  } catch (err) {
    return { kind: 'failed', why: `${capportUrl} could not be reached (${describe(err)})` };
  }
}

async function probe(probeUrl: string, fetchFn: typeof fetch, timeoutMs: number): Promise<CaptiveCheck> {
  let res: Response;
  try {
    res = await fetchFn(probeUrl, {
      redirect: 'manual',
      headers: { 'cache-control': 'no-store' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    return { state: 'offline', detail: `the probe ${probeUrl} got no answer (${describe(err)})` };
  }
  if (res.status === 204) {
    let body: string;
    try {
      body = await res.text();
    } catch (err) {
      return { state: 'offline', detail: `the probe ${probeUrl} answer broke off (${describe(err)})` };
    }
    if (body === '') return { state: 'open' };
    return captiveByProbe(null, `the probe ${probeUrl} answered 204 with a body`);
  }
  await res.body?.cancel();
  if (res.status >= 300 && res.status < 400) {
    const location = res.headers.get('location');
    const target = location === null ? null : parseWebUrl(location, probeUrl);
    return captiveByProbe(target?.href ?? null, `the probe ${probeUrl} was redirected (HTTP ${res.status}) to ${target?.href ?? 'no usable address'}`);
  }
  return captiveByProbe(null, `the probe ${probeUrl} answered HTTP ${res.status} instead of 204`);
}

function captiveByProbe(loginUrl: string | null, detail: string): CaptiveCheck {
  return { state: 'captive', loginUrl, secondsRemaining: null, source: 'probe', detail };
}

/** An http(s) URL, resolved against `base` when relative (a Location may be); null for anything else. */
function parseWebUrl(raw: string, base?: string): URL | null {
  try {
    const url = new URL(raw, base);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}

/**
 * RFC 8908 §4: the API is reached over https, which both hides the exchange from others on the
 * network and lets us check that the answer comes from the host the network named. Plain http is
 * allowed to loopback only: that traffic never leaves the device, so nobody on the network can forge
 * it, and it lets tests and a local portal simulator run without certificates.
 */
function secureOrLoopback(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  const host = url.hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The body as text, or null once it passes `max` bytes (the rest is not read). */
async function readCapped(res: Response, max: number): Promise<string | null> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.name === 'TimeoutError' ? 'timed out' : err.message}${cause}`;
  }
  return String(err);
}
