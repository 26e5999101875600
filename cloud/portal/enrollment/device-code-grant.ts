/**
 * The device-code grant (RFC 8628 §3.4–3.5): each poll either says why not yet (pending,
 * slow_down), why never (denied, expired, already used), or — exactly once — enrolls the device.
 * With a `hold`, a poll that would say pending waits for the decision first (held-poll.ts).
 */
import { DeviceOs, type DeviceTokenResponse } from '../../../protocol/portal.js';
import type { PortalContext } from '../context.js';
import { sha256 } from '../crypto/secrets.js';
import type { DeviceAuthorization, Millis } from '../store/store.js';
import { assertUnderDeviceLimit, createEnrolledDevice } from './enroll-device.js';
import { holdPendingPoll, type HeldOutcome, type PollHold } from './held-poll.js';
import { holdMs } from './hold-time.js';
import { OAuthError } from './oauth-error.js';
import { pollOutcome } from './poll-outcome.js';

const PENDING = 'Waiting for the user to approve this device in the browser.';

export async function deviceCodeGrant(ctx: PortalContext, deviceCode: string, hold?: PollHold): Promise<DeviceTokenResponse> {
  const auth = await ctx.store.getDeviceAuthorizationByDeviceCode(sha256(deviceCode));
  if (!auth || auth.orgId !== ctx.org.id) throw new OAuthError('invalid_grant', 'Unknown device code. Start enrollment again on the device.');
  const now = ctx.now();
  const outcome = pollOutcome(auth, now);
  if (outcome.kind === 'pending' && hold !== undefined && !hold.waits.closing) {
    const ms = holdMs(ctx.config.tokenHoldSeconds, auth.interval, auth.expiresAt - now);
    if (ms > 0) return hold.waits.holding(async () => answer(ctx, auth, now, await holdPendingPoll(ctx, auth, now, ms, hold)));
  }
  return answer(ctx, auth, now, outcome);
}

async function answer(ctx: PortalContext, auth: DeviceAuthorization, now: Millis, outcome: HeldOutcome): Promise<DeviceTokenResponse> {
  switch (outcome.kind) {
    case 'consumed':
      throw new OAuthError('invalid_grant', 'This device code was already used. Start enrollment again on the device.');
    case 'expired':
      throw new OAuthError('expired_token', 'The device code expired before it was approved. Start enrollment again on the device.');
    case 'denied':
      throw new OAuthError('access_denied', 'The request was denied in the browser.');
    case 'slow_down':
      await ctx.store.updateDeviceAuthorization(auth.id, { interval: outcome.interval, lastPolledAt: now });
      throw new OAuthError('slow_down', `Polled too fast; wait at least ${outcome.interval} s between requests.`);
    case 'pending':
      await ctx.store.updateDeviceAuthorization(auth.id, { lastPolledAt: now });
      throw new OAuthError('authorization_pending', PENDING);
    case 'released':
    case 'hung-up':
      throw new OAuthError('authorization_pending', PENDING);
    case 'approved':
      break;
  }
  const user = await ctx.store.getUser(outcome.userId);
  if (!user || user.disabled || user.orgId !== ctx.org.id) {
    throw new OAuthError('access_denied', 'The account that approved this device no longer exists or is disabled.');
  }
  try {
    await assertUnderDeviceLimit(ctx, user);
  } catch (err) {
    // Settle it: later polls get access_denied too instead of re-counting devices every 5 s.
    await ctx.store.updateDeviceAuthorization(auth.id, { status: 'denied' });
    throw err;
  }
  // The one atomic step: of two concurrent polls, only one moves approved → consumed.
  if (!(await ctx.store.consumeDeviceAuthorization(auth.id))) {
    throw new OAuthError('invalid_grant', 'This device code was already used. Start enrollment again on the device.');
  }
  const os = DeviceOs.parse(auth.os);
  return createEnrolledDevice(ctx, user, { name: auth.deviceName, os, osVersion: auth.osVersion }, 'device-code');
}
