import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { UnlockGate } from '../../../../host/service/unlock.js';
import { WaygateError, type ErrorCode } from '../../../../protocol/errors.js';

const PASSWORD = 'let me out';
const SALT = randomBytes(16);
const HASH = `scrypt$16384$8$1$${SALT.toString('base64')}$${scryptSync(PASSWORD, SALT, 32, { N: 16384, r: 8, p: 1 }).toString('base64')}`;
const MINUTE = 60_000;

function gate(action: 'logout' | 'disable' = 'disable', validCode = 'good-code') {
  let now = Date.UTC(2026, 0, 1);
  const verifyCode = vi.fn((code: string) => Promise.resolve(code === validCode));
  const unlock = new UnlockGate(action, { now: () => now, verifyCode });
  return {
    unlock,
    verifyCode,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

async function refusal(promise: Promise<void>): Promise<ErrorCode> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof WaygateError)) throw new Error(`expected a WaygateError, got ${String(err)}`);
  return err.code;
}

describe('UnlockGate', () => {
  it('lets the action go ahead when the profile sets no password', async () => {
    const { unlock, verifyCode } = gate();
    await expect(unlock.check(null, {})).resolves.toBeUndefined();
    await expect(unlock.check(null, { password: 'anything' })).resolves.toBeUndefined();
    expect(verifyCode).not.toHaveBeenCalled();
  });

  it('asks for the password (or a code) when none is given', async () => {
    const { unlock } = gate('logout');
    const err = await unlock.check(HASH, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaygateError);
    expect(err).toMatchObject({ code: 'PASSWORD_REQUIRED', message: expect.stringContaining('sign out') });
  });

  it('refuses a wrong password and accepts the right one', async () => {
    const { unlock } = gate();
    expect(await refusal(unlock.check(HASH, { password: 'not it' }))).toBe('PASSWORD_WRONG');
    await expect(unlock.check(HASH, { password: PASSWORD })).resolves.toBeUndefined();
  });

  it('checks a one-time code with the portal instead of the hash', async () => {
    const { unlock, verifyCode } = gate();
    await expect(unlock.check(HASH, { code: 'good-code' })).resolves.toBeUndefined();
    expect(verifyCode).toHaveBeenCalledWith('good-code');
    expect(await refusal(unlock.check(HASH, { code: 'used-code' }))).toBe('PASSWORD_WRONG');
    expect(verifyCode).toHaveBeenCalledTimes(2);
  });

  it('locks the action for five minutes after five wrong answers, even for the right password', async () => {
    const { unlock, advance, verifyCode } = gate();
    for (let i = 0; i < 4; i++) expect(await refusal(unlock.check(HASH, { code: `wrong-${i}` }))).toBe('PASSWORD_WRONG');
    expect(await refusal(unlock.check(HASH, { password: 'not it' }))).toBe('PASSWORD_WRONG');

    expect(await refusal(unlock.check(HASH, { password: PASSWORD }))).toBe('RATE_LIMITED');
    expect(await refusal(unlock.check(HASH, { code: 'good-code' }))).toBe('RATE_LIMITED');
    expect(verifyCode).toHaveBeenCalledTimes(4);

    advance(5 * MINUTE - 1);
    expect(await refusal(unlock.check(HASH, { password: PASSWORD }))).toBe('RATE_LIMITED');
    advance(1);
    await expect(unlock.check(HASH, { password: PASSWORD })).resolves.toBeUndefined();
  });

  it('forgets wrong answers older than five minutes', async () => {
    const { unlock, advance } = gate();
    for (let i = 0; i < 4; i++) await refusal(unlock.check(HASH, { code: 'wrong' }));
    advance(5 * MINUTE);
    await refusal(unlock.check(HASH, { code: 'wrong' }));
    expect(await refusal(unlock.check(HASH, { code: 'wrong' }))).toBe('PASSWORD_WRONG');
  });

  it('does not count a missing password as a wrong one', async () => {
    const { unlock } = gate();
    for (let i = 0; i < 6; i++) expect(await refusal(unlock.check(HASH, {}))).toBe('PASSWORD_REQUIRED');
    await expect(unlock.check(HASH, { password: PASSWORD })).resolves.toBeUndefined();
  });
});
