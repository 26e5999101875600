/**
 * What the portal must remember between sending the browser to the IdP and its return: state,
 * nonce, the PKCE verifier and where to go afterwards. It rides in a short-lived cookie (no store
 * table needed, and any replica can finish the flow), HMAC-signed with a key derived (HKDF) from
 * the org's signing key, so it can be neither forged nor kept past its ten minutes.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { PortalContext } from '../../context.js';
import { constantTimeEqual } from '../../crypto/secrets.js';
import { isSecurePortal } from '../session-cookie.js';

export const TRANSACTION_TTL_MS = 10 * 60 * 1000;

export const OidcTransaction = z.object({
  state: z.string().min(1),
  nonce: z.string().min(1),
  verifier: z.string().min(1),
  returnTo: z.string().nullable(),
  expiresAt: z.number().int(),
});
export type OidcTransaction = z.infer<typeof OidcTransaction>;

const PrivateKeyMaterial = z.object({ d: z.string().min(1) });

function cookieName(publicUrl: string): string {
  return isSecurePortal(publicUrl) ? '__Host-waygate_oidc' : 'waygate_oidc';
}

async function macKey(ctx: PortalContext): Promise<Buffer> {
  const key = await ctx.store.activeSigningKey(ctx.org.id);
  if (!key) throw new Error('the org has no signing key; run `waygate-portal init`');
  const { d } = PrivateKeyMaterial.parse(key.privateJwk);
  return Buffer.from(hkdfSync('sha256', Buffer.from(d, 'base64url'), Buffer.alloc(0), 'waygate oidc transaction cookie v1', 32));
}

function mac(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

export async function saveTransaction(ctx: PortalContext, reply: FastifyReply, tx: OidcTransaction): Promise<void> {
  const payload = Buffer.from(JSON.stringify(tx), 'utf8').toString('base64url');
  const value = `${payload}.${mac(await macKey(ctx), payload)}`;
  const publicUrl = ctx.config.publicUrl;
  reply.setCookie(cookieName(publicUrl), value, {
    httpOnly: true,
    // Lax, not Strict: the IdP sends the browser back with a cross-site top-level GET.
    sameSite: 'lax',
    path: '/',
    secure: isSecurePortal(publicUrl),
    maxAge: TRANSACTION_TTL_MS / 1000,
  });
}

/** The transaction the browser brought back, or null when missing, altered or expired. Clears it. */
export async function takeTransaction(ctx: PortalContext, request: FastifyRequest, reply: FastifyReply): Promise<OidcTransaction | null> {
  const publicUrl = ctx.config.publicUrl;
  const value = request.cookies[cookieName(publicUrl)];
  reply.clearCookie(cookieName(publicUrl), { httpOnly: true, sameSite: 'lax', path: '/', secure: isSecurePortal(publicUrl) });
  if (!value) return null;
  const [payload, signature, extra] = value.split('.');
  if (!payload || !signature || extra !== undefined) return null;
  if (!constantTimeEqual(signature, mac(await macKey(ctx), payload))) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const tx = OidcTransaction.safeParse(json);
  if (!tx.success || tx.data.expiresAt <= ctx.now()) return null;
  return tx.data;
}
