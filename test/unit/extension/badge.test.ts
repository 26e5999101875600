import { describe, expect, it, vi } from 'vitest';
import { NO_CONTROL } from '../../../extension/lib/proxy-state.js';
import { protectionView } from '../../../extension/lib/popup-view.js';
import { snapshotOfStatus } from '../../../extension/lib/device-state.js';
import type { HostLink } from '../../../extension/lib/connection-state.js';
import { PROTECTED_STATUS, STATUS } from './status-fixture.js';

// Messages come back as `key(sub,sub)` so the test sees which message and which values were chosen.
vi.mock('wxt/browser', () => ({
  browser: { i18n: { getMessage: (key: string, subs: string[] = []) => (subs.length ? `${key}(${subs.join(',')})` : key) } },
}));
const { badgeLook } = await import('../../../extension/background/badge.js');

const NOW = 1_700_000_000_000;
const up = (status = PROTECTED_STATUS): HostLink => ({ state: 'connected', since: NOW, service: { state: 'up', status } });
const view = (status = PROTECTED_STATUS, control = NO_CONTROL) => protectionView(snapshotOfStatus(status), control);

describe('toolbar badge', () => {
  it('is empty and green when protected, naming the app and its version', () => {
    expect(badgeLook(up(), view())).toEqual({ text: '', color: '#1a7f37', title: 'badgeTitleProtection(protectionProtected,badgeAppMode(1.4.2))' });
  });

  it('asks for attention when signed out, and says "off" while turned off', () => {
    expect(badgeLook(up(STATUS), view(STATUS))).toMatchObject({ text: '!', title: 'badgeTitleProtection(protectionSignedOut,badgeAppMode(1.4.2))' });
    const disabled = { ...PROTECTED_STATUS, protection: { ...PROTECTED_STATUS.protection, state: 'disabled' as const } };
    expect(badgeLook(up(disabled), view(disabled))).toMatchObject({ text: 'off' });
  });

  it('turns red and names the culprit when another extension holds the proxy setting', () => {
    const control = { ...NO_CONTROL, wanted: 'pac' as const, overridden: 'controlled_by_other_extensions' as const };
    expect(badgeLook(up(), view(PROTECTED_STATUS, control))).toEqual({ text: '!', color: '#cf222e', title: 'badgeTitleProtection(overriddenByExtension,badgeAppMode(1.4.2))' });
  });

  it('reports problems with the app before anything about protection', () => {
    expect(badgeLook({ state: 'disconnected', reason: 'Native host has exited.', retryAt: NOW }, view())).toMatchObject({ text: '!', title: 'badgeTitleDisconnected(Native host has exited.)' });
    expect(badgeLook({ state: 'connected', since: NOW, service: { state: 'down', reason: 'not reachable', retryInMs: 1000 } }, view())).toMatchObject({ text: '!', title: 'badgeTitleServiceDown(not reachable)' });
    expect(badgeLook({ state: 'connecting', since: NOW }, view())).toMatchObject({ text: '…' });
  });

  it('speaks of browser-only mode when the app is not installed', () => {
    const link: HostLink = { state: 'not-installed', reason: 'Specified native messaging host not found.', retryAt: NOW };
    expect(badgeLook(link, view()).title).toBe('badgeTitleProtection(protectionProtected,badgeBrowserOnlyMode)');
  });

  it('gives paused, fail-open and fail-closed each their own look', () => {
    const withState = (state: 'paused' | 'fail-open' | 'fail-closed') => ({ ...PROTECTED_STATUS, protection: { ...PROTECTED_STATUS.protection, state } });
    const paused = badgeLook(up(withState('paused')), view(withState('paused')));
    const open = badgeLook(up(withState('fail-open')), view(withState('fail-open')));
    const closed = badgeLook(up(withState('fail-closed')), view(withState('fail-closed')));
    expect(paused).toEqual({ text: '||', color: '#0969da', title: 'badgeTitleProtection(protectionPaused,badgeAppMode(1.4.2))' });
    expect(open).toEqual({ text: '!', color: '#bc4c00', title: 'badgeTitleProtection(protectionFailOpen,badgeAppMode(1.4.2))' });
    expect(closed).toEqual({ text: 'x', color: '#cf222e', title: 'badgeTitleProtection(protectionFailClosed,badgeAppMode(1.4.2))' });
    const others = [badgeLook(up(), view()), badgeLook(up(STATUS), view(STATUS))];
    const looks = [paused, open, closed, ...others].map((look) => `${look.text}|${look.color}`);
    expect(new Set(looks).size).toBe(looks.length);
  });
});
