import { describe, expect, it } from 'vitest';
import type { HostLink } from '../../../extension/lib/connection-state.js';
import { bytesMessage, popupView, tunnelPanel, type ViewInput } from '../../../extension/lib/popup-view.js';
import { NO_CONTROL } from '../../../extension/lib/proxy-state.js';
import type { Status, TunnelView } from '../../../protocol/localapi.js';
import { PROTECTED_STATUS, TUNNEL_UP } from './status-fixture.js';

const NOW = 1_700_000_000_000;
const app = (status: Status): HostLink => ({ state: 'connected', since: NOW, service: { state: 'up', status } });
const input = (status: Status): ViewInput => ({ link: app(status), browserOnly: null, control: NO_CONTROL, managed: { config: null, problems: [] }, lastPortalUrl: null });

const UP = TUNNEL_UP;

describe('popup view: tunnel', () => {
  it('shows no tunnel while the plan runs none', () => {
    expect(popupView(input(PROTECTED_STATUS)).tunnel).toBeNull();
  });

  it('shows a tunnel that is up: interface, address, edge with its region, traffic, DNS and IPv6', () => {
    expect(popupView(input({ ...PROTECTED_STATUS, tunnel: UP })).tunnel).toEqual({
      state: 'up',
      tone: 'ok',
      title: 'tunnelUp',
      reason: 'Tunnel up through eu-1.',
      facts: [
        { id: 'interface', label: 'tunnelFactInterface', value: { verbatim: 'waygate0' } },
        { id: 'address', label: 'tunnelFactAddress', value: { verbatim: '100.64.0.2/16' } },
        { id: 'edge', label: 'factEdge', value: { key: 'edgeValue', subs: ['eu-1', 'Frankfurt'] } },
        { id: 'traffic', label: 'tunnelFactTraffic', value: { sent: 1536 * 1024, received: 20 * 1024 * 1024 } },
        { id: 'dns', label: 'tunnelFactDns', value: { verbatim: '10.0.0.53, 10.0.0.54' } },
        { id: 'ipv6', label: 'tunnelFactIpv6', value: { key: 'tunnelIpv6Blocked', subs: [] } },
      ],
    });
  });

  it('names the edge by id alone when the status describes another edge or none', () => {
    const other = tunnelPanel({ ...UP, edgeId: 'us-2' }, PROTECTED_STATUS.edge);
    expect(other.facts.find((fact) => fact.id === 'edge')?.value).toEqual({ verbatim: 'us-2' });
    expect(tunnelPanel(UP, null).facts.find((fact) => fact.id === 'edge')?.value).toEqual({ verbatim: 'eu-1' });
  });

  it('leaves out interface, address and edge until they exist', () => {
    const connecting = tunnelPanel({ ...UP, state: 'connecting', interface: null, address: null, edgeId: null }, null);
    expect(connecting.facts.map((fact) => fact.id)).toEqual(['traffic', 'dns', 'ipv6']);
  });

  it('says the device keeps its own DNS when the tunnel sets none, and when IPv6 goes through the tunnel', () => {
    const panel = tunnelPanel({ ...UP, dns: [], ipv6: 'tunnelled' }, null);
    expect(panel.facts.find((fact) => fact.id === 'dns')?.value).toEqual({ key: 'tunnelDnsOwn', subs: [] });
    expect(panel.facts.find((fact) => fact.id === 'ipv6')?.value).toEqual({ key: 'tunnelIpv6Tunnelled', subs: [] });
  });

  it('shows dropped packets only when there are some, with why they were dropped', () => {
    expect(tunnelPanel(UP, null).facts.some((fact) => fact.id === 'dropped')).toBe(false);
    const closed = tunnelPanel({ ...UP, state: 'fail-closed', packetsDropped: 12 }, null);
    expect(closed.facts.find((fact) => fact.id === 'dropped')).toEqual({ id: 'dropped', label: 'tunnelFactDropped', value: { count: 12 }, note: 'tunnelDroppedNote' });
  });

  it('looks like the protection heading: failing closed is an error, failing open or unavailable ask for attention', () => {
    const look = (state: TunnelView['state']) => {
      const { tone, title } = tunnelPanel({ ...UP, state }, null);
      return { tone, title };
    };
    expect(look('connecting')).toEqual({ tone: 'pending', title: 'tunnelConnecting' });
    expect(look('reconnecting')).toEqual({ tone: 'pending', title: 'tunnelReconnecting' });
    expect(look('fail-open')).toEqual({ tone: 'attention', title: 'tunnelFailOpen' });
    expect(look('fail-closed')).toEqual({ tone: 'error', title: 'tunnelFailClosed' });
    expect(look('unavailable')).toEqual({ tone: 'attention', title: 'tunnelUnavailable' });
  });

  it('gives no reason line when the service gave no words', () => {
    expect(tunnelPanel({ ...UP, reason: '  ' }, null).reason).toBeNull();
  });
});

describe('popup view: byte counts', () => {
  it('picks the unit message and writes the amount in the user’s language', () => {
    expect(bytesMessage(512, 'en')).toEqual({ key: 'bytesB', subs: ['512'] });
    expect(bytesMessage(1536, 'en')).toEqual({ key: 'bytesKB', subs: ['1.5'] });
    expect(bytesMessage(1536 * 1024, 'de')).toEqual({ key: 'bytesMB', subs: ['1,5'] });
    expect(bytesMessage(20 * 1024 * 1024 * 1024, 'ja')).toEqual({ key: 'bytesGB', subs: ['20'] });
  });
});
