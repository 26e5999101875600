/**
 * RFC 8628 long polling: a poll of the token endpoint that would answer authorization_pending is
 * held open until the person approves or denies (the device then gets its credential or
 * access_denied at once), the hold runs out (hold-time.ts), the portal closes, or the device hangs
 * up. Enrollment then completes a moment after approval instead of up to one interval later.
 *
 * slow_down with holds: a held poll marks the authorization as polled when it arrives, so a second
 * poll while one is held is too fast. A hold that runs out has made the device wait, so it clears
 * the mark: the device's next poll, even at once, is on time and is held in turn. A device that
 * hangs up keeps its mark, so polling again at once after that is too fast, as without holds.
 */
import type { FastifyReply } from 'fastify';
import type { PortalContext } from '../context.js';
import type { DeviceAuthorization, Millis } from '../store/store.js';
import type { DecisionWaits } from './decision-waits.js';
import { OAuthError } from './oauth-error.js';
import { pollOutcome, type PollOutcome } from './poll-outcome.js';

export interface PollHold {
  /** Where the poll waits for the person's decision. */
  readonly waits: DecisionWaits;
  /** Aborted when the device hangs up: nobody is left to answer. */
  readonly signal: AbortSignal;
}

/** The hold of one token request: aborted when its connection closes before the answer is sent. */
export function pollHold(waits: DecisionWaits, reply: FastifyReply): PollHold {
  const hangUp = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) hangUp.abort();
  });
  return { waits, signal: hangUp.signal };
}

/**
 * What a held poll answers: the decision or expiry if one came, `released` (still pending, and the
 * device may poll again at once) when the hold ran out or the portal is closing, `hung-up` when
 * there is nobody to answer.
 */
export type HeldOutcome = PollOutcome | { kind: 'released' } | { kind: 'hung-up' };

export async function holdPendingPoll(ctx: PortalContext, auth: DeviceAuthorization, arrivedAt: Millis, ms: number, hold: PollHold): Promise<HeldOutcome> {
  // Listening before the mark is written and the record re-read, so no decision can slip between.
  const ended = hold.waits.wait(auth.id, ms, hold.signal);
  await ctx.store.updateDeviceAuthorization(auth.id, { lastPolledAt: arrivedAt });
  // A decision stored after the caller read `auth` but before the wait began woke nobody.
  if ((await reread(ctx, auth)).status !== 'pending') hold.waits.decided(auth.id);
  const end = await ended;
  ctx.logger.debug({ authorization: auth.id, end }, 'enrollment: held poll ended');
  if (end === 'hung-up') return { kind: 'hung-up' };
  // This poll was on time when it arrived: only a decision or expiry is news now.
  const outcome = pollOutcome({ ...(await reread(ctx, auth)), lastPolledAt: null }, ctx.now());
  if (outcome.kind !== 'pending') return outcome;
  await ctx.store.updateDeviceAuthorization(auth.id, { lastPolledAt: null });
  return { kind: 'released' };
}

async function reread(ctx: PortalContext, auth: DeviceAuthorization): Promise<DeviceAuthorization> {
  const fresh = await ctx.store.getDeviceAuthorizationByDeviceCode(auth.deviceCodeHash);
  if (!fresh) throw new OAuthError('invalid_grant', 'Unknown device code. Start enrollment again on the device.');
  return fresh;
}
