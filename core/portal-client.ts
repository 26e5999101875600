/**
 * The device side of the portal's device API (protocol/portal.ts), on `fetch` so the service and
 * the extension in browser-only mode share it. Every answer is parsed by its schema; every failure
 * is a WaygateError with a code: PORTAL_UNREACHABLE when the portal cannot be reached or fails,
 * UNAUTHENTICATED when it no longer knows the device (revoked or removed).
 */
import { WaygateError, WireError } from '../protocol/errors.js';
import {
  CLIENT_ID,
  DeviceAuthorizeResponse,
  DeviceTokenResponse,
  EdgeTokenResponse,
  HeartbeatResponse,
  PORTAL_API_PREFIX,
  SignedConfig,
  TokenError,
  VerifyCodeResponse,
  type DeviceAuthorizeForm,
  type DeviceTokenForm,
  type Heartbeat,
} from '../protocol/portal.js';
import type { z } from 'zod';

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export type TokenOutcome = { kind: 'granted'; response: DeviceTokenResponse } | { kind: 'error'; error: TokenError };

export type ConfigOutcome = { kind: 'unchanged' } | { kind: 'config'; signed: SignedConfig; etag: string | null };

const DEVICE = `${PORTAL_API_PREFIX}/device`;

export class PortalClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly fetchFn: Fetch = (input, init) => fetch(input, init),
    private readonly timeoutMs = 15_000,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  async authorize(form: Omit<DeviceAuthorizeForm, 'client_id'>): Promise<DeviceAuthorizeResponse> {
    const res = await this.send('POST', `${DEVICE}/authorize`, { form: { client_id: CLIENT_ID, ...form } });
    if (!res.ok) throw await this.failure(res, 'starting sign-in');
    return this.parse(DeviceAuthorizeResponse, res, 'authorize');
  }

  /** One token request: the device-code poll or the enrollment-token grant. OAuth errors are outcomes, not throws. */
  async token(form: DeviceTokenForm): Promise<TokenOutcome> {
    const res = await this.send('POST', `${DEVICE}/token`, { form });
    if (res.ok) return { kind: 'granted', response: await this.parse(DeviceTokenResponse, res, 'token') };
    const body: unknown = await res.json().catch(() => null);
    const error = TokenError.safeParse(body);
    if (error.success) return { kind: 'error', error: error.data };
    throw new WaygateError('PORTAL_UNREACHABLE', `The portal answered the token request with HTTP ${res.status}.`);
  }

  async config(credential: string, etag: string | null): Promise<ConfigOutcome> {
    const res = await this.send('GET', `${DEVICE}/config`, { credential, headers: etag ? { 'if-none-match': etag } : {} });
    if (res.status === 304) return { kind: 'unchanged' };
    if (!res.ok) throw await this.failure(res, 'fetching the config');
    return { kind: 'config', signed: await this.parse(SignedConfig, res, 'config'), etag: res.headers.get('etag') };
  }

  async heartbeat(credential: string, beat: Heartbeat): Promise<HeartbeatResponse> {
    const res = await this.send('POST', `${DEVICE}/heartbeat`, { credential, json: beat });
    if (!res.ok) throw await this.failure(res, 'sending the heartbeat');
    return this.parse(HeartbeatResponse, res, 'heartbeat');
  }

  async edgeToken(credential: string): Promise<EdgeTokenResponse> {
    const res = await this.send('POST', `${DEVICE}/edge-token`, { credential, json: {} });
    if (!res.ok) throw await this.failure(res, 'getting an edge token');
    return this.parse(EdgeTokenResponse, res, 'edge-token');
  }

  /** Checks (and uses up) a one-time logout/disable code an admin gave the user. */
  async verifyCode(credential: string, kind: 'disable' | 'logout', code: string): Promise<boolean> {
    const res = await this.send('POST', `${DEVICE}/verify-code`, { credential, json: { kind, code } });
    if (!res.ok) throw await this.failure(res, 'checking the one-time code');
    return (await this.parse(VerifyCodeResponse, res, 'verify-code')).valid;
  }

  private async send(
    method: 'GET' | 'POST',
    path: string,
    options: { credential?: string; form?: Record<string, string>; json?: unknown; headers?: Record<string, string> },
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.credential) headers.authorization = `Bearer ${options.credential}`;
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    try {
      return await this.fetchFn(`${this.baseUrl}${path}`, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      throw new WaygateError('PORTAL_UNREACHABLE', `The portal at ${this.baseUrl} could not be reached: ${why}.`);
    }
  }

  private async failure(res: Response, doing: string): Promise<WaygateError> {
    const body: unknown = await res.json().catch(() => null);
    const wire = WireError.safeParse(body);
    if (res.status === 401) {
      const why = wire.success ? ` (${wire.data.message})` : '';
      return new WaygateError('UNAUTHENTICATED', `The portal no longer accepts this device${why}; sign in again.`);
    }
    if (wire.success && res.status < 500) return WaygateError.fromWire(wire.data);
    return new WaygateError('PORTAL_UNREACHABLE', `The portal failed while ${doing}: HTTP ${res.status}${wire.success ? ` — ${wire.data.message}` : ''}.`);
  }

  private async parse<T>(schema: z.ZodType<T>, res: Response, what: string): Promise<T> {
    const parsed = schema.safeParse(await res.json().catch(() => undefined));
    if (parsed.success) return parsed.data;
    throw new WaygateError('PORTAL_UNREACHABLE', `The portal's ${what} answer does not match the protocol; is ${this.baseUrl} a Waygate portal?`);
  }
}
