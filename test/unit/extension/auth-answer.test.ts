import { describe, expect, it, vi } from 'vitest';
import { answerChallenge, ChallengeCounter, decideAuth, hostPort, type AuthSources } from '../../../extension/lib/auth-answer.js';

const EDGES = ['127.0.0.1:8443', 'edge.example.test:443', '[::1]:8443'];
const edge = (attempt: number, host = '127.0.0.1', port = 8443) => ({ isProxy: true, host, port, attempt });

describe('proxy auth decision', () => {
  it('answers the first challenge of an edge with the held token', () => {
    expect(decideAuth(edge(1), EDGES, true)).toEqual({ kind: 'answer', refreshFirst: false });
  });

  it('fetches a token first when none is held', () => {
    expect(decideAuth(edge(1), EDGES, false)).toEqual({ kind: 'answer', refreshFirst: true });
  });

  it('refreshes once when the same request is challenged again (token refused), then cancels', () => {
    expect(decideAuth(edge(2), EDGES, true)).toEqual({ kind: 'refresh-and-answer' });
    expect(decideAuth(edge(3), EDGES, true)).toEqual({ kind: 'cancel' });
    expect(decideAuth(edge(9), EDGES, true)).toEqual({ kind: 'cancel' });
  });

  it('never answers a challenge that is not from one of the edges', () => {
    expect(decideAuth(edge(1, 'evil.example.test', 8443), EDGES, true)).toEqual({ kind: 'ignore' });
    expect(decideAuth(edge(1, '127.0.0.1', 3128), EDGES, true)).toEqual({ kind: 'ignore' });
    expect(decideAuth({ ...edge(1), isProxy: false }, EDGES, true)).toEqual({ kind: 'ignore' });
    expect(decideAuth(edge(1), [], true)).toEqual({ kind: 'ignore' });
  });

  it('matches host names case-insensitively and IPv6 challengers with or without brackets', () => {
    expect(decideAuth(edge(1, 'EDGE.example.test', 443), EDGES, true).kind).toBe('answer');
    expect(decideAuth(edge(1, '::1'), EDGES, true).kind).toBe('answer');
    expect(decideAuth(edge(1, '[::1]'), EDGES, true).kind).toBe('answer');
    expect(hostPort('::1', 80)).toBe('[::1]:80');
  });
});

describe('answering a challenge', () => {
  function sources(held: { username: string; token: string } | null, fresh: { username: string; token: string } | null = { username: 'dev', token: 'fresh' }) {
    const refresh = vi.fn(() => Promise.resolve(fresh));
    const s: AuthSources = { authHosts: () => Promise.resolve(EDGES), held: () => Promise.resolve(held), refresh };
    return { s, refresh };
  }

  it('answers with the held token as the Basic password', async () => {
    const { s, refresh } = sources({ username: 'dev', token: 'held' });
    await expect(answerChallenge(edge(1), s)).resolves.toEqual({ authCredentials: { username: 'dev', password: 'held' } });
    expect(refresh).not.toHaveBeenCalled();
  });

  it('answers a second challenge with a fresh token', async () => {
    const { s, refresh } = sources({ username: 'dev', token: 'held' });
    await expect(answerChallenge(edge(2), s)).resolves.toEqual({ authCredentials: { username: 'dev', password: 'fresh' } });
    expect(refresh).toHaveBeenCalledOnce();
  });

  it('cancels rather than prompting when no token can be had, or when fetching one fails', async () => {
    await expect(answerChallenge(edge(1), sources(null, null).s)).resolves.toEqual({ cancel: true });
    const failing: AuthSources = { ...sources(null).s, refresh: () => Promise.reject(new Error('portal down')) };
    await expect(answerChallenge(edge(1), failing)).resolves.toEqual({ cancel: true });
  });

  it('leaves other challengers to the browser without touching the token', async () => {
    const { s, refresh } = sources({ username: 'dev', token: 'held' });
    await expect(answerChallenge(edge(1, 'other.example.test', 8080), s)).resolves.toEqual({});
    expect(refresh).not.toHaveBeenCalled();
  });
});

describe('challenge counter', () => {
  it('counts challenges per request and forgets them after the TTL', () => {
    let now = 0;
    const counter = new ChallengeCounter(() => now, 1000);
    expect(counter.next('a')).toBe(1);
    expect(counter.next('a')).toBe(2);
    expect(counter.next('b')).toBe(1);
    now = 5000;
    expect(counter.next('a')).toBe(1);
  });
});
