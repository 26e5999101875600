/**
 * Strong ETags for signed configs, derived from the exact bytes sent, so every replica that signs
 * the same config with the same key computes the same tag (Ed25519 signatures are deterministic).
 */
import { sha256 } from '../crypto/secrets.js';

export function etagOf(body: string): string {
  return `"${sha256(body)}"`;
}

/**
 * RFC 9110 §13.1.2: If-None-Match uses the weak comparison, so `W/"x"` matches `"x"`; `*` matches
 * any current representation.
 */
export function ifNoneMatchHas(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}
