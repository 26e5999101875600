import { describe, expect, it } from 'vitest';
import type { HostLink } from '../../../extension/lib/connection-state.js';
import { linkView } from '../../../extension/lib/link-view.js';
import type { Status } from '../../../protocol/localapi.js';
import { STATUS } from './status-fixture.js';

const NOW = 1_700_000_000_000;

function up(status: Partial<Status> = {}): HostLink {
  return { state: 'connected', since: NOW, service: { state: 'up', status: { ...STATUS, ...status } } };
}

describe('link view', () => {
  it('shows a pending "Connecting…" while nothing is heard from the host', () => {
    const view = linkView({ state: 'connecting', since: NOW }, NOW);
    expect(view).toMatchObject({ state: 'connecting', service: 'none', tone: 'pending', title: 'statusConnecting' });
    expect(view).toMatchObject({ facts: [], reason: null, installHelp: false, retry: null, retryNow: null });
  });

  it('waits for the service while the host has not reported on it yet', () => {
    const view = linkView({ state: 'connected', since: NOW, service: null }, NOW);
    expect(view).toMatchObject({ state: 'connected', service: 'none', tone: 'pending', title: 'statusWaitingForService' });
  });

  it('shows version, mode and state of a running service as facts', () => {
    const view = linkView(up(), NOW);
    expect(view).toMatchObject({ state: 'connected', service: 'up', tone: 'ok', title: 'statusConnected', retryNow: null });
    expect(view.facts).toEqual([
      { id: 'service-version', label: 'factVersion', value: { verbatim: '1.4.2' } },
      { id: 'service-mode', label: 'factMode', value: { key: 'modeSystem' } },
      { id: 'service-state', label: 'factServiceState', value: { key: 'serviceRunning' } },
    ]);
  });

  it('names user mode and a service that is not running yet, without calling it healthy', () => {
    const view = linkView(up({ mode: 'user', state: 'starting' }), NOW);
    expect(view.tone).toBe('pending');
    expect(view.title).toBe('statusConnected');
    expect(view.facts.map((f) => f.value)).toEqual([{ verbatim: '1.4.2' }, { key: 'modeUser' }, { key: 'serviceStarting' }]);
    expect(linkView(up({ state: 'stopping' }), NOW).facts[2]?.value).toEqual({ key: 'serviceStopping' });
  });

  it('reports a service the host cannot reach, with its reason, while the host retries', () => {
    const link: HostLink = {
      state: 'connected',
      since: NOW,
      service: { state: 'down', reason: 'connect ENOENT /run/waygate/localapi.sock', retryInMs: 2000 },
    };
    const view = linkView(link, NOW);
    expect(view).toMatchObject({
      state: 'connected',
      service: 'down',
      tone: 'error',
      title: 'statusServiceDown',
      reason: 'connect ENOENT /run/waygate/localapi.sock',
      retry: { key: 'retrying', subs: [] },
      countingDown: false,
      retryNow: null,
    });
  });

  it('explains how to install the app and offers to check again', () => {
    const link: HostLink = { state: 'not-installed', reason: 'Specified native messaging host not found.', retryAt: NOW + 30_000 };
    const view = linkView(link, NOW);
    expect(view).toMatchObject({
      state: 'not-installed',
      service: 'none',
      tone: 'attention',
      title: 'statusNotInstalled',
      reason: 'Specified native messaging host not found.',
      installHelp: true,
      retryNow: 'checkAgain',
    });
  });

  describe('when disconnected', () => {
    const link: HostLink = { state: 'disconnected', reason: 'Native host has exited.', retryAt: NOW + 4_200 };

    it('shows the reason, counts whole seconds up to the retry and offers to retry now', () => {
      const view = linkView(link, NOW);
      expect(view).toMatchObject({
        state: 'disconnected',
        service: 'none',
        tone: 'error',
        title: 'statusDisconnected',
        reason: 'Native host has exited.',
        retry: { key: 'retryingIn', subs: ['5'] },
        countingDown: true,
        retryNow: 'retryNow',
      });
      expect(linkView(link, NOW + 1_000).retry).toEqual({ key: 'retryingIn', subs: ['4'] });
      expect(linkView(link, NOW + 4_199).retry).toEqual({ key: 'retryingIn', subs: ['1'] });
    });

    it('stops counting once the retry is due', () => {
      for (const now of [NOW + 4_200, NOW + 60_000]) {
        const view = linkView(link, now);
        expect(view.retry).toEqual({ key: 'retrying', subs: [] });
        expect(view.countingDown).toBe(false);
        expect(view.retryNow).toBe('retryNow');
      }
    });
  });
});
