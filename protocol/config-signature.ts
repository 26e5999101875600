/**
 * Checking the portal's signature on an effective config, with WebCrypto so the same code runs in
 * the host (Node) and in the extension (browser-only mode). The signature covers the RFC 8785
 * canonical JSON of the config, so it survives re-serialisation (the device's disk cache, a proxy
 * that re-indents JSON).
 */
import canonicalize from 'canonicalize';
import type { PublicJwk, SignedConfig } from './portal.js';

/** The exact bytes the portal signs for a config. */
export function canonicalBytes(value: unknown): Uint8Array<ArrayBuffer> {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return new TextEncoder().encode(text);
}

function base64UrlToBytes(value: string): Uint8Array<ArrayBuffer> {
  const base64 = value.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** True when `signed.signature` is a valid signature of `signed.config` by the pinned key with that kid. */
export async function verifyConfigSignature(signed: SignedConfig, pinnedKeys: readonly PublicJwk[]): Promise<boolean> {
  const jwk = pinnedKeys.find((k) => k.kid === signed.signature.kid);
  if (!jwk) return false;
  try {
    const key = await crypto.subtle.importKey('jwk', { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, base64UrlToBytes(signed.signature.value), canonicalBytes(signed.config));
  } catch {
    return false;
  }
}
