import { describe, expect, it } from 'vitest';
import type { HostLink } from '../../../extension/lib/connection-state.js';
import { snapshotOfStatus } from '../../../extension/lib/device-state.js';
import { popupView, protectionView, type ViewInput } from '../../../extension/lib/popup-view.js';
import { NO_CONTROL } from '../../../extension/lib/proxy-state.js';
import type { Status } from '../../../protocol/localapi.js';
import { PROTECTED_STATUS, STATUS } from './status-fixture.js';

const NOW = 1_700_000_000_000;
const app = (status: Status): HostLink => ({ state: 'connected', since: NOW, service: { state: 'up', status } });
const NOT_INSTALLED: HostLink = { state: 'not-installed', reason: 'Specified native messaging host not found.', retryAt: NOW + 5000 };

function input(change: Partial<ViewInput> = {}): ViewInput {
  return { link: app(STATUS), browserOnly: null, control: NO_CONTROL, managed: { config: null, problems: [] }, lastPortalUrl: null, ...change };
}

const snapshotOf = snapshotOfStatus;

describe('popup view: mode', () => {
  it('is app mode when the app answers, browser-only when it is not installed, unknown otherwise', () => {
    expect(popupView(input()).mode).toBe('app');
    expect(popupView(input({ link: NOT_INSTALLED })).mode).toBe('browser-only');
    expect(popupView(input({ link: { state: 'connecting', since: NOW } })).mode).toBe('unknown');
    expect(popupView(input({ link: { state: 'disconnected', reason: 'Native host has exited.', retryAt: NOW } })).mode).toBe('unknown');
  });

  it('reads the device from the service in app mode and from the browser-only snapshot otherwise', () => {
    const browserOnly = snapshotOf(PROTECTED_STATUS);
    expect(popupView(input({ browserOnly })).protection.look).toBe('signed-out');
    expect(popupView(input({ link: NOT_INSTALLED, browserOnly })).protection.look).toBe('protected');
    expect(popupView(input({ link: NOT_INSTALLED })).protection.look).toBe('unknown');
  });

  it('lists what the app would add only in browser-only mode, and offers explanations only with the app', () => {
    expect(popupView(input({ link: NOT_INSTALLED })).otherModeAdds).toContain('appAddsSystemProxy');
    expect(popupView(input({ link: NOT_INSTALLED })).explain).toBe('needs-app');
    expect(popupView(input()).otherModeAdds).toEqual([]);
    expect(popupView(input()).explain).toBe('available');
  });
});

describe('popup view: protection', () => {
  it('shows the protection state with its reason', () => {
    expect(protectionView(snapshotOf(PROTECTED_STATUS), NO_CONTROL)).toEqual({
      look: 'protected',
      tone: 'ok',
      title: 'protectionProtected',
      reason: 'Protected: web traffic goes through edge eu-1.',
      overridden: null,
    });
    expect(protectionView(snapshotOf({ ...PROTECTED_STATUS, protection: { ...PROTECTED_STATUS.protection, state: 'disabled', reason: 'Turned off' } }), NO_CONTROL)).toMatchObject({
      look: 'disabled',
      tone: 'attention',
      reason: 'Turned off',
    });
  });

  it('says "overridden" when another extension or a policy holds the proxy setting', () => {
    const other = { ...NO_CONTROL, wanted: 'pac' as const, level: 'controlled_by_other_extensions' as const, overridden: 'controlled_by_other_extensions' as const };
    expect(protectionView(snapshotOf(PROTECTED_STATUS), other)).toMatchObject({ look: 'overridden', tone: 'error', overridden: 'overriddenByExtension' });
    const policy = { ...other, level: 'not_controllable' as const, overridden: 'not_controllable' as const };
    expect(protectionView(snapshotOf(PROTECTED_STATUS), policy)).toMatchObject({ look: 'overridden', overridden: 'overriddenByPolicy' });
  });

  it('does not call an unprotected state overridden', () => {
    const other = { ...NO_CONTROL, wanted: 'pac' as const, overridden: 'controlled_by_other_extensions' as const };
    expect(protectionView(snapshotOf(STATUS), other).look).toBe('signed-out');
  });
});

describe('popup view: facts', () => {
  it('shows user, org, device, mode, network, edge with latency and the policy version', () => {
    const view = popupView(input({ link: app(PROTECTED_STATUS) }));
    expect(view.facts).toEqual([
      { id: 'user', label: 'factUser', value: { verbatim: 'Uma User <uma@example.test>' } },
      { id: 'org', label: 'factOrg', value: { verbatim: 'Example Org' } },
      { id: 'device-name', label: 'factDeviceName', value: { verbatim: 'Uma’s laptop' } },
      { id: 'mode', label: 'factProtectionMode', value: { key: 'modeApp', subs: [] } },
      { id: 'network', label: 'factNetwork', value: { key: 'networkOffTrusted', subs: [] } },
      { id: 'edge', label: 'factEdge', value: { key: 'edgeValueLatency', subs: ['eu-1', 'Frankfurt', '23'] } },
      { id: 'config', label: 'factPolicy', value: { key: 'policyValue', subs: ['4'] } },
    ]);
  });

  it('shows only the mode while signed out', () => {
    expect(popupView(input()).facts.map((fact) => fact.id)).toEqual(['mode']);
  });
});

describe('popup view: actions', () => {
  it('offers sign-in with the demo portal by default, the last one used, or the managed one', () => {
    expect(popupView(input()).signIn).toEqual({ portalUrl: 'http://127.0.0.1:8400', portalField: 'editable' });
    expect(popupView(input({ lastPortalUrl: 'https://p.example' })).signIn?.portalUrl).toBe('https://p.example');
    const managed = { config: { portalUrl: 'https://corp.example', lockPortalUrl: true }, problems: [] };
    expect(popupView(input({ managed, lastPortalUrl: 'https://p.example' })).signIn).toEqual({ portalUrl: 'https://corp.example', portalField: 'locked' });
  });

  it('shows the user code while a sign-in waits, instead of the sign-in form', () => {
    const login = { state: 'waiting' as const, userCode: 'ABCD-EFGH', verificationUri: 'https://p/device', verificationUriComplete: 'https://p/device?user_code=ABCD-EFGH', expiresAt: '2030-01-01T00:00:00Z' };
    const view = popupView(input({ link: app({ ...STATUS, login }) }));
    // Only browser-only mode can cancel: the app's sign-in has no cancel route and simply expires.
    expect(view.login).toEqual({ state: 'waiting', userCode: 'ABCD-EFGH', url: 'https://p/device?user_code=ABCD-EFGH', cancellable: false });
    expect(view.signIn).toBeNull();
  });

  it('says why the last sign-in failed, next to the form', () => {
    const login = { state: 'failed' as const, error: { code: 'LOGIN_FAILED' as const, message: 'Sign-in was denied in the portal.' } };
    const view = popupView(input({ link: app({ ...STATUS, login }) }));
    expect(view.login).toEqual({ state: 'failed', message: 'Sign-in was denied in the portal.' });
    expect(view.signIn).not.toBeNull();
  });

  it('offers sign-out, turn-off and sync when protected, asking for passwords where the profile sets them', () => {
    const status = { ...PROTECTED_STATUS, protection: { ...PROTECTED_STATUS.protection, passwords: { logout: true, disable: false } } };
    const view = popupView(input({ link: app(status) }));
    expect(view).toMatchObject({ signIn: null, signOut: { password: true }, turnOff: { password: false }, turnOn: false, sync: true });
  });

  it('offers turn-on while disabled', () => {
    const status = { ...PROTECTED_STATUS, protection: { ...PROTECTED_STATUS.protection, state: 'disabled' as const, disabledUntil: '2030-01-01T00:00:00Z' } };
    expect(popupView(input({ link: app(status) }))).toMatchObject({ turnOn: true, turnOff: null });
  });

  it('hides sign-out when the administrator does not allow it', () => {
    const managed = { config: { portalUrl: 'https://corp.example', allowSignOut: false }, problems: [] };
    expect(popupView(input({ link: app(PROTECTED_STATUS), managed })).signOut).toBeNull();
  });

  it('shows the last sync error while the last good config stays in force', () => {
    const status = { ...PROTECTED_STATUS, config: { ...PROTECTED_STATUS.config, lastError: { code: 'PORTAL_UNREACHABLE' as const, message: 'The portal could not be reached.' } } };
    expect(popupView(input({ link: app(status) })).syncError).toBe('The portal could not be reached.');
  });

  it('passes on problems with the managed settings', () => {
    expect(popupView(input({ managed: { config: null, problems: ['portalUrl: must be an http(s) URL'] } })).managedProblems).toEqual(['portalUrl: must be an http(s) URL']);
  });

  it('offers nothing before the side in charge has reported', () => {
    const view = popupView(input({ link: { state: 'connected', since: NOW, service: null } }));
    expect(view).toMatchObject({ signIn: null, signOut: null, turnOff: null, turnOn: false, sync: false });
  });
});

describe('popup view: captive portal and edge failure', () => {
  const paused: Status = {
    ...PROTECTED_STATUS,
    protection: { ...PROTECTED_STATUS.protection, state: 'paused', reason: 'Captive portal: forwarding is paused so you can sign in to this network.' },
    captivePortal: { state: 'detected', loginUrl: 'http://hotel.example/login', resumesAt: '2030-01-01T12:05:00.000Z', detail: 'The probe was redirected to hotel.example.' },
  };
  const failed = (state: 'fail-open' | 'fail-closed'): Status => ({
    ...PROTECTED_STATUS,
    protection: { ...PROTECTED_STATUS.protection, state, reason: `No edge answers (eu-1: timed out); ${state}.` },
  });

  it('looks: paused and fail-open ask for attention, fail-closed is an error; each with the service reason', () => {
    expect(protectionView(snapshotOf(paused), NO_CONTROL)).toEqual({ look: 'paused', tone: 'attention', title: 'protectionPaused', reason: paused.protection.reason, overridden: null });
    expect(protectionView(snapshotOf(failed('fail-open')), NO_CONTROL)).toEqual({
      look: 'fail-open',
      tone: 'attention',
      title: 'protectionFailOpen',
      reason: 'No edge answers (eu-1: timed out); fail-open.',
      overridden: null,
    });
    expect(protectionView(snapshotOf(failed('fail-closed')), NO_CONTROL)).toMatchObject({ look: 'fail-closed', tone: 'error', title: 'protectionFailClosed', reason: 'No edge answers (eu-1: timed out); fail-closed.' });
  });

  it('while paused, shows the sign-in page, when protection resumes and what the service found', () => {
    expect(popupView(input({ link: app(paused) })).captivePortal).toEqual({
      loginUrl: 'http://hotel.example/login',
      resumesAt: Date.parse('2030-01-01T12:05:00.000Z'),
      detail: 'The probe was redirected to hotel.example.',
    });
  });

  it('offers no sign-in page that is not a web page, no time it cannot read, and no detail that repeats the reason', () => {
    const odd = { ...paused, captivePortal: { state: 'detected' as const, loginUrl: 'javascript:alert(1)', resumesAt: 'soon', detail: paused.protection.reason } };
    expect(popupView(input({ link: app(odd) })).captivePortal).toEqual({ loginUrl: null, resumesAt: null, detail: null });
  });

  it('shows no panel without a portal, and no resume time for a portal while not paused', () => {
    expect(popupView(input({ link: app(PROTECTED_STATUS) })).captivePortal).toBeNull();
    const detectedOnly = { ...PROTECTED_STATUS, captivePortal: paused.captivePortal };
    expect(popupView(input({ link: app(detectedOnly) })).captivePortal).toMatchObject({ loginUrl: 'http://hotel.example/login', resumesAt: null });
  });

  it('lists each trusted-network check under the network type, and none when the profile defines no criteria', () => {
    const checks = [
      { criterion: 'dnsServers' as const, met: true, detail: 'DNS servers 10.0.0.53, 1.1.1.1 include 10.0.0.53' },
      { criterion: 'beacon' as const, met: false, detail: 'beacon.corp.example did not answer within 2 s' },
    ];
    const status = { ...PROTECTED_STATUS, network: { ...PROTECTED_STATUS.network, type: 'trusted' as const, checks } };
    expect(popupView(input({ link: app(status) })).facts.find((fact) => fact.id === 'network')).toEqual({
      id: 'network',
      label: 'factNetwork',
      value: { key: 'networkTrusted', subs: [] },
      checks: {
        summary: { key: 'networkChecksSummary', subs: ['1', '2'] },
        list: [
          { criterion: 'criterionDnsServers', met: true, detail: 'DNS servers 10.0.0.53, 1.1.1.1 include 10.0.0.53' },
          { criterion: 'criterionBeacon', met: false, detail: 'beacon.corp.example did not answer within 2 s' },
        ],
      },
    });
    expect(popupView(input({ link: app(PROTECTED_STATUS) })).facts.find((fact) => fact.id === 'network')).not.toHaveProperty('checks');
  });

  it('shows the edge health only when it is not ok, and why this edge is in use', () => {
    const edge = { ...PROTECTED_STATUS.edge!, health: 'degraded' as const, reason: 'failed over from eu-2: no answer for 3 s' };
    expect(popupView(input({ link: app({ ...PROTECTED_STATUS, edge }) })).facts.find((fact) => fact.id === 'edge')).toEqual({
      id: 'edge',
      label: 'factEdge',
      value: { key: 'edgeValueLatency', subs: ['eu-1', 'Frankfurt', '23'] },
      health: { state: 'degraded', label: 'edgeHealthDegraded' },
      note: 'failed over from eu-2: no answer for 3 s',
    });
    const unreachable = { ...edge, health: 'unreachable' as const, latencyMs: null };
    expect(popupView(input({ link: app({ ...PROTECTED_STATUS, edge: unreachable }) })).facts.find((fact) => fact.id === 'edge')?.health).toEqual({ state: 'unreachable', label: 'edgeHealthUnreachable' });
    const ok = popupView(input({ link: app({ ...PROTECTED_STATUS, edge: { ...edge, health: 'ok' } }) })).facts.find((fact) => fact.id === 'edge');
    expect(ok).not.toHaveProperty('health');
    expect(ok?.note).toBe('failed over from eu-2: no answer for 3 s');
  });
});
