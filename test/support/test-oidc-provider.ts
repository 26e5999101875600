/**
 * A real OpenID Provider (oidc-provider) on loopback for single sign-on tests, with one client and
 * accounts the test edits, and a scripted "browser" that walks its login and consent pages by
 * plain HTTP (redirects followed by hand, cookies kept per path) back to the relying party.
 *
 * The provider listens before it is built, so the test can give the portal the issuer URL first
 * and register the portal's redirect URI with the client afterwards.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// @ts-expect-error oidc-provider ships no type declarations
import ProviderModule from 'oidc-provider';

export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
  groups?: string[];
}

interface Provider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
}
type ProviderClass = new (issuer: string, configuration: Record<string, unknown>) => Provider;
const ProviderCtor = ProviderModule as ProviderClass;

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by subject; edit between sign-ins to change claims. */
  accounts: Map<string, TestAccount>;
  /** Registers the relying party's redirect URI; call once its URL is known. */
  start(redirectUri: string): void;
  close(): Promise<void>;
}

export async function listenTestOidcProvider(): Promise<TestOidcProvider> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server: Server = createServer((req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503).end('provider not started');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, TestAccount>();
  const clientId = 'waygate-portal';
  const clientSecret = 'a-client-secret-long-enough-for-hs256-0123456789';
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    start(redirectUri: string) {
      const provider = new ProviderCtor(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: [redirectUri],
            grant_types: ['authorization_code'],
            response_types: ['code'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
        claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
        cookies: { keys: ['test-cookie-signing-key'] },
        features: { devInteractions: { enabled: true } },
        pkce: { required: () => true },
        // Explicit lifetimes (seconds) keep the provider from printing a notice for each default.
        ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
        findAccount: (_ctx: unknown, sub: string) => {
          const account = accounts.get(sub);
          return account ? { accountId: sub, claims: () => ({ sub, ...account }) } : undefined;
        },
      });
      handler = provider.callback();
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/** Cookies of one origin, remembered with their paths as a browser would. */
class CookieJar {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const expired = attributes.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()));
      const key = `${name} ${path}`;
      if (expired || value === '') this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path });
    }
  }

  header(url: URL): string {
    return [...this.cookies.values()]
      .filter((c) => url.pathname.startsWith(c.path))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

/**
 * Walks from the provider's authorization URL through login (as `subject`) and consent to the
 * first redirect that leaves the provider, and returns that URL (the relying party's callback).
 */
export async function loginAtProvider(authorizationUrl: string, subject: string): Promise<string> {
  const jar = new CookieJar();
  let url = new URL(authorizationUrl);
  const origin = url.origin;
  let method = 'GET';
  let body: URLSearchParams | undefined;
  for (let hop = 0; hop < 20; hop++) {
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: { cookie: jar.header(url), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body,
    });
    jar.store(res);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, url);
      if (next.origin !== origin) return next.href;
      url = next;
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`provider answered ${res.status} at ${url.pathname}: ${html.slice(0, 500)}`);
    // The development interaction pages: a login form, then a consent form, both posting to the same path.
    method = 'POST';
    body = html.includes('name="login"') ? new URLSearchParams({ prompt: 'login', login: subject, password: 'any' }) : new URLSearchParams({ prompt: 'consent' });
  }
  throw new Error('too many hops at the provider');
}
