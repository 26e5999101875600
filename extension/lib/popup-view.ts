/**
 * What the popup and the toolbar badge show about protection, decided without the DOM or the
 * browser so every state is unit-tested and the components only render. The inputs are the stored
 * facts the worker writes: the host link (with the service's status in app mode), the browser-only
 * snapshot, whether our proxy setting is in force, and the administrator's managed settings.
 */
import { byteAmount, byteSize, type ByteUnit } from '../../core/byte-size.js';
import { allowsSignOut } from '../../protocol/managed-config.js';
import type { CriterionCheck, EdgeView, ProtectionState, TunnelState, TunnelView } from '../../protocol/localapi.js';
import type { HostLink } from './connection-state.js';
import { snapshotOfStatus, type DeviceSnapshot } from './device-state.js';
import type { MessageKey } from './i18n.js';
import type { Message, Tone } from './link-view.js';
import { DEFAULT_PORTAL_URL, type ManagedState } from './managed.js';
import type { ProxyControl } from './proxy-state.js';
import { webUrl } from './web-url.js';

/** `app`: the Waygate app's service decides; `browser-only`: this extension does; `unknown`: not settled yet. */
export type Mode = 'app' | 'browser-only' | 'unknown';

export interface ViewInput {
  link: HostLink;
  browserOnly: DeviceSnapshot | null;
  control: ProxyControl;
  managed: ManagedState;
  lastPortalUrl: string | null;
}

export type ProtectionLook = ProtectionState | 'overridden' | 'unknown';

export interface ProtectionView {
  look: ProtectionLook;
  tone: Tone;
  title: MessageKey;
  /** The service's or the plan's own words. */
  reason: string | null;
  /** Set when another extension or a policy holds the proxy setting. */
  overridden: MessageKey | null;
}

/** One trusted-network criterion as the side in charge last checked it. */
export interface CheckView {
  readonly criterion: MessageKey;
  readonly met: boolean;
  /** What was seen, in the service's words. */
  readonly detail: string;
}

export interface DeviceFact {
  readonly id: 'user' | 'org' | 'device-name' | 'mode' | 'network' | 'edge' | 'config';
  readonly label: MessageKey;
  readonly value: Message | { readonly verbatim: string };
  /** Network: each trusted-network criterion checked; absent when the profile defines none. */
  readonly checks?: { readonly summary: Message; readonly list: readonly CheckView[] };
  /** Edge: its health, only when it is not ok. */
  readonly health?: { readonly state: Exclude<EdgeView['health'], 'ok'>; readonly label: MessageKey };
  /** Words under the value as the side in charge wrote them (why this edge is in use). */
  readonly note?: string;
}

/** A captive portal stands between the device and the internet: the user signs in to it. */
export interface CaptivePortalPanel {
  /** The sign-in page, only when it is a web page a tab may open. */
  readonly loginUrl: string | null;
  /** Epoch ms when protection resumes at the latest; null when the service names no time. */
  readonly resumesAt: number | null;
  /** The service's words about what it found; null when it said nothing beyond the reason. */
  readonly detail: string | null;
}

/** One row of the tunnel's facts; traffic and counts are numbers, written in the user's language by the component. */
export interface TunnelFact {
  readonly id: 'interface' | 'address' | 'edge' | 'dns' | 'ipv6' | 'traffic' | 'dropped';
  readonly label: MessageKey;
  readonly value: Message | { readonly verbatim: string } | { readonly sent: number; readonly received: number } | { readonly count: number };
  /** Why the value is what it is (why packets were dropped). */
  readonly note?: MessageKey;
}

/** The full-device tunnel, while the service runs one. */
export interface TunnelPanel {
  readonly state: TunnelState;
  readonly tone: Tone;
  readonly title: MessageKey;
  /** The service's words; null when it gave none. */
  readonly reason: string | null;
  readonly facts: readonly TunnelFact[];
}

export interface PopupView {
  mode: Mode;
  protection: ProtectionView;
  facts: readonly DeviceFact[];
  /** Shown while the service's plan runs the full-device tunnel. */
  tunnel: TunnelPanel | null;
  /** Shown while the service reports a captive portal. */
  captivePortal: CaptivePortalPanel | null;
  /** Shown while signed out and no sign-in is waiting. */
  signIn: { portalUrl: string; portalField: 'editable' | 'locked' } | null;
  /** A sign-in waiting for approval in the portal, or why the last one failed. */
  login: { state: 'waiting'; userCode: string; url: string; cancellable: boolean } | { state: 'failed'; message: string } | null;
  signOut: { password: boolean } | null;
  turnOff: { password: boolean } | null;
  turnOn: boolean;
  sync: boolean;
  /** The last sync's failure, in the portal's or service's words. */
  syncError: string | null;
  explain: 'available' | 'needs-app' | null;
  /** What the other mode would add, for the user to weigh. */
  otherModeAdds: readonly MessageKey[];
  managedProblems: readonly string[];
}

export function modeOf(link: HostLink): Mode {
  if (link.state === 'connected') return 'app';
  if (link.state === 'not-installed') return 'browser-only';
  return 'unknown';
}

/** The device as the side in charge reports it; null when that side has not reported yet. */
export function deviceOf(input: ViewInput): DeviceSnapshot | null {
  const { link } = input;
  if (link.state === 'connected') return link.service?.state === 'up' ? snapshotOfStatus(link.service.status) : null;
  if (link.state === 'not-installed') return input.browserOnly;
  return null;
}

const LOOK: Record<ProtectionLook, { tone: Tone; title: MessageKey }> = {
  protected: { tone: 'ok', title: 'protectionProtected' },
  off: { tone: 'attention', title: 'protectionOff' },
  disabled: { tone: 'attention', title: 'protectionDisabled' },
  paused: { tone: 'attention', title: 'protectionPaused' },
  'fail-open': { tone: 'attention', title: 'protectionFailOpen' },
  'fail-closed': { tone: 'error', title: 'protectionFailClosed' },
  waiting: { tone: 'pending', title: 'protectionWaiting' },
  'signed-out': { tone: 'attention', title: 'protectionSignedOut' },
  overridden: { tone: 'error', title: 'protectionOverridden' },
  unknown: { tone: 'pending', title: 'protectionUnknown' },
};

export function protectionView(device: DeviceSnapshot | null, control: ProxyControl): ProtectionView {
  if (device === null) return { look: 'unknown', ...LOOK.unknown, reason: null, overridden: null };
  const state = device.protection.state;
  if (state === 'protected' && control.overridden !== null) {
    return {
      look: 'overridden',
      ...LOOK.overridden,
      // The plan's "Protected: …" would contradict the heading; the override message says what is wrong.
      reason: null,
      overridden: control.overridden === 'controlled_by_other_extensions' ? 'overriddenByExtension' : 'overriddenByPolicy',
    };
  }
  // Signed out, the heading says it all (a failed sign-in is shown on its own).
  return { look: state, ...LOOK[state], reason: state === 'signed-out' ? null : device.protection.reason, overridden: null };
}

const APP_ADDS: readonly MessageKey[] = ['appAddsSystemProxy', 'appAddsTrustedNetwork', 'appAddsCredentials', 'appAddsTunnel'];

export function popupView(input: ViewInput): PopupView {
  const mode = modeOf(input.link);
  const device = deviceOf(input);
  const protection = protectionView(device, input.control);
  const managed = input.managed.config;
  const signedIn = device?.account != null;
  const waiting = device?.login?.state === 'waiting' ? device.login : null;
  const failed = device?.login?.state === 'failed' ? device.login : null;
  const canAct = device !== null;
  const state = device?.protection.state;
  return {
    mode,
    protection,
    facts: device === null ? [] : facts(device, mode),
    tunnel: device?.tunnel ? tunnelPanel(device.tunnel, device.edge) : null,
    captivePortal: device === null ? null : captivePortalPanel(device),
    signIn:
      canAct && !signedIn && waiting === null
        ? {
            portalUrl: managed?.portalUrl ?? input.lastPortalUrl ?? DEFAULT_PORTAL_URL,
            portalField: managed?.lockPortalUrl === true ? 'locked' : 'editable',
          }
        : null,
    login: waiting
      ? { state: 'waiting', userCode: waiting.userCode, url: waiting.verificationUriComplete, cancellable: mode === 'browser-only' }
      : failed && !signedIn
        ? { state: 'failed', message: failed.error.message }
        : null,
    signOut: signedIn && allowsSignOut(managed) ? { password: device.protection.passwords.logout } : null,
    turnOff: signedIn && (state === 'protected' || state === 'off') ? { password: device.protection.passwords.disable } : null,
    turnOn: signedIn && state === 'disabled',
    sync: signedIn,
    syncError: signedIn ? (device.config.lastError?.message ?? null) : null,
    explain: mode === 'app' && device !== null ? 'available' : mode === 'browser-only' ? 'needs-app' : null,
    otherModeAdds: mode === 'browser-only' ? APP_ADDS : [],
    managedProblems: input.managed.problems,
  };
}

function captivePortalPanel(device: DeviceSnapshot): CaptivePortalPanel | null {
  const portal = device.captivePortal;
  if (portal.state !== 'detected' && device.protection.state !== 'paused') return null;
  const resumesAt = portal.resumesAt === null ? NaN : Date.parse(portal.resumesAt);
  const detail = portal.detail.trim();
  return {
    loginUrl: webUrl(portal.loginUrl),
    // A time only means something while forwarding is actually paused.
    resumesAt: device.protection.state === 'paused' && Number.isFinite(resumesAt) ? resumesAt : null,
    detail: detail === '' || detail === device.protection.reason ? null : detail,
  };
}

const CRITERION: Record<CriterionCheck['criterion'], MessageKey> = {
  dnsServers: 'criterionDnsServers',
  dnsSearchDomains: 'criterionDnsSearchDomains',
  hostnameResolves: 'criterionHostnameResolves',
  defaultGateways: 'criterionDefaultGateways',
  networkRanges: 'criterionNetworkRanges',
  beacon: 'criterionBeacon',
};

const HEALTH: Record<Exclude<EdgeView['health'], 'ok'>, MessageKey> = {
  degraded: 'edgeHealthDegraded',
  unreachable: 'edgeHealthUnreachable',
};

function networkFact(network: DeviceSnapshot['network']): DeviceFact {
  const fact: DeviceFact = { id: 'network', label: 'factNetwork', value: { key: NETWORK[network.type], subs: [] } };
  if (network.checks.length === 0) return fact;
  const met = network.checks.filter((check) => check.met).length;
  return {
    ...fact,
    checks: {
      summary: { key: 'networkChecksSummary', subs: [String(met), String(network.checks.length)] },
      list: network.checks.map((check) => ({ criterion: CRITERION[check.criterion], met: check.met, detail: check.detail })),
    },
  };
}

function edgeFact(edge: EdgeView): DeviceFact {
  const value: Message =
    edge.latencyMs === null ? { key: 'edgeValue', subs: [edge.id, edge.region] } : { key: 'edgeValueLatency', subs: [edge.id, edge.region, String(Math.round(edge.latencyMs))] };
  return {
    id: 'edge',
    label: 'factEdge',
    value,
    ...(edge.health === 'ok' ? {} : { health: { state: edge.health, label: HEALTH[edge.health] } }),
    ...(edge.reason.trim() === '' ? {} : { note: edge.reason }),
  };
}

const NETWORK: Record<DeviceSnapshot['network']['type'], MessageKey> = {
  trusted: 'networkTrusted',
  'vpn-trusted': 'networkVpnTrusted',
  'off-trusted': 'networkOffTrusted',
};

function facts(device: DeviceSnapshot, mode: Mode): DeviceFact[] {
  const list: DeviceFact[] = [];
  const { account, edge } = device;
  if (account) {
    list.push({ id: 'user', label: 'factUser', value: { verbatim: account.user.name ? `${account.user.name} <${account.user.email}>` : account.user.email } });
    list.push({ id: 'org', label: 'factOrg', value: { verbatim: account.org.name } });
    list.push({ id: 'device-name', label: 'factDeviceName', value: { verbatim: account.deviceName } });
  }
  list.push({ id: 'mode', label: 'factProtectionMode', value: { key: mode === 'app' ? 'modeApp' : 'modeBrowserOnly', subs: [] } });
  if (account) {
    list.push(networkFact(device.network));
    if (edge) list.push(edgeFact(edge));
    if (device.config.policyVersion !== null) list.push({ id: 'config', label: 'factPolicy', value: { key: 'policyValue', subs: [String(device.config.policyVersion)] } });
  }
  return list;
}

/** Tones as the protection heading uses them: the tunnel failing closed blocks traffic, so it is an error. */
const TUNNEL_LOOK: Record<TunnelState, { tone: Tone; title: MessageKey }> = {
  connecting: { tone: 'pending', title: 'tunnelConnecting' },
  up: { tone: 'ok', title: 'tunnelUp' },
  reconnecting: { tone: 'pending', title: 'tunnelReconnecting' },
  'fail-open': { tone: 'attention', title: 'tunnelFailOpen' },
  'fail-closed': { tone: 'error', title: 'tunnelFailClosed' },
  unavailable: { tone: 'attention', title: 'tunnelUnavailable' },
};

export function tunnelPanel(tunnel: TunnelView, edge: EdgeView | null): TunnelPanel {
  const facts: TunnelFact[] = [];
  if (tunnel.interface !== null) facts.push({ id: 'interface', label: 'tunnelFactInterface', value: { verbatim: tunnel.interface } });
  if (tunnel.address !== null) facts.push({ id: 'address', label: 'tunnelFactAddress', value: { verbatim: tunnel.address } });
  if (tunnel.edgeId !== null) {
    // The region is known only for the edge the status describes; the tunnel may run to another one.
    const value: TunnelFact['value'] = edge?.id === tunnel.edgeId ? { key: 'edgeValue', subs: [edge.id, edge.region] } : { verbatim: tunnel.edgeId };
    facts.push({ id: 'edge', label: 'factEdge', value });
  }
  facts.push({ id: 'traffic', label: 'tunnelFactTraffic', value: { sent: tunnel.bytesUp, received: tunnel.bytesDown } });
  if (tunnel.packetsDropped > 0) facts.push({ id: 'dropped', label: 'tunnelFactDropped', value: { count: tunnel.packetsDropped }, note: 'tunnelDroppedNote' });
  facts.push({
    id: 'dns',
    label: 'tunnelFactDns',
    value: tunnel.dns.length === 0 ? { key: 'tunnelDnsOwn', subs: [] } : { verbatim: tunnel.dns.join(', ') },
  });
  facts.push({ id: 'ipv6', label: 'tunnelFactIpv6', value: { key: tunnel.ipv6 === 'blocked' ? 'tunnelIpv6Blocked' : 'tunnelIpv6Tunnelled', subs: [] } });
  const reason = tunnel.reason.trim();
  return { state: tunnel.state, ...TUNNEL_LOOK[tunnel.state], reason: reason === '' ? null : reason, facts };
}

const BYTES: Record<ByteUnit, MessageKey> = { B: 'bytesB', KB: 'bytesKB', MB: 'bytesMB', GB: 'bytesGB' };

/** A byte count as a message in the user's units ("1,5 Mo" in French), the number written as `locale` writes it. */
export function bytesMessage(bytes: number, locale: string): Message {
  const size = byteSize(bytes);
  return { key: BYTES[size.unit], subs: [byteAmount(size, locale)] };
}
