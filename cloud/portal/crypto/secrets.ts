/**
 * Random secrets and their stored form. Secrets the portal hands out (device credentials, codes,
 * tokens, session ids) are high-entropy random values, so a plain SHA-256 is the right stored form:
 * a slow hash buys nothing against 256-bit guesses and would slow every request. Passwords, chosen
 * by people, get scrypt (see passwords.ts).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A URL-safe random string carrying `bytes` bytes of entropy. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/** Compares two strings in time that does not depend on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** RFC 8628 §6.1: user codes from an alphabet without vowels or look-alikes, e.g. "WDJB-MJHT". */
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

export function userCode(): string {
  const bytes = randomBytes(8);
  const chars = [...bytes].map((b) => USER_CODE_ALPHABET[b % USER_CODE_ALPHABET.length]!);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`;
}

/** Normalises what a person typed: case, spaces and dashes do not matter. */
export function normaliseUserCode(input: string): string {
  const letters = input.toUpperCase().replace(/[^A-Z]/g, '');
  return letters.length === 8 ? `${letters.slice(0, 4)}-${letters.slice(4)}` : letters;
}
