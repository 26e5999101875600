/** The org's public keys as a JWKS: what /.well-known/jwks.json publishes and what a device pins. */
import { PublicJwk, type Jwks } from '../../../protocol/portal.js';
import type { PortalContext } from '../context.js';

export async function portalKeys(ctx: PortalContext): Promise<Jwks> {
  const keys = await ctx.store.listSigningKeys(ctx.org.id);
  return { keys: keys.map((k) => PublicJwk.parse(k.publicJwk)) };
}
