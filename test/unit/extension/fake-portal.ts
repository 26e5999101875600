/**
 * A portal's device API as a `fetch` for core/portal-client.ts, with a real Ed25519 key so config
 * signatures verify (or fail) exactly as against a real portal. Tests flip its fields to script it.
 */
import { canonicalBytes } from '../../../protocol/config-signature.js';
import { DEFAULT_POLICY, type EffectiveConfig } from '../../../protocol/policy.js';
import type { DeviceTokenResponse, PublicJwk, SignedConfig } from '../../../protocol/portal.js';

export const PORTAL_URL = 'https://portal.example.test';
export const DEVICE_ID = 'dev_1';

export interface Signer {
  jwk: PublicJwk;
  sign(config: EffectiveConfig): Promise<SignedConfig>;
}

export async function newSigner(kid: string): Promise<Signer> {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  if (!('privateKey' in pair)) throw new Error('no key pair');
  const exported = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const jwk: PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: exported.x ?? '', kid, alg: 'EdDSA', use: 'sig' };
  return {
    jwk,
    async sign(config) {
      const signature = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, canonicalBytes(config)));
      const value = Buffer.from(signature).toString('base64url');
      return { config, signature: { alg: 'EdDSA', kid, value } };
    },
  };
}

export function effectiveConfig(change: Partial<EffectiveConfig> = {}, appProfile: Partial<EffectiveConfig['appProfile']> = {}): EffectiveConfig {
  const { match, ...profile } = DEFAULT_POLICY.appProfiles[0]!;
  void match;
  const { pac, ...forwarding } = DEFAULT_POLICY.forwardingProfiles[0]!;
  return {
    schemaVersion: 1,
    policyVersion: 1,
    orgId: 'org_1',
    deviceId: DEVICE_ID,
    appProfile: { ...profile, ...appProfile },
    forwardingProfile: forwarding,
    edges: DEFAULT_POLICY.edges,
    pac,
    ca: null,
    issuedAt: 0,
    ...change,
  };
}

export interface Request {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export class FakePortal {
  readonly requests: Request[] = [];
  /** Pending polls before the user approves; null: never. */
  approveAfterPolls: number | null = 1;
  denied = false;
  config: SignedConfig | null = null;
  etag = '"v1"';
  tokenCounter = 0;
  /** Epoch seconds of the next edge token's expiry. */
  tokenExpiresAt = 2_000_000_000;
  validCodes = new Set<string>();
  down = false;
  /** The device was revoked or removed: every authenticated call gets 401. */
  revoked = false;
  /** What heartbeats report as the current version; by default the served config's. */
  heartbeatVersion: number | null | undefined = undefined;
  private polls = 0;

  constructor(readonly signer: Signer) {}

  enrollment(): DeviceTokenResponse {
    return {
      token_type: 'waygate-device',
      device_id: DEVICE_ID,
      device_credential: `wgd.${DEVICE_ID}.secret`,
      org: { id: 'org_1', name: 'Example Org' },
      user: { id: 'usr_1', email: 'uma@example.test', name: 'Uma User' },
      portal_keys: { keys: [this.signer.jwk] },
    };
  }

  readonly fetch = (input: string, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input);
    const headers = Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
    const request = { method: init.method ?? 'GET', path: url.pathname, headers, body: typeof init.body === 'string' ? init.body : '' };
    this.requests.push(request);
    if (this.down) return Promise.reject(new TypeError('fetch failed'));
    return Promise.resolve(this.answer(request));
  };

  private answer(request: Request): Response {
    const json = (status: number, body: unknown, extra: Record<string, string> = {}) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...extra } });
    if (this.revoked && request.headers.authorization) return json(401, { code: 'UNAUTHENTICATED', message: 'This device was revoked.' });
    switch (request.path) {
      case '/api/v1/device/authorize':
        return json(200, {
          device_code: 'device-code',
          user_code: 'WXYZ-1234',
          verification_uri: `${PORTAL_URL}/device`,
          verification_uri_complete: `${PORTAL_URL}/device?user_code=WXYZ-1234`,
          expires_in: 600,
          interval: 5,
        });
      case '/api/v1/device/token': {
        const form = new URLSearchParams(request.body);
        if (form.get('grant_type')?.includes('enrollment-token')) {
          return form.get('enrollment_token') === 'good-token' ? json(200, this.enrollment()) : json(400, { error: 'invalid_grant', error_description: 'unknown enrollment token' });
        }
        if (this.denied) return json(400, { error: 'access_denied' });
        this.polls++;
        if (this.approveAfterPolls === null || this.polls <= this.approveAfterPolls) return json(400, { error: 'authorization_pending' });
        return json(200, this.enrollment());
      }
      case '/api/v1/device/config':
        if (this.config === null) return json(404, { code: 'NOT_FOUND', message: 'no config' });
        if (request.headers['if-none-match'] === this.etag) return new Response(null, { status: 304 });
        return json(200, this.config, { etag: this.etag });
      case '/api/v1/device/heartbeat':
        return json(200, { policyVersion: this.heartbeatVersion === undefined ? (this.config?.config.policyVersion ?? null) : this.heartbeatVersion });
      case '/api/v1/device/edge-token':
        this.tokenCounter++;
        return json(200, { token: `edge-token-${this.tokenCounter}`, expires_at: this.tokenExpiresAt });
      case '/api/v1/device/verify-code': {
        const body = JSON.parse(request.body) as { code: string };
        const valid = this.validCodes.delete(body.code);
        return json(200, { valid });
      }
      default:
        return json(404, { code: 'NOT_FOUND', message: request.path });
    }
  }
}
