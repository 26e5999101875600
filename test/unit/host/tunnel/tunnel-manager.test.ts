import { afterEach, describe, expect, it } from 'vitest';
import { cidrContains, parseCidr, parseIp } from '../../../../protocol/ip.js';
import type { TunnelView } from '../../../../protocol/localapi.js';
import type { TunnelAssign } from '../../../../protocol/tunnel.js';
import type { TunnelPlan } from '../../../../core/plan.js';
import { createFakeDeviceNetwork, type FakeDeviceNetworkPlatform } from '../../../../platform/device-network.fake.js';
import { createFakeTun, type FakeTun } from '../../../../platform/tun.fake.js';
import { RelayError, type Relay, type RelayEnd, type RelayOptions } from '../../../../host/tunnel/relay.js';
import { backoff, TunnelManager } from '../../../../host/tunnel/tunnel-manager.js';
import { ManualClock } from '../../../fakes/manual-clock.js';
import { silentLogger } from '../../../fakes/logger.js';

const EDGE = { id: 'eu-1', region: 'Frankfurt', proxyUrl: 'https://198.51.100.7:8443', tunnelUrl: 'wss://198.51.100.7:8443/tunnel/v1' };
const OTHER_EDGE = { id: 'eu-2', region: 'Paris', proxyUrl: 'https://198.51.100.9:8443', tunnelUrl: 'wss://198.51.100.9:8443/tunnel/v1' };

function target(change: Partial<TunnelPlan> = {}): TunnelPlan {
  return { mode: 'up', edge: EDGE, include: [], exclude: ['10.0.0.0/8'], failOpen: { enabled: false, afterSeconds: 0 }, range: '100.64.0.0/16', ...change };
}

function assign(address = '100.64.0.2/16'): TunnelAssign {
  return {
    v: 1,
    type: 'assign',
    address,
    gateway: '100.64.0.1',
    dns: ['100.64.0.53'],
    mtu: 1420,
    routes: { include: ['0.0.0.0/0'], exclude: [] },
    offload: null,
    maxBatchBytes: 4 * 1024 * 1024,
    keepaliveSeconds: 25,
    idleTimeoutSeconds: 300,
  };
}

/** A relay the test ends by hand; what the manager sent through it is kept. */
class FakeRelay implements Relay {
  readonly offload = false;
  readonly ended: Promise<RelayEnd>;
  readonly sent: Buffer[] = [];
  readonly tokens: string[] = [];
  closed = false;
  end: (end: RelayEnd) => void = () => undefined;

  constructor(
    readonly assign: TunnelAssign,
    readonly options: RelayOptions,
  ) {
    this.ended = new Promise((resolve) => (this.end = resolve));
  }

  send(packets: Buffer[]): void {
    this.sent.push(...packets);
  }

  renewToken(token: string): void {
    this.tokens.push(token);
  }

  close(): void {
    this.closed = true;
    this.end({ code: 1000, reason: 'closed', action: 'stop' });
  }
}

interface Harness {
  manager: TunnelManager;
  clock: ManualClock;
  tun: FakeTun;
  network: FakeDeviceNetworkPlatform;
  relays: FakeRelay[];
  views: (TunnelView | null)[];
  /** What the next connection attempts do: a relay (the default) or a refusal. */
  next: (RelayError | 'relay')[];
  refreshes: number;
  last(): TunnelView | null;
}

let harness: Harness | null = null;

afterEach(async () => {
  await harness?.manager.stop();
  harness = null;
});

/** Whether some route sends `ip` into the TUN. */
function routed(routes: readonly string[], ip: string): boolean {
  const address = parseIp(ip);
  return address !== null && routes.some((route) => {
    const cidr = parseCidr(route);
    return cidr.ok && cidrContains(cidr.cidr, address);
  });
}

/** Lets the manager's promise chains run (no real time passes). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

function start(options: { occupied?: string[]; tunFails?: Error } = {}): Harness {
  const clock = new ManualClock();
  const tun = createFakeTun({ name: 'waygate0', offload: false });
  const network = createFakeDeviceNetwork(options.occupied ?? []);
  const h: Harness = {
    clock,
    tun,
    network,
    relays: [],
    views: [],
    next: [],
    refreshes: 0,
    last: () => h.views.at(-1) ?? null,
    manager: new TunnelManager({
      network,
      openTun: () => (options.tunFails ? Promise.reject(options.tunFails) : Promise.resolve(tun.device)),
      openRelay: (relayOptions) => {
        const behaviour = h.next.shift() ?? 'relay';
        if (behaviour instanceof RelayError) return Promise.reject(behaviour);
        const relay = new FakeRelay(assign(), relayOptions);
        h.relays.push(relay);
        return Promise.resolve(relay);
      },
      stateDir: '/nonexistent/state',
      token: () => 'edge-token',
      refreshToken: () => {
        h.refreshes += 1;
        return Promise.resolve('fresh-token');
      },
      resolve: (host) => Promise.resolve(host === 'portal.example' ? ['203.0.113.5'] : []),
      bypassUrls: () => ['https://portal.example/'],
      client: { version: 'test', os: 'linux' },
      clock,
      random: () => 0.5,
      logger: silentLogger,
      onChange: (view) => h.views.push(view),
    }),
  };
  harness = h;
  return h;
}

describe('tunnel manager', () => {
  it('brings the tunnel up: routes around the edge, the portal and the excludes, DNS from the edge, packets to the relay', async () => {
    const h = start();
    h.manager.set(target());
    await settle();
    expect(h.last()).toMatchObject({ state: 'up', interface: 'waygate0', address: '100.64.0.2/16', edgeId: 'eu-1', dns: ['100.64.0.53'], ipv6: 'blocked' });
    const plan = h.network.applied;
    expect(plan).toMatchObject({ tunName: 'waygate0', address: '100.64.0.2/16', mtu: 1420, dns: { servers: ['100.64.0.53'], searchDomains: [] } });
    const routes = plan?.tunnelRoutes ?? [];
    expect(['1.1.1.1', '198.51.100.6', '203.0.113.4', '11.0.0.1'].every((ip) => routed(routes, ip))).toBe(true);
    // Neither the edge, the portal nor the excluded range is routed into the TUN.
    expect(['198.51.100.7', '203.0.113.5', '10.1.2.3'].some((ip) => routed(routes, ip))).toBe(false);
    expect(plan?.blockedRoutes).toEqual(['::/1', '8000::/1']);
    expect(h.relays[0]?.options).toMatchObject({ url: EDGE.tunnelUrl, token: 'edge-token', range: null });

    h.tun.inject([Buffer.from([0x45, 1, 2, 3])]);
    await settle();
    expect(h.relays[0]?.sent).toHaveLength(1);
  });

  it('fails closed while the edge is away: routes stay, packets are dropped and counted, and it reconnects by itself', async () => {
    const h = start();
    h.manager.set(target());
    await settle();
    h.next.push(new RelayError('connection refused', 'reconnect'));
    h.relays[0]?.end({ code: 4402, reason: 'edge shutting down', action: 'reconnect' });
    await settle();
    expect(h.last()).toMatchObject({ state: 'fail-closed', reason: expect.stringContaining('fails closed') });
    expect(h.network.withdrawn).toBe(false);
    h.tun.inject([Buffer.from([0x45, 9])]);
    await settle();

    h.clock.advance(backoff(1, () => 0.5)); // the first retry fails (queued refusal), the second succeeds
    await settle();
    h.clock.advance(backoff(2, () => 0.5));
    await settle();
    expect(h.last()).toMatchObject({ state: 'up', packetsDropped: 1 });
    expect(h.relays).toHaveLength(2);
  });

  it('fails open only after the profile\'s grace: routes and DNS withdrawn, and put back when the edge returns', async () => {
    const h = start();
    h.manager.set(target({ failOpen: { enabled: true, afterSeconds: 5 } }));
    await settle();
    h.next.push(...Array.from({ length: 20 }, () => new RelayError('no route to host', 'reconnect')));
    h.relays[0]?.end({ code: 1006, reason: 'reset', action: 'reconnect' });
    await settle();
    expect(h.last()?.state).toBe('reconnecting');
    expect(h.network.withdrawn).toBe(false);

    for (let waited = 0; waited < 5_000; waited += 250) {
      h.clock.advance(250);
      await settle();
    }
    expect(h.last()).toMatchObject({ state: 'fail-open', dns: [] });
    expect(h.network.withdrawn).toBe(true);

    h.next.length = 0;
    h.clock.advance(10_000);
    await settle();
    expect(h.last()?.state).toBe('up');
    expect(h.network.withdrawn).toBe(false);
  });

  it('blocks from the start when the first connection fails and the profile fails closed', async () => {
    const h = start();
    h.next.push(new RelayError('connection refused', 'reconnect'));
    h.manager.set(target());
    await settle();
    expect(h.last()?.state).toBe('fail-closed');
    expect(h.network.applied).toMatchObject({ address: '100.64.0.2/16', dns: null });
    expect(routed(h.network.applied?.tunnelRoutes ?? [], '8.8.8.8')).toBe(true);
  });

  it('asks the portal for a fresh token when the edge refuses ours', async () => {
    const h = start();
    h.next.push(new RelayError('HTTP 401', 'refresh-token'));
    h.manager.set(target());
    await settle();
    expect(h.refreshes).toBe(1);
    h.clock.advance(backoff(0, () => 0.5));
    await settle();
    expect(h.last()?.state).toBe('up');
  });

  it('hands renewed tokens to the running relay', async () => {
    const h = start();
    h.manager.set(target());
    await settle();
    h.manager.tokenRenewed('next-token');
    expect(h.relays[0]?.tokens).toEqual(['next-token']);
  });

  it('asks for the next free /16 when 100.64.0.0/16 is taken on this device', async () => {
    const h = start({ occupied: ['100.64.5.1/16'] });
    h.manager.set(target());
    await settle();
    expect(h.relays[0]?.options.range).toBe('100.65.0.0/16');
  });

  it('moves to another edge without tearing the TUN down', async () => {
    const h = start();
    h.manager.set(target());
    await settle();
    h.manager.set(target({ edge: OTHER_EDGE }));
    await settle();
    expect(h.relays[0]?.closed).toBe(true);
    expect(h.relays[1]?.options.url).toBe(OTHER_EDGE.tunnelUrl);
    expect(h.network.calls.map((call) => call.op)).not.toContain('remove');
    expect(h.last()).toMatchObject({ state: 'up', edgeId: 'eu-2' });
    expect(h.tun.isClosed).toBe(false);
  });

  it('tears everything down on stop, and a late re-plan does not bring it back', async () => {
    const h = start();
    h.manager.set(target());
    await settle();
    await h.manager.stop();
    expect(h.tun.isClosed).toBe(true);
    expect(h.network.applied).toBeNull();
    expect(h.last()).toBeNull();
    h.manager.set(target({ edge: OTHER_EDGE }));
    await settle();
    expect(h.relays).toHaveLength(1);
  });

  it('says the tunnel is unavailable, and why, when the TUN cannot be opened', async () => {
    const h = start({ tunFails: new Error('Could not open a TUN device: open /dev/net/tun failed (EACCES). Run as root or grant CAP_NET_ADMIN.') });
    h.manager.set(target());
    await settle();
    expect(h.last()).toMatchObject({ state: 'unavailable', reason: expect.stringContaining('CAP_NET_ADMIN') });
    expect(h.relays).toHaveLength(0);
  });

  it('lets edge selection avoid an edge that keeps refusing the tunnel, but not one that is merely unreachable', async () => {
    const h = start();
    h.next.push(new RelayError('HTTP 404', 'reconnect'), new RelayError('HTTP 404', 'reconnect'), new RelayError('HTTP 404', 'reconnect'));
    h.manager.set(target());
    await settle();
    for (let attempt = 0; attempt < 2; attempt += 1) {
      h.clock.advance(backoff(attempt, () => 0.5));
      await settle();
    }
    expect(h.manager.avoids(EDGE.id)).toBe(true);
    h.manager.networkChanged();
    expect(h.manager.avoids(EDGE.id)).toBe(false);

    const unreachable = () => new RelayError('Could not reach the edge: ECONNREFUSED', 'reconnect', false);
    h.next.push(unreachable(), unreachable(), unreachable());
    h.manager.set(target({ edge: OTHER_EDGE }));
    await settle();
    for (let attempt = 0; attempt < 4; attempt += 1) {
      h.clock.advance(10_000);
      await settle();
    }
    expect(h.manager.avoids(OTHER_EDGE.id)).toBe(false);
    expect(h.last()?.state).toBe('up');
  });

  it('backs off from 250 ms, doubling to 10 s, with jitter', () => {
    expect([0, 1, 2, 3, 10].map((attempt) => backoff(attempt, () => 0.5))).toEqual([250, 500, 1000, 2000, 10_000]);
    expect(backoff(0, () => 0)).toBe(200);
    expect(backoff(0, () => 1)).toBe(300);
  });
});
