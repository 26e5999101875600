/**
 * The session cookie. Its value is a random 256-bit id; the store keeps only its SHA-256, so a
 * leaked database does not yield usable sessions. HttpOnly keeps it from scripts; SameSite=Lax
 * keeps it off cross-site POSTs (the CSRF token is the second line); over HTTPS the `__Host-`
 * prefix makes browsers refuse it unless it is Secure, host-only and Path=/, so a sibling
 * subdomain cannot plant one.
 *
 * Whether the portal is on HTTPS is read from the config on every call, not at start: the public
 * URL is part of the config, and tests learn their port only after the server listens.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

const BASE_NAME = 'waygate_session';

export function isSecurePortal(publicUrl: string): boolean {
  return publicUrl.startsWith('https:');
}

export function sessionCookieName(publicUrl: string): string {
  return isSecurePortal(publicUrl) ? `__Host-${BASE_NAME}` : BASE_NAME;
}

export function readSessionCookie(request: FastifyRequest, publicUrl: string): string | null {
  const value = request.cookies[sessionCookieName(publicUrl)];
  return value && value.length > 0 ? value : null;
}

export function setSessionCookie(reply: FastifyReply, publicUrl: string, value: string, maxAgeSeconds: number): void {
  reply.setCookie(sessionCookieName(publicUrl), value, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: isSecurePortal(publicUrl),
    maxAge: Math.max(0, Math.floor(maxAgeSeconds)),
  });
}

export function clearSessionCookie(reply: FastifyReply, publicUrl: string): void {
  reply.clearCookie(sessionCookieName(publicUrl), { httpOnly: true, sameSite: 'lax', path: '/', secure: isSecurePortal(publicUrl) });
}
