/**
 * How the worker answers a proxy's 407 (`webRequest.onAuthRequired`), decided without the browser so
 * every case is unit-tested. The user must never see a credentials dialog for the edge, and the
 * edge token must never be handed to anyone else:
 * - a challenge that is not from a proxy, or from a proxy that is not one of the edges the applied
 *   PAC may name (`authHosts`), is left to the browser;
 * - the first challenge of a request gets the token we hold (fetching one first when we hold none);
 * - a second challenge of the same request means the token was refused (expired, revoked key):
 *   fetch a fresh one once and answer with it;
 * - a third challenge is cancelled, so the request fails instead of prompting.
 */

export interface AuthChallenge {
  isProxy: boolean;
  /** The challenger as the browser names it (`details.challenger`). */
  host: string;
  port: number;
  /** How many times this request has been challenged, this one included (1 for the first). */
  attempt: number;
}

export type AuthDecision =
  /** Not ours: leave it to the browser. */
  | { kind: 'ignore' }
  /** Answer with the credentials held now; fetch them first when there are none. */
  | { kind: 'answer'; refreshFirst: boolean }
  /** The token was refused: fetch a fresh one, then answer. */
  | { kind: 'refresh-and-answer' }
  /** Give up on this request rather than show a dialog. */
  | { kind: 'cancel' };

/** Attempts per request before the worker cancels it: the held token, then one fresh token. */
export const MAX_AUTH_ATTEMPTS = 2;

export function decideAuth(challenge: AuthChallenge, authHosts: readonly string[], haveCredentials: boolean): AuthDecision {
  if (!challenge.isProxy) return { kind: 'ignore' };
  if (!authHosts.includes(hostPort(challenge.host, challenge.port))) return { kind: 'ignore' };
  if (challenge.attempt > MAX_AUTH_ATTEMPTS) return { kind: 'cancel' };
  if (challenge.attempt === 1) return { kind: 'answer', refreshFirst: !haveCredentials };
  return { kind: 'refresh-and-answer' };
}

/** `host:port` as authHosts spell it: IPv6 literals in brackets, names in lower case. */
export function hostPort(host: string, port: number): string {
  const bare = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return bare.includes(':') ? `[${bare}]:${port}` : `${bare}:${port}`;
}

/**
 * Counts challenges per request id. Entries are dropped after `ttlMs`: a request that is challenged
 * again that much later is a new exchange as far as the edge is concerned.
 */
export class ChallengeCounter {
  private readonly seen = new Map<string, { count: number; at: number }>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = 60_000,
  ) {}

  /** Records one challenge of `requestId` and returns its attempt number (1 for the first). */
  next(requestId: string): number {
    const now = this.now();
    for (const [id, entry] of this.seen) if (now - entry.at > this.ttlMs) this.seen.delete(id);
    const count = (this.seen.get(requestId)?.count ?? 0) + 1;
    this.seen.set(requestId, { count, at: now });
    return count;
  }
}

/** What `onAuthRequired` hands back to the browser. An empty answer lets the browser proceed as if we were not there. */
export type AuthResponse = { authCredentials: { username: string; password: string } } | { cancel: true } | Record<string, never>;

export interface AuthSources {
  /** `host:port` of the edges the applied PAC may name. */
  authHosts(): Promise<readonly string[]>;
  /** The credentials held now. */
  held(): Promise<{ username: string; token: string } | null>;
  /** Fresh credentials from whoever issues them (the app's `browser-settings`, or the portal in browser-only mode). */
  refresh(): Promise<{ username: string; token: string } | null>;
}

/** The whole answer to one challenge: the decision, then the credentials it needs. Never throws. */
export async function answerChallenge(challenge: AuthChallenge, sources: AuthSources): Promise<AuthResponse> {
  try {
    const [authHosts, held] = await Promise.all([sources.authHosts(), sources.held()]);
    const decision = decideAuth(challenge, authHosts, held !== null);
    if (decision.kind === 'ignore') return {};
    if (decision.kind === 'cancel') return { cancel: true };
    const refresh = decision.kind === 'refresh-and-answer' || decision.refreshFirst;
    const credentials = refresh ? await sources.refresh() : held;
    if (credentials === null) return { cancel: true };
    return { authCredentials: { username: credentials.username, password: credentials.token } };
  } catch {
    return { cancel: true };
  }
}
