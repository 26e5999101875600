/**
 * Checking a password against a profile's hash (`scrypt$N$r$p$salt$hash`, protocol/policy-fields.ts).
 * scrypt itself is injected: node:crypto in the service, a JS implementation in the browser.
 */
export type Scrypt = (password: Uint8Array, salt: Uint8Array, params: { N: number; r: number; p: number; dkLen: number }) => Promise<Uint8Array>;

export async function verifyPasswordHash(hash: string, password: string, scrypt: Scrypt): Promise<boolean> {
  const [kind, n, r, p, salt, expected] = hash.split('$');
  if (kind !== 'scrypt' || !n || !r || !p || salt === undefined || expected === undefined) return false;
  const want = base64Bytes(expected);
  // An empty or undecodable digest would make every password "match" (or throw): refuse instead.
  if (want === null || want.length < 16) return false;
  const saltBytes = base64Bytes(salt);
  if (saltBytes === null) return false;
  // NFKC, as the portal hashes: the same password typed on another keyboard or OS must match.
  const got = await scrypt(new TextEncoder().encode(password.normalize('NFKC')), saltBytes, { N: Number(n), r: Number(r), p: Number(p), dkLen: want.length });
  return constantTimeEqual(got, want);
}

function base64Bytes(text: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
