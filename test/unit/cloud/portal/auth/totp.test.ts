import { TOTP, Secret } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { TotpReplayGuard, isAcceptableTotpSecret, matchTotp, newTotpSecret, totpUri } from '../../../../../cloud/portal/auth/totp.js';

const code = (secret: string, at: number) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: at });

describe('TOTP', () => {
  const secret = newTotpSecret();
  const now = 1_700_000_000_000;

  it('accepts the current code and the neighbouring steps, nothing further', () => {
    const step = Math.floor(now / 30_000);
    expect(matchTotp(secret, code(secret, now), now)).toBe(step);
    expect(matchTotp(secret, code(secret, now - 30_000), now)).toBe(step - 1);
    expect(matchTotp(secret, code(secret, now + 30_000), now)).toBe(step + 1);
    expect(matchTotp(secret, code(secret, now - 90_000), now)).toBeNull();
  });

  it('tolerates spaces and refuses what is not six digits', () => {
    const c = code(secret, now);
    expect(matchTotp(secret, `${c.slice(0, 3)} ${c.slice(3)}`, now)).not.toBeNull();
    expect(matchTotp(secret, 'abcdef', now)).toBeNull();
    expect(matchTotp(secret, `${c}0`, now)).toBeNull();
  });

  it('lets each step be used once per user', () => {
    const guard = new TotpReplayGuard();
    expect(guard.use('u1', 10)).toBe(true);
    expect(guard.use('u1', 10)).toBe(false);
    expect(guard.use('u1', 9)).toBe(false);
    expect(guard.use('u2', 10)).toBe(true);
    expect(guard.use('u1', 11)).toBe(true);
  });

  it('issues 160-bit base32 secrets and an otpauth URI for the app', () => {
    expect(isAcceptableTotpSecret(secret)).toBe(true);
    expect(isAcceptableTotpSecret('ABCDEF')).toBe(false);
    expect(isAcceptableTotpSecret('not base32!')).toBe(false);
    const uri = totpUri(secret, 'ada@example.test', 'Test Org (Waygate)');
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    expect(uri).toContain(`secret=${secret}`);
    expect(uri).toContain('ada%40example.test');
  });
});
