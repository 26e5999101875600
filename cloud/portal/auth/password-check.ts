/**
 * The password step of sign-in, with the lockout rules applied. One generic error for "no such
 * account" and "wrong password", and the same scrypt work on both paths, so neither the message
 * nor the response time tells an attacker which emails have accounts. A locked account does say
 * so (with when it ends): the owner needs to know, and it only follows five wrong guesses.
 */
import { WaygateError } from '../../../protocol/errors.js';
import type { PortalContext } from '../context.js';
import { hashPassword, verifyPassword } from '../crypto/passwords.js';
import { randomToken } from '../crypto/secrets.js';
import type { User } from '../store/store.js';
import { AFTER_SUCCESS, afterFailure, lockedUntil } from './lockout.js';

export const WRONG_CREDENTIALS = 'The email or password is not right. Check both and try again.';

export function accountLockedError(until: number, now: number): WaygateError {
  const retryAfterSeconds = Math.max(1, Math.ceil((until - now) / 1000));
  return new WaygateError(
    'ACCOUNT_LOCKED',
    `Too many failed sign-ins: this account is locked until ${new Date(until).toISOString()}. Try again then, or ask your Waygate administrator.`,
    { lockedUntil: until, retryAfterSeconds },
  );
}

export class PasswordCheck {
  /** Verified against when the account does not exist, so that path costs one scrypt too. */
  private readonly decoyHash: Promise<string> = hashPassword(randomToken(16));

  constructor(private readonly ctx: PortalContext) {}

  /** The user whose password this is; throws the generic error, ACCOUNT_LOCKED, or PERMISSION_DENIED. */
  async verify(email: string, password: string): Promise<User> {
    const { ctx } = this;
    const user = await ctx.store.getUserByEmail(ctx.org.id, email.trim().toLowerCase());
    if (!user?.passwordHash) {
      await verifyPassword(password, await this.decoyHash);
      throw new WaygateError('UNAUTHENTICATED', WRONG_CREDENTIALS);
    }
    const locked = lockedUntil(user, ctx.now());
    if (locked !== null) throw accountLockedError(locked, ctx.now());
    if (!(await verifyPassword(password, user.passwordHash))) {
      await this.recordFailure(user, 'password');
      throw new WaygateError('UNAUTHENTICATED', WRONG_CREDENTIALS);
    }
    if (user.failedSignIns !== 0 || user.lockedUntil !== null) await ctx.store.updateUser(user.id, AFTER_SUCCESS);
    if (user.disabled) throw new WaygateError('PERMISSION_DENIED', 'This account is disabled. Ask your Waygate administrator to enable it.');
    return { ...user, ...AFTER_SUCCESS };
  }

  /**
   * Counts a failed password or TOTP code; throws ACCOUNT_LOCKED when this failure locks the
   * account (so the caller's own error is not shown).
   */
  async recordFailure(user: User, factor: 'password' | 'totp'): Promise<void> {
    const { ctx } = this;
    const now = ctx.now();
    const change = afterFailure(user, now);
    await ctx.store.updateUser(user.id, change);
    ctx.logger.info({ userId: user.id, factor, consecutive: change.lockedUntil === null ? change.failedSignIns : 'locked' }, 'auth: sign-in failed');
    if (change.lockedUntil !== null) {
      await ctx.audit(null, 'auth.account-locked', user.id, { factor, until: change.lockedUntil });
      ctx.logger.warn({ userId: user.id, until: change.lockedUntil }, 'auth: account locked after repeated failures');
      throw accountLockedError(change.lockedUntil, now);
    }
  }

  /** Throws ACCOUNT_LOCKED while the account is locked (the TOTP step checks this too). */
  assertNotLocked(user: User): void {
    const locked = lockedUntil(user, this.ctx.now());
    if (locked !== null) throw accountLockedError(locked, this.ctx.now());
  }
}
