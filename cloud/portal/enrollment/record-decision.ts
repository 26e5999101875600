/**
 * The person's answer on the verification page, stored, then announced to the device's poll held
 * in this process (held-poll.ts) so it answers at once. Storing first: a woken poll reads the store.
 */
import type { PortalContext } from '../context.js';
import type { DecisionWaits } from './decision-waits.js';

export async function recordDecision(ctx: PortalContext, waits: DecisionWaits, authId: string, userId: string, decision: 'approve' | 'deny'): Promise<void> {
  await ctx.store.updateDeviceAuthorization(authId, { status: decision === 'approve' ? 'approved' : 'denied', userId });
  waits.decided(authId);
}
