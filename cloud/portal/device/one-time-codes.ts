/**
 * One-time codes an admin reads to a user over the phone so the user can disable Waygate or log
 * out on one device when the policy protects those actions. Short and digits-only so people can
 * type them; safe because each is bound to one device and kind, lives 15 minutes, works once, and
 * checking is rate limited (enrollment/rate-limits.ts).
 */
import { randomInt } from 'node:crypto';
import { WaygateError } from '../../../protocol/errors.js';
import type { PortalContext } from '../context.js';
import { randomToken, sha256 } from '../crypto/secrets.js';
import type { Millis, OneTimeCodeKind } from '../store/store.js';

export const ONE_TIME_CODE_DIGITS = 8;
export const ONE_TIME_CODE_TTL_MS = 15 * 60_000;

/** Creates a code for the device; the plain code exists only in the return value. */
export async function issueOneTimeCode(
  ctx: PortalContext,
  deviceId: string,
  kind: OneTimeCodeKind,
  actorUserId: string | null,
): Promise<{ code: string; expiresAt: Millis }> {
  const device = await ctx.store.getDevice(deviceId);
  if (!device || device.orgId !== ctx.org.id) throw new WaygateError('NOT_FOUND', `No device ${deviceId} in this organisation.`);
  const code = String(randomInt(0, 10 ** ONE_TIME_CODE_DIGITS)).padStart(ONE_TIME_CODE_DIGITS, '0');
  const expiresAt = ctx.now() + ONE_TIME_CODE_TTL_MS;
  await ctx.store.createOneTimeCode({ id: randomToken(12), deviceId, kind, codeHash: sha256(code), expiresAt, usedAt: null });
  await ctx.audit(actorUserId, 'device.one-time-code.issue', deviceId, { kind, expiresAt });
  return { code, expiresAt };
}

/** True once for a valid code: the store marks it used in the same step that finds it. */
export async function useOneTimeCode(ctx: PortalContext, deviceId: string, kind: OneTimeCodeKind, code: string): Promise<boolean> {
  // People read codes aloud and type them with spaces or dashes; only the digits count.
  const digits = code.replace(/[\s-]/g, '');
  const used = await ctx.store.useOneTimeCode(deviceId, kind, sha256(digits), ctx.now());
  if (used) await ctx.audit(null, 'device.one-time-code.use', deviceId, { kind });
  return used;
}
