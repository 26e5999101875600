import { describe, expect, it } from 'vitest';
import {
  DeviceControl,
  EdgeControl,
  MIN_BATCH_BYTES,
  TUNNEL_CLOSE,
  TunnelAssign,
  TunnelHello,
  VIRTIO_NET_HDR_BYTES,
  assignProblem,
  closeInfo,
  decodeBatch,
  encodeBatch,
  encodeBatches,
  negotiateOffload,
  parseVirtioNetHeader,
  validateVirtioNetHeader,
  type BatchLimits,
  type VirtioNetHeader,
} from '../../../protocol/tunnel.js';

const hello = {
  v: 1,
  type: 'hello',
  client: { version: '0.3.0', os: 'linux' },
  capabilities: { offload: ['virtio-net-v1'], maxBatchBytes: 1024 * 1024, ipv6: false },
};

const assign = {
  v: 1,
  type: 'assign',
  address: '100.64.3.7/16',
  gateway: '100.64.0.1',
  dns: ['100.64.0.1', '1.1.1.1'],
  mtu: 1420,
  routes: { include: ['0.0.0.0/0'], exclude: ['10.0.0.0/8'] },
  offload: 'virtio-net-v1',
  maxBatchBytes: 4 * 1024 * 1024,
  keepaliveSeconds: 25,
  idleTimeoutSeconds: 300,
};

function issues(schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } }, value: unknown): string {
  const result = schema.safeParse(value);
  return result.success ? '' : (result.error?.issues.map((i) => i.message).join('; ') ?? '');
}

describe('tunnel control messages', () => {
  it('accepts a hello and an assign, through their direction unions', () => {
    expect(DeviceControl.parse(hello)).toEqual(hello);
    expect(EdgeControl.parse(assign)).toEqual(assign);
    expect(TunnelHello.safeParse({ ...hello, capabilities: { ...hello.capabilities, offload: [] } }).success).toBe(true);
    expect(TunnelAssign.safeParse({ ...assign, offload: null }).success).toBe(true);
  });

  it('accepts ping, pong and error both ways they may travel', () => {
    expect(DeviceControl.parse({ v: 1, type: 'ping', nonce: 'a1' })).toEqual({ v: 1, type: 'ping', nonce: 'a1' });
    expect(EdgeControl.parse({ v: 1, type: 'pong', nonce: 'a1' })).toEqual({ v: 1, type: 'pong', nonce: 'a1' });
    expect(EdgeControl.safeParse({ v: 1, type: 'error', code: 'UNAUTHENTICATED', message: 'no token' }).success).toBe(true);
  });

  it.each([
    ['another version', { ...hello, v: 2 }],
    ['an unknown offload mode', { ...hello, capabilities: { ...hello.capabilities, offload: ['tso'] } }],
    ['a repeated offload mode', { ...hello, capabilities: { ...hello.capabilities, offload: ['virtio-net-v1', 'virtio-net-v1'] } }],
    ['a batch limit below one super-packet', { ...hello, capabilities: { ...hello.capabilities, maxBatchBytes: 1500 } }],
    ['an unknown OS', { ...hello, client: { version: '1', os: 'plan9' } }],
    ['an extra field', { ...hello, token: 'x' }],
    ['a numeric type', { ...hello, type: 0 }],
  ])('refuses a hello with %s', (_name, value) => {
    expect(TunnelHello.safeParse(value).success).toBe(false);
  });

  it.each([
    ['an address outside 100.64.0.0/10', { address: '10.0.0.7/16', gateway: '10.0.0.1' }, 'inside 100.64.0.0/10'],
    ['a prefix wider than the pool', { address: '100.64.3.7/8' }, 'inside 100.64.0.0/10'],
    ['an address without prefix', { address: '100.64.3.7' }, 'with a prefix'],
    ['an IPv6 address', { address: 'fd00::7/64' }, 'with a prefix'],
    ['the network address', { address: '100.64.0.0/16' }, 'network or broadcast'],
    ['the broadcast address', { address: '100.64.255.255/16' }, 'network or broadcast'],
    ['a gateway outside the prefix', { gateway: '100.65.0.1' }, 'inside the tunnel address prefix'],
    ['the device address as gateway', { gateway: '100.64.3.7' }, 'differ from the address'],
    ['a DNS server that is no address', { dns: ['dns.example.com'] }, 'is not an IPv4 or IPv6 address'],
    ['a route with host bits', { routes: { include: ['10.0.0.1/8'], exclude: [] } }, 'Host bits are set'],
    ['an MTU below 576', { mtu: 500 }, ''],
    ['an idle timeout under two keepalives', { keepaliveSeconds: 60, idleTimeoutSeconds: 100 }, 'twice the keepalive'],
    ['an unknown offload', { offload: 'gro' }, ''],
  ])('refuses an assign with %s', (_name, patch, message) => {
    const problems = issues(TunnelAssign, { ...assign, ...patch });
    expect(problems).not.toBe('');
    expect(problems).toContain(message);
  });

  it('accepts a /31 point-to-point address with its peer as gateway', () => {
    expect(issues(TunnelAssign, { ...assign, address: '100.64.3.7/31', gateway: '100.64.3.6' })).toBe('');
  });

  it.each([
    ['an empty nonce', { v: 1, type: 'ping', nonce: '' }],
    ['a nonce with spaces', { v: 1, type: 'ping', nonce: 'a b' }],
    ['a hello sent by the edge', hello],
  ])('refuses from the edge %s', (_name, value) => {
    expect(EdgeControl.safeParse(value).success).toBe(false);
  });

  it('accepts a hello asking for another /16 of 100.64.0.0/10', () => {
    const asking = { ...hello, capabilities: { ...hello.capabilities, range: '100.65.0.0/16' } };
    expect(TunnelHello.parse(asking)).toEqual(asking);
  });

  it.each([
    ['outside 100.64.0.0/10', '10.1.0.0/16'],
    ['not a /16', '100.64.0.0/15'],
    ['with host bits', '100.65.1.0/16'],
    ['an address', '100.65.0.1'],
  ])('refuses a hello asking for a range %s', (_name, range) => {
    expect(TunnelHello.safeParse({ ...hello, capabilities: { ...hello.capabilities, range } }).success).toBe(false);
  });

  it('accepts a token refresh from the device only', () => {
    const refresh = { v: 1, type: 'token', token: 'a.b.c' };
    expect(DeviceControl.parse(refresh)).toEqual(refresh);
    expect(DeviceControl.safeParse({ ...refresh, token: '' }).success).toBe(false);
    expect(DeviceControl.safeParse({ ...refresh, token: 'x'.repeat(8193) }).success).toBe(false);
    expect(EdgeControl.safeParse(refresh).success).toBe(false);
  });

  it('refuses an error message with a code outside errors.ts', () => {
    expect(EdgeControl.safeParse({ v: 1, type: 'error', code: 'NOPE', message: 'x' }).success).toBe(false);
    expect(DeviceControl.safeParse({ v: 1, type: 'assign' }).success).toBe(false);
  });

  it('negotiates the device’s most preferred mode the edge supports', () => {
    expect(negotiateOffload(['virtio-net-v1'], ['virtio-net-v1'])).toBe('virtio-net-v1');
    expect(negotiateOffload([], ['virtio-net-v1'])).toBeNull();
    expect(negotiateOffload(['virtio-net-v1'], [])).toBeNull();
  });

  it('checks an assign against its hello', () => {
    const h = TunnelHello.parse(hello);
    const a = TunnelAssign.parse(assign);
    expect(assignProblem(h, a)).toBeNull();
    expect(assignProblem({ ...h, capabilities: { ...h.capabilities, offload: [] } }, a)).toContain('did not offer');
    expect(assignProblem(h, { ...a, routes: { include: ['::/0'], exclude: [] } })).toContain('IPv6');
    expect(assignProblem({ ...h, capabilities: { ...h.capabilities, ipv6: true } }, { ...a, dns: ['2606:4700::1111'] })).toBeNull();
  });
});

describe('tunnel close codes', () => {
  it('are unique and in the private range', () => {
    const codes = Object.values(TUNNEL_CLOSE);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code >= 4000 && code <= 4999, String(code)).toBe(true);
  });

  it('each have a reason that fits a close frame', () => {
    for (const [name, code] of Object.entries(TUNNEL_CLOSE)) {
      const info = closeInfo(code);
      expect(info.name).toBe(name);
      expect(new TextEncoder().encode(info.reason).length).toBeLessThanOrEqual(123);
    }
  });

  it('say what the device does next', () => {
    expect(closeInfo(TUNNEL_CLOSE.TOKEN_EXPIRED).action).toBe('refresh-token');
    expect(closeInfo(TUNNEL_CLOSE.POLICY_DENIED).action).toBe('stop');
    expect(closeInfo(TUNNEL_CLOSE.REPLACED).action).toBe('stop');
    expect(closeInfo(TUNNEL_CLOSE.SERVER_SHUTTING_DOWN)).toEqual({ name: 'SERVER_SHUTTING_DOWN', action: 'reconnect', reason: expect.stringContaining('shutting down') });
  });

  it('fall back to their group for codes a newer edge may send', () => {
    expect(closeInfo(4150)).toMatchObject({ name: 'UNKNOWN', action: 'refresh-token' });
    expect(closeInfo(4299)).toMatchObject({ name: 'UNKNOWN', action: 'stop' });
    expect(closeInfo(1006)).toMatchObject({ name: 'UNKNOWN', action: 'reconnect', reason: 'The tunnel closed with code 1006.' });
    expect(closeInfo(4000.5).action).toBe('reconnect');
  });
});

const LIMITS: BatchLimits = { maxPacketBytes: 65_545, maxPackets: 1024 };

function be32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

describe('tunnel batch codec', () => {
  it('round-trips packets of assorted sizes', () => {
    const packets = [Uint8Array.of(0x45), new Uint8Array(1500).fill(7), new Uint8Array(65_545).fill(9)];
    const frame = encodeBatch(packets);
    expect(frame.length).toBe(3 * 4 + 1 + 1500 + 65_545);
    expect(decodeBatch(frame, LIMITS)).toEqual({ packets });
  });

  it('splits packets into frames no larger than the peer accepts, in order, each packet whole', () => {
    const packets = [new Uint8Array(40_000).fill(1), new Uint8Array(40_000).fill(2), new Uint8Array(20_000).fill(3), new Uint8Array(60_000).fill(4)];
    const frames = encodeBatches(packets, MIN_BATCH_BYTES);
    expect(frames.map((frame) => frame.length)).toEqual([4 + 40_000, 2 * 4 + 40_000 + 20_000, 4 + 60_000]);
    expect(frames.flatMap((frame) => { const decoded = decodeBatch(frame, LIMITS); return 'packets' in decoded ? decoded.packets : []; })).toEqual(packets);
    expect(encodeBatches(packets, 16 * 1024 * 1024)).toHaveLength(1);
    expect(encodeBatches([], MIN_BATCH_BYTES)).toEqual([]);
  });

  it('writes lengths big-endian', () => {
    expect([...encodeBatch([Uint8Array.of(1, 2, 3)])]).toEqual([0, 0, 0, 3, 1, 2, 3]);
  });

  it('decodes a frame that is a view into a larger buffer', () => {
    const inner = encodeBatch([Uint8Array.of(5, 6)]);
    const outer = new Uint8Array(inner.length + 8);
    outer.set(inner, 3);
    expect(decodeBatch(outer.subarray(3, 3 + inner.length), LIMITS)).toEqual({ packets: [Uint8Array.of(5, 6)] });
  });

  it('refuses to encode an empty packet', () => {
    expect(() => encodeBatch([new Uint8Array(0)])).toThrow(RangeError);
  });

  it.each([
    ['an empty frame', [], LIMITS, 'empty-batch', TUNNEL_CLOSE.PROTOCOL_ERROR],
    ['1 trailing byte', [...be32(1), 9, 0], LIMITS, 'truncated-length', TUNNEL_CLOSE.PROTOCOL_ERROR],
    ['3 trailing bytes', [...be32(1), 9, 0, 0, 0], LIMITS, 'truncated-length', TUNNEL_CLOSE.PROTOCOL_ERROR],
    ['a length past the end', [...be32(5), 1, 2], LIMITS, 'truncated-packet', TUNNEL_CLOSE.PROTOCOL_ERROR],
    ['a length of 4 GiB - 1', [...be32(0xffffffff), 1], { ...LIMITS, maxPacketBytes: 0xffffffff }, 'truncated-packet', TUNNEL_CLOSE.PROTOCOL_ERROR],
    ['a zero length', [...be32(0)], LIMITS, 'empty-packet', TUNNEL_CLOSE.PROTOCOL_ERROR],
    ['a length over the packet limit', [...be32(65_546), 1], LIMITS, 'packet-too-large', TUNNEL_CLOSE.PROTOCOL_ERROR],
    ['too many packets', [...be32(1), 1, ...be32(1), 2, ...be32(1), 3], { ...LIMITS, maxPackets: 2 }, 'too-many-packets', TUNNEL_CLOSE.PROTOCOL_ERROR],
    ['a frame over the batch limit', [...be32(4), 1, 2, 3, 4], { ...LIMITS, maxBatchBytes: 7 }, 'batch-too-large', TUNNEL_CLOSE.BATCH_TOO_LARGE],
    ['a short virtio header', [...be32(4), 1, 2, 3, 4], { ...LIMITS, offload: 'virtio-net-v1' }, 'bad-offload-header', TUNNEL_CLOSE.BAD_PACKET],
  ] as const)('rejects %s without throwing', (_name, bytes, limits, error, closeCode) => {
    const result = decodeBatch(Uint8Array.from(bytes), limits);
    expect(result).toMatchObject({ error, closeCode });
    expect('error' in result && result.reason.length > 0).toBe(true);
  });

  it('yields no packets from a frame whose last packet is bad', () => {
    const good = encodeBatch([Uint8Array.of(1, 2)]);
    const frame = Uint8Array.from([...good, ...be32(0)]);
    expect('packets' in decodeBatch(frame, LIMITS)).toBe(false);
  });

  it('never throws on random bytes', () => {
    let seed = 1;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) & 0xff;
    for (let round = 0; round < 2000; round++) {
      const frame = Uint8Array.from({ length: next() % 64 }, () => (next() % 3 === 0 ? 0 : next()));
      expect(() => decodeBatch(frame, { maxPacketBytes: 64, maxPackets: 8, offload: round % 2 === 0 ? 'virtio-net-v1' : null })).not.toThrow();
    }
  });

  it('validates every virtio header when offload is on', () => {
    const ok = Uint8Array.from([...virtio({}), ...new Uint8Array(40)]);
    const bad = Uint8Array.from([...virtio({ gsoType: 3, gsoSize: 1400 }), ...new Uint8Array(40)]);
    const offload = { ...LIMITS, offload: 'virtio-net-v1' } as const;
    expect(decodeBatch(encodeBatch([ok]), offload)).toEqual({ packets: [ok] });
    expect(decodeBatch(encodeBatch([ok, bad]), offload)).toMatchObject({ error: 'bad-offload-header', reason: expect.stringContaining('Packet 1') });
    expect(decodeBatch(encodeBatch([bad]), LIMITS)).toEqual({ packets: [bad] });
  });
});

interface RawHeader {
  flags?: number;
  gsoType?: number;
  hdrLen?: number;
  gsoSize?: number;
  csumStart?: number;
  csumOffset?: number;
}

function virtio(h: RawHeader): Uint8Array {
  const bytes = new Uint8Array(VIRTIO_NET_HDR_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, h.flags ?? 0);
  view.setUint8(1, h.gsoType ?? 0);
  view.setUint16(2, h.hdrLen ?? 0, true);
  view.setUint16(4, h.gsoSize ?? 0, true);
  view.setUint16(6, h.csumStart ?? 0, true);
  view.setUint16(8, h.csumOffset ?? 0, true);
  return bytes;
}

function header(h: RawHeader): VirtioNetHeader {
  const parsed = parseVirtioNetHeader(virtio(h));
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

/** A TSO super-packet as Linux hands it over: IPv4 (20) + TCP (32) headers, checksum partial. */
const TSO4: RawHeader = { flags: 1, gsoType: 1, hdrLen: 52, gsoSize: 1448, csumStart: 20, csumOffset: 16 };

describe('virtio_net_hdr', () => {
  it('parses the little-endian layout', () => {
    expect(parseVirtioNetHeader(Uint8Array.of(1, 0x84, 0x4a, 0, 0x80, 0x05, 40, 0, 16, 0))).toEqual({
      flags: 1,
      gsoType: 0x84,
      gso: 'tcpv6',
      ecn: true,
      hdrLen: 74,
      gsoSize: 1408,
      csumStart: 40,
      csumOffset: 16,
    });
  });

  it('parses a header inside a larger buffer', () => {
    const buffer = Uint8Array.from([0xff, 0xff, ...virtio(TSO4), 0xff]);
    expect(parseVirtioNetHeader(buffer.subarray(2))).toMatchObject({ gso: 'tcpv4', hdrLen: 52, gsoSize: 1448 });
  });

  it.each([
    ['fewer than 10 bytes', new Uint8Array(9), 'needs 10 bytes'],
    ['GSO type 2', virtio({ gsoType: 2 }), 'unknown GSO type 0x2'],
    ['GSO type 0x7f', virtio({ gsoType: 0x7f }), 'unknown GSO type'],
  ])('refuses to parse %s', (_name, bytes, message) => {
    const parsed = parseVirtioNetHeader(bytes);
    expect('error' in parsed && parsed.error).toContain(message);
  });

  it.each([
    ['a plain packet', {}, 60],
    ['a packet with a partial UDP checksum', { flags: 1, csumStart: 20, csumOffset: 6 }, 28],
    ['a packet whose checksum is valid', { flags: 2 }, 60],
    ['TSO over IPv4', TSO4, 64_000],
    ['TSO over IPv6 with ECN', { ...TSO4, gsoType: 0x84, csumStart: 40, hdrLen: 72 }, 64_000],
    ['TSO with hdr_len left 0', { ...TSO4, hdrLen: 0 }, 64_000],
  ])('accepts %s', (_name, raw, length) => {
    expect(validateVirtioNetHeader(header(raw), length)).toBeNull();
  });

  it.each([
    ['unknown flags', { flags: 4 }, 60, 'unknown flags'],
    ['no packet after it', {}, 0, 'no IP packet'],
    ['hdr_len past the packet', { hdrLen: 61 }, 60, 'hdr_len 61 exceeds'],
    ['a checksum field past the packet', { flags: 1, csumStart: 50, csumOffset: 9 }, 60, 'csum_start 50 + csum_offset 9 + 2'],
    ['a checksum field ending one byte late', { flags: 1, csumStart: 20, csumOffset: 16 }, 37, 'exceeds the 37-byte packet'],
    ['the ECN bit alone', { gsoType: 0x80 }, 60, 'ECN bit needs a TCP GSO'],
    ['gso_size without GSO', { gsoSize: 1400 }, 60, 'without GSO'],
    ['TSO with gso_size 0', { ...TSO4, gsoSize: 0 }, 64_000, 'gso_size 0'],
    ['TSO with gso_size 0xffff', { ...TSO4, gsoSize: 0xffff }, 64_000, 'gso_size 65535'],
    ['TSO without NEEDS_CSUM', { ...TSO4, flags: 0 }, 64_000, 'without NEEDS_CSUM'],
    ['TSO with a UDP checksum offset', { ...TSO4, csumOffset: 6 }, 64_000, 'not the TCP checksum field'],
    ['TSO with hdr_len inside the TCP header', { ...TSO4, hdrLen: 30 }, 64_000, 'ends inside the TCP header'],
    ['UFO', { ...TSO4, gsoType: 3, csumOffset: 6 }, 64_000, 'not negotiated'],
    ['UDP GSO', { ...TSO4, gsoType: 5, csumOffset: 6 }, 64_000, 'not negotiated'],
  ])('refuses %s', (_name, raw, length, message) => {
    expect(validateVirtioNetHeader(header(raw), length)).toContain(message);
  });

  it('sizes batches so one super-packet always fits', () => {
    expect(MIN_BATCH_BYTES).toBeGreaterThanOrEqual(4 + VIRTIO_NET_HDR_BYTES + 65_535);
  });
});
