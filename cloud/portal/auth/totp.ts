/**
 * TOTP (RFC 6238) as every authenticator app implements it: SHA-1, 6 digits, 30-second steps, one
 * step of drift either way. Time comes from the portal's clock so tests (and lockouts) agree on it.
 */
import { Secret, TOTP } from 'otpauth';

const PERIOD_S = 30;
const DIGITS = 6;
/** Accept the previous and next step: phone clocks drift and people type slowly. */
const WINDOW = 1;
/** RFC 4226 §4 recommends 160 bits. */
const SECRET_BYTES = 20;

function totpOf(secretBase32: string, label = 'account', issuer = 'Waygate'): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD_S, secret: Secret.fromBase32(secretBase32) });
}

export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/** True when `value` is base32 and long enough to be a secret this portal would have issued. */
export function isAcceptableTotpSecret(value: string): boolean {
  if (!/^[A-Z2-7]+=*$/.test(value)) return false;
  try {
    return Secret.fromBase32(value).bytes.length >= SECRET_BYTES;
  } catch {
    return false;
  }
}

/** The `otpauth://totp/…` URI an authenticator app reads from a QR code. */
export function totpUri(secretBase32: string, accountEmail: string, issuer: string): string {
  return totpOf(secretBase32, accountEmail, issuer).toString();
}

/**
 * The time step the code belongs to, or null when it matches none in the window. Callers keep the
 * step to refuse a second use of the same code (see TotpReplayGuard).
 */
export function matchTotp(secretBase32: string, code: string, now: number): number | null {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpOf(secretBase32).validate({ token, timestamp: now, window: WINDOW });
  return delta === null ? null : Math.floor(now / 1000 / PERIOD_S) + delta;
}

/**
 * RFC 6238 §5.2: a code must not be accepted twice. Remembers the last step used per user, in
 * memory: enough for one portal process; replicas behind a load balancer would each remember their
 * own (issue #3 follow-up: a `totpLastStep` column in the store).
 */
export class TotpReplayGuard {
  private readonly lastStep = new Map<string, number>();

  /** Records the step and returns true, unless this user already used it or a later one. */
  use(userId: string, step: number): boolean {
    const last = this.lastStep.get(userId);
    if (last !== undefined && step <= last) return false;
    this.lastStep.set(userId, step);
    return true;
  }
}
