/** `waygate status`: the service's status, for people or (--json) for scripts. */
import { formatBytes } from '../../core/byte-size.js';
import type { EdgeView, Status, TunnelView } from '../../protocol/localapi.js';
import { LocalApiClient } from '../client/localapi-client.js';

const MODE_LABEL: Record<Status['mode'], string> = {
  system: 'system service',
  user: 'user mode (no full-device tunnel)',
};

export function formatStatus(status: Status, socketPath: string): string {
  const { account, protection, config, edge, login } = status;
  const lines = [
    `Waygate service ${status.version}: ${status.state}`,
    `  protection: ${protection.state} — ${protection.reason}`,
    account
      ? `  signed in:  ${account.user.email} (${account.org.name}), device "${account.deviceName}" at ${account.portalUrl}`
      : '  signed in:  no — run `waygate login`',
  ];
  if (login?.state === 'waiting') lines.push(`  sign-in:    open ${login.verificationUriComplete} and check the code ${login.userCode}`);
  if (login?.state === 'failed') lines.push(`  sign-in:    failed — ${login.error.message}`);
  if (account) {
    const source = config.source === 'disk' ? ' (cached copy: the portal has not answered yet)' : '';
    lines.push(`  policy:     ${config.policyVersion === null ? 'none yet' : `version ${config.policyVersion}${source}`}`);
    if (config.lastError) lines.push(`  last sync:  failed — ${config.lastError.message}`);
    else if (config.syncedAt) lines.push(`  last sync:  ${config.syncedAt}`);
  }
  lines.push(`  network:    ${status.network.type}${status.network.evidence.length ? ` (${status.network.evidence.join('; ')})` : ''}`);
  for (const check of status.network.checks) lines.push(`              ${check.met ? '✓' : '✗'} ${check.criterion}: ${check.detail}`);
  if (status.captivePortal.state === 'detected') {
    const until = status.captivePortal.resumesAt ? `; protection resumes by ${status.captivePortal.resumesAt}` : '';
    lines.push(`  captive:    sign in at ${status.captivePortal.loginUrl ?? 'the network’s login page'}${until}`);
  }
  if (edge) {
    const latency = edge.latencyMs === null ? '' : `, ${Math.round(edge.latencyMs)} ms`;
    const health = edge.health === 'ok' ? '' : ` [${edge.health}]`;
    lines.push(`  edge:       ${edge.id} (${edge.region}) ${edge.proxyUrl}${latency}${health}${edge.secondaryId ? `; secondary ${edge.secondaryId}` : ''}`);
    if (edge.reason) lines.push(`              ${edge.reason}`);
  }
  if (status.tunnel) lines.push(...formatTunnel(status.tunnel, edge));
  lines.push(`  browser:    ${status.browserProxy.mode === 'pac' ? 'PAC through the edge' : 'user settings'}`);
  lines.push(`  system:     ${status.systemProxy.state} — ${status.systemProxy.detail}`);
  if (status.edgeTokenExpiresAt) lines.push(`  edge token: valid until ${status.edgeTokenExpiresAt}`);
  lines.push(`  mode:       ${MODE_LABEL[status.mode]}`, `  pid:        ${status.pid}`, `  since:      ${status.startedAt}`, `  socket:     ${socketPath}`);
  return lines.join('\n');
}

const IPV6: Record<TunnelView['ipv6'], string> = {
  blocked: 'blocked while the tunnel is up',
  tunnelled: 'tunnelled',
};

/** The full-device tunnel: a heading line with its state, then one line per fact under it. */
export function formatTunnel(tunnel: TunnelView, edge: EdgeView | null): string[] {
  const reason = tunnel.reason.trim() === '' ? '' : ` — ${tunnel.reason}`;
  // The region is known only for the edge the status describes; the tunnel may run to another one.
  const edgeName = tunnel.edgeId === null ? 'none chosen yet' : edge?.id === tunnel.edgeId ? `${edge.id} (${edge.region})` : tunnel.edgeId;
  const lines = [
    `  tunnel:     ${tunnel.state} since ${tunnel.since}${reason}`,
    `              interface ${tunnel.interface ?? 'not open yet'}, address ${tunnel.address ?? 'none yet'}`,
    `              edge      ${edgeName}`,
    `              dns       ${tunnel.dns.length === 0 ? "the device's own" : tunnel.dns.join(', ')}`,
    `              ipv6      ${IPV6[tunnel.ipv6]}`,
    `              offload   ${tunnel.offload ? 'on (GSO super-packets)' : 'off (one packet at a time)'}`,
    `              traffic   ${formatBytes(tunnel.bytesUp)} up, ${formatBytes(tunnel.bytesDown)} down`,
  ];
  if (tunnel.packetsDropped > 0) {
    const packets = tunnel.packetsDropped === 1 ? 'packet' : 'packets';
    lines.push(`              dropped   ${tunnel.packetsDropped} ${packets} rather than sent outside the tunnel (while it was down, or the adapter was full)`);
  }
  return lines;
}

export async function statusCommand(socketPath: string, json: boolean): Promise<string> {
  const client = new LocalApiClient(socketPath);
  try {
    const status = await client.status();
    return json ? JSON.stringify(status, null, 2) : formatStatus(status, socketPath);
  } finally {
    await client.close();
  }
}
