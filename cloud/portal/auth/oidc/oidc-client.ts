/**
 * The portal as an OpenID Connect relying party (openid-client 6). The provider's metadata is
 * discovered on first use, not at start, so the portal comes up while the IdP is briefly away; a
 * failed discovery is retried on the next sign-in rather than remembered.
 *
 * Plain-HTTP issuers are allowed only on loopback (a provider on the same machine, as in tests and
 * demos); anywhere else the IdP must be HTTPS.
 */
import * as client from 'openid-client';
import type { PortalConfig } from '../../config.js';

type OidcSettings = NonNullable<PortalConfig['oidc']>;

export const CALLBACK_PATH = '/auth/oidc/callback';

function isLoopbackHttp(issuer: URL): boolean {
  return issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
}

export class OidcClient {
  private configuration: Promise<client.Configuration> | null = null;

  constructor(readonly settings: OidcSettings) {}

  /** The discovered configuration (cached once it succeeds). */
  get(): Promise<client.Configuration> {
    if (!this.configuration) {
      const issuer = new URL(this.settings.issuer);
      this.configuration = client
        .discovery(issuer, this.settings.clientId, undefined, client.ClientSecretBasic(this.settings.clientSecret), {
          execute: isLoopbackHttp(issuer) ? [client.allowInsecureRequests] : [],
        })
        .catch((err: unknown) => {
          this.configuration = null;
          throw err;
        });
    }
    return this.configuration;
  }

  /** Scopes to ask for: the groups scope only when the provider says it has one. */
  scopes(configuration: client.Configuration): string {
    const supported = configuration.serverMetadata().scopes_supported ?? [];
    return ['openid', 'email', 'profile', ...(supported.includes(this.settings.groupsClaim) ? [this.settings.groupsClaim] : [])].join(' ');
  }
}

export function redirectUri(publicUrl: string): string {
  return `${publicUrl}${CALLBACK_PATH}`;
}
