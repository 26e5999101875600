/**
 * The device's half of RFC 8628: ask for a code, show it, poll the token endpoint until the user
 * approves, denies, or the code expires. Polling honours `interval` and grows it by 5 s on every
 * `slow_down` (§3.5); a portal that holds a pending poll open (long poll) just makes each round slower.
 * Transient failures (portal unreachable) are retried at the interval until the code expires.
 */
import { WaygateError } from '../protocol/errors.js';
import { DEVICE_CODE_GRANT, CLIENT_ID, type DeviceAuthorizeResponse, type DeviceTokenResponse } from '../protocol/portal.js';
import type { PortalClient } from './portal-client.js';

export const SLOW_DOWN_STEP_SECONDS = 5;

export interface DeviceFlowDeps {
  client: Pick<PortalClient, 'token'>;
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  signal: AbortSignal;
  /** Each round's outcome, for progress output. */
  onPoll?(outcome: 'pending' | 'slow_down' | 'unreachable', nextPollInMs: number): void;
}

/** Polls until the user decides. Resolves with the enrollment; rejects with LOGIN_FAILED (details.reason) or on abort. */
export async function pollForApproval(code: DeviceAuthorizeResponse, deps: DeviceFlowDeps): Promise<DeviceTokenResponse> {
  const expiresAt = deps.now() + code.expires_in * 1000;
  let intervalMs = code.interval * 1000;
  for (;;) {
    if (deps.signal.aborted) throw new WaygateError('LOGIN_FAILED', 'Sign-in was cancelled.', { reason: 'cancelled' });
    if (deps.now() >= expiresAt) throw expired();
    const askedAt = deps.now();
    let outcome;
    try {
      outcome = await deps.client.token({ grant_type: DEVICE_CODE_GRANT, device_code: code.device_code, client_id: CLIENT_ID });
    } catch (err) {
      if (!(err instanceof WaygateError) || err.code !== 'PORTAL_UNREACHABLE') throw err;
      deps.onPoll?.('unreachable', intervalMs);
      await deps.sleep(intervalMs, deps.signal);
      continue;
    }
    if (outcome.kind === 'granted') return outcome.response;
    switch (outcome.error.error) {
      case 'authorization_pending':
        break;
      case 'slow_down':
        intervalMs += SLOW_DOWN_STEP_SECONDS * 1000;
        break;
      case 'access_denied':
        throw new WaygateError('LOGIN_FAILED', 'Sign-in was denied in the portal.', { reason: 'access_denied' });
      case 'expired_token':
        throw expired();
      default:
        throw new WaygateError('LOGIN_FAILED', `The portal refused the sign-in: ${outcome.error.error_description ?? outcome.error.error}.`, {
          reason: outcome.error.error,
        });
    }
    // A portal that held the poll open (long poll) has already spent part of the interval.
    const waitMs = Math.max(0, intervalMs - (deps.now() - askedAt));
    deps.onPoll?.(outcome.error.error === 'slow_down' ? 'slow_down' : 'pending', waitMs);
    await deps.sleep(waitMs, deps.signal);
  }
}

function expired(): WaygateError {
  return new WaygateError('LOGIN_FAILED', 'The sign-in code expired before it was approved; start again.', { reason: 'expired_token' });
}

/** A sleep that ends early (rejecting) when `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new WaygateError('LOGIN_FAILED', 'Sign-in was cancelled.', { reason: 'cancelled' }));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new WaygateError('LOGIN_FAILED', 'Sign-in was cancelled.', { reason: 'cancelled' }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
