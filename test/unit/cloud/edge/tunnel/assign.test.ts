import { describe, expect, it } from 'vitest';
import { buildAssign, checkAssignSettings, type AssignSettings } from '../../../../../cloud/edge/tunnel/assign.js';
import { parseIPv4 } from '../../../../../protocol/ip.js';
import { assignProblem, MIN_BATCH_BYTES, TunnelAssign, type TunnelHello } from '../../../../../protocol/tunnel.js';

const settings: AssignSettings = {
  dns: ['100.64.0.1', '2606:4700::1111'],
  mtu: 1420,
  routes: { include: ['0.0.0.0/0', '::/0'], exclude: [] },
  offloadModes: ['virtio-net-v1'],
  maxBatchBytes: 4 * 1024 * 1024,
  keepaliveSeconds: 25,
  idleTimeoutSeconds: 300,
};

const hello: TunnelHello = {
  v: 1,
  type: 'hello',
  client: { version: '0.1.0', os: 'linux' },
  capabilities: { offload: ['virtio-net-v1'], maxBatchBytes: MIN_BATCH_BYTES, ipv6: false },
};

const address = Number(parseIPv4('100.65.0.9'));

describe('the assign answering a hello', () => {
  it('gives the address with its /16, the .0.1 gateway, and only what a device without IPv6 can use', () => {
    const assign = buildAssign(hello, address, settings);
    expect(assign).toMatchObject({ address: '100.65.0.9/16', gateway: '100.65.0.1', dns: ['100.64.0.1'], routes: { include: ['0.0.0.0/0'], exclude: [] } });
    expect(TunnelAssign.safeParse(assign).success).toBe(true);
    expect(assignProblem(hello, assign)).toBeNull();
  });

  it('offers offload only when both the device and the TUN have it', () => {
    expect(buildAssign(hello, address, settings).offload).toBe('virtio-net-v1');
    expect(buildAssign(hello, address, { ...settings, offloadModes: [] }).offload).toBeNull();
    expect(buildAssign({ ...hello, capabilities: { ...hello.capabilities, offload: [] } }, address, settings).offload).toBeNull();
  });

  it('keeps IPv6 for a device that has it', () => {
    const assign = buildAssign({ ...hello, capabilities: { ...hello.capabilities, ipv6: true } }, address, settings);
    expect(assign.dns).toEqual(settings.dns);
    expect(assign.routes.include).toEqual(['0.0.0.0/0', '::/0']);
  });

  it('refuses settings that cannot make a valid assign', () => {
    expect(() => checkAssignSettings(settings, address)).not.toThrow();
    expect(() => checkAssignSettings({ ...settings, keepaliveSeconds: 200, idleTimeoutSeconds: 300 }, address)).toThrow('twice the keepalive');
    expect(() => checkAssignSettings({ ...settings, dns: ['dns.example'] }, address)).toThrow('dns.0');
  });
});
