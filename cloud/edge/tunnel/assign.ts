/**
 * The edge's answer to a hello: the device's address and everything it needs to configure its
 * tunnel. Pure; the settings are checked once when the endpoint starts (`checkAssignSettings`), so a
 * bad configuration fails the edge's start-up instead of every device's connection.
 */
import { negotiateOffload, TunnelAssign, type OffloadMode, type TunnelHello } from '../../../protocol/tunnel.js';
import { gatewayOf, ipv4ToText, subnetOf } from './address-pool.js';

export interface AssignSettings {
  readonly dns: readonly string[];
  readonly mtu: number;
  readonly routes: { readonly include: readonly string[]; readonly exclude: readonly string[] };
  /** The offload modes the edge's TUN can carry: none unless it was opened with offload. */
  readonly offloadModes: readonly OffloadMode[];
  /** The largest frame the edge accepts from the device. */
  readonly maxBatchBytes: number;
  readonly keepaliveSeconds: number;
  readonly idleTimeoutSeconds: number;
}

const isV6 = (text: string) => text.includes(':');

export function buildAssign(hello: TunnelHello, address: number, settings: AssignSettings): TunnelAssign {
  // A device without IPv6 is never sent IPv6 servers or routes (assignProblem would refuse them).
  const fits = (text: string) => hello.capabilities.ipv6 || !isV6(text);
  return {
    v: 1,
    type: 'assign',
    address: `${ipv4ToText(address)}/16`,
    gateway: ipv4ToText(gatewayOf(subnetOf(address))),
    dns: settings.dns.filter(fits),
    mtu: settings.mtu,
    routes: { include: settings.routes.include.filter(fits), exclude: settings.routes.exclude.filter(fits) },
    offload: negotiateOffload(hello.capabilities.offload, settings.offloadModes),
    maxBatchBytes: settings.maxBatchBytes,
    keepaliveSeconds: settings.keepaliveSeconds,
    idleTimeoutSeconds: settings.idleTimeoutSeconds,
  };
}

/** Throws with every problem when the settings could not make a valid assign. */
export function checkAssignSettings(settings: AssignSettings, sampleAddress: number): void {
  const hello: TunnelHello = {
    v: 1,
    type: 'hello',
    client: { version: 'check', os: 'linux' },
    capabilities: { offload: [...settings.offloadModes], maxBatchBytes: settings.maxBatchBytes, ipv6: true },
  };
  const result = TunnelAssign.safeParse(buildAssign(hello, sampleAddress, settings));
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new RangeError(`The tunnel endpoint settings are invalid: ${problems}`);
  }
}
