/**
 * The device credential `wgd.<deviceId>.<secret>`. The device id in clear lets the portal load the
 * one device row and compare hashes, instead of looking a secret up by value; the secret carries
 * 256 bits, so the stored SHA-256 of the whole credential is enough (see crypto/secrets.ts).
 */
import { randomToken, sha256 } from '../crypto/secrets.js';

const PREFIX = 'wgd';

export interface NewCredential {
  /** Handed to the device once, in the token response. */
  credential: string;
  /** What the store keeps. */
  hash: string;
}

export function newDeviceCredential(deviceId: string): NewCredential {
  const credential = `${PREFIX}.${deviceId}.${randomToken(32)}`;
  return { credential, hash: sha256(credential) };
}

/** The device id a credential names, or null when it does not have the credential's shape. */
export function deviceIdOf(credential: string): string | null {
  const parts = credential.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX) return null;
  const [, id, secret] = parts;
  return id && secret ? id : null;
}

/** The credential in an `Authorization: Bearer …` header, or null. */
export function bearerCredential(header: string | undefined): string | null {
  const match = /^Bearer +(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}
