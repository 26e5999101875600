/**
 * The password gate on logout and turning protection off: the profile's password (an scrypt hash,
 * checked here), or a one-time code an admin issued in the portal (checked, and used up, there).
 * Wrong answers are limited per action so the hash cannot be guessed through the LocalAPI.
 */
import { scrypt as scryptCallback } from 'node:crypto';
import { WaygateError } from '../../protocol/errors.js';
import type { Unlock } from '../../protocol/localapi.js';
import { verifyPasswordHash, type Scrypt } from '../../core/password.js';

const MAX_FAILURES = 5;
const LOCKOUT_MS = 5 * 60_000;

export const nodeScrypt: Scrypt = (password, salt, { N, r, p, dkLen }) =>
  new Promise((resolve, reject) => {
    scryptCallback(password, salt, dkLen, { N, r, p, maxmem: 256 * 1024 * 1024 + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });

export interface UnlockDeps {
  now(): number;
  verifyCode(code: string): Promise<boolean>;
  scrypt?: Scrypt;
}

export class UnlockGate {
  private failures: number[] = [];

  constructor(
    private readonly action: 'logout' | 'disable',
    private readonly deps: UnlockDeps,
  ) {}

  /** Returns when the action may go ahead; throws PASSWORD_REQUIRED, PASSWORD_WRONG or RATE_LIMITED otherwise. */
  async check(hash: string | null, unlock: Unlock): Promise<void> {
    if (hash === null) return;
    const now = this.deps.now();
    this.failures = this.failures.filter((at) => now - at < LOCKOUT_MS);
    if (this.failures.length >= MAX_FAILURES) {
      throw new WaygateError('RATE_LIMITED', `Too many wrong attempts to ${this.what}; wait a few minutes and try again.`);
    }
    if (unlock.password) {
      if (await verifyPasswordHash(hash, unlock.password, this.deps.scrypt ?? nodeScrypt)) return;
      this.failures.push(now);
      throw new WaygateError('PASSWORD_WRONG', `That is not the password to ${this.what}.`);
    }
    if (unlock.code) {
      if (await this.deps.verifyCode(unlock.code)) return;
      this.failures.push(now);
      throw new WaygateError('PASSWORD_WRONG', `That one-time code is not valid to ${this.what} (or it was already used).`);
    }
    throw new WaygateError('PASSWORD_REQUIRED', `Your organisation requires a password to ${this.what}: give it, or a one-time code from your administrator.`);
  }

  private get what(): string {
    return this.action === 'logout' ? 'sign out' : 'turn protection off';
  }
}
