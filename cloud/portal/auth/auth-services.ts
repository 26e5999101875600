/**
 * The state the sign-in routes share, built once per portal by registerAuth: sessions, the
 * password check with its lockout, the per-account limiters and the TOTP replay guard.
 */
import type { PortalContext } from '../context.js';
import { CookieSessions } from './cookie-sessions.js';
import { PasswordCheck } from './password-check.js';
import { AccountRateLimiter } from './rate-limits.js';
import { TotpReplayGuard } from './totp.js';

export interface AuthServices {
  ctx: PortalContext;
  sessions: CookieSessions;
  passwords: PasswordCheck;
  /** Keyed by the email typed (normalised). */
  signInLimiter: AccountRateLimiter;
  /** Keyed by user id. */
  totpLimiter: AccountRateLimiter;
  totpReplay: TotpReplayGuard;
}

export function createAuthServices(ctx: PortalContext): AuthServices {
  return {
    ctx,
    sessions: new CookieSessions(ctx),
    passwords: new PasswordCheck(ctx),
    signInLimiter: new AccountRateLimiter(ctx.now),
    totpLimiter: new AccountRateLimiter(ctx.now),
    totpReplay: new TotpReplayGuard(),
  };
}
