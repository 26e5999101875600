/**
 * The full-device tunnel end to end, as root in network namespaces the test creates
 * (test/support/tunnel-system.ts): the real `waygate service` signs in to a real portal and runs
 * its tunnel over wss to the real `waygate-edge --tunnel`, which NATs to a server namespace.
 * Ping, TCP (and iperf3), UDP and DNS must go through the edge; an excluded range goes direct;
 * 200 MB each way arrive byte-identical; a dead edge fails closed and recovers without a restart; a
 * SIGKILLed service leaves its TUN, routes and DNS behind (still blocking) and the next start
 * removes them; a clash with 100.64.0.0/16 moves the tunnel to 100.65.0.0/16.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../support/device-service.js';
import { deleteAllNetns, netnsBlocker, run } from '../../support/netns.js';
import {
  CLIENT_IP,
  ECHO_PORT,
  EDGE_SERVER_SIDE,
  EXCLUDED_IP,
  readResolvConf,
  SERVER_IP,
  SERVER_NAME,
  SINK_PORT,
  SOURCE_PORT,
  startTunnelSystem,
  UDP_PORT,
  type TunnelSystem,
} from '../../support/tunnel-system.js';
import { tempDir, waitForLog } from '../../support/waygate-process.js';

const blocker = netnsBlocker(['ip', 'ping', 'nft', 'iperf3', 'dnsmasq', 'openssl']);
const BULK_BYTES = 200 * 1024 * 1024;

/** What the echo servers saw the client as, over TCP and UDP. */
const ECHO_SCRIPT = `
const net = require('node:net');
const dgram = require('node:dgram');
const [host] = process.argv.slice(1);
const tcp = () => new Promise((resolve, reject) => {
  const chunks = [];
  const s = net.connect(${ECHO_PORT}, host, () => s.end('over tcp'));
  s.on('data', (c) => chunks.push(c));
  s.on('end', () => resolve(Buffer.concat(chunks).toString().split('\\n')[0]));
  s.on('error', reject);
  s.setTimeout(10000, () => reject(new Error('tcp timeout')));
});
const udp = () => new Promise((resolve, reject) => {
  const s = dgram.createSocket('udp4');
  const timer = setTimeout(() => reject(new Error('udp timeout')), 10000);
  s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(m.toString().split('\\n')[0]); });
  s.send('over udp', ${UDP_PORT}, host);
});
Promise.all([tcp(), udp()]).then(([t, u]) => console.log(JSON.stringify({ tcp: t, udp: u })), (e) => { console.error(e.message); process.exit(1); });
`;

/** 200 MB up (the server hashes it) and 200 MB down (the client hashes it), against the same AES-CTR keystream. */
const BULK_SCRIPT = `
const net = require('node:net');
const crypto = require('node:crypto');
const total = ${BULK_BYTES};
const keystream = () => crypto.createCipheriv('aes-256-ctr', Buffer.alloc(32, 7), Buffer.alloc(16, 1));
const expected = () => { const c = keystream(); const h = crypto.createHash('sha256'); const z = Buffer.alloc(1 << 20); for (let n = 0; n < total; n += z.length) h.update(c.update(z)); return h.digest('hex'); };
const up = () => new Promise((resolve, reject) => {
  const s = net.connect(${SINK_PORT}, '${SERVER_IP}');
  const c = keystream(); const z = Buffer.alloc(1 << 20); let sent = 0; let answer = '';
  const more = () => { while (sent < total) { sent += z.length; if (!s.write(c.update(z))) return s.once('drain', more); } s.end(); };
  s.on('connect', more);
  s.on('data', (d) => (answer += d));
  s.on('end', () => resolve(JSON.parse(answer)));
  s.on('error', reject);
});
const down = () => new Promise((resolve, reject) => {
  const s = net.connect(${SOURCE_PORT}, '${SERVER_IP}');
  const h = crypto.createHash('sha256'); let n = 0;
  s.on('data', (d) => { h.update(d); n += d.length; });
  s.on('end', () => resolve({ bytes: n, sha256: h.digest('hex') }));
  s.on('error', reject);
});
(async () => { const want = expected(); const u = await up(); const d = await down(); console.log(JSON.stringify({ want, up: u, down: d })); })().catch((e) => { console.error(e.message); process.exit(1); });
`;

describe.skipIf(blocker !== null)('full-device tunnel (root, throwaway network namespaces)', () => {
  let tmp: { dir: string; cleanup(): Promise<void> };
  let system: TunnelSystem;

  async function tunnelState(): Promise<string | undefined> {
    return (await system.status()).tunnel?.state;
  }

  async function echo(host: string): Promise<{ tcp: string; udp: string }> {
    return JSON.parse(await system.inClient([process.execPath, '-e', ECHO_SCRIPT, host])) as { tcp: string; udp: string };
  }

  async function clientRoutes(): Promise<string> {
    return (await run(['ip', '-n', system.netns.client, 'route', 'show'])) + (await run(['ip', '-n', system.netns.client, '-6', 'route', 'show', 'table', 'all']));
  }

  beforeAll(async () => {
    tmp = await tempDir('tunnel');
    system = await startTunnelSystem({ dir: tmp.dir, sourceBytes: BULK_BYTES });
    await system.startService();
    await system.signIn();
    await vi.waitFor(async () => expect(await tunnelState()).toBe('up'), { timeout: 30_000, interval: 200 });
  });

  afterAll(async () => {
    await system?.close();
    await deleteAllNetns();
    await tmp?.cleanup();
  });

  it('carries ping, TCP and UDP to the server through the edge, and shows the tunnel in status', async () => {
    expect(await system.inClient(['ping', '-c', '3', '-i', '0.2', '-W', '5', SERVER_IP])).toMatch(/3 received/);
    expect(await echo(SERVER_IP)).toEqual({ tcp: EDGE_SERVER_SIDE, udp: EDGE_SERVER_SIDE });

    const status = await system.status();
    expect(status.protection).toMatchObject({ state: 'protected', reason: expect.stringContaining('tunnel to edge netns-edge') });
    expect(status.tunnel).toMatchObject({ state: 'up', interface: 'waygate0', address: expect.stringMatching(/^100\.64\.\d+\.\d+\/16$/), edgeId: 'netns-edge', dns: [SERVER_IP], ipv6: 'blocked' });
    expect(status.browserProxy).toEqual({ mode: 'release' });
    expect((await runCli(system.service, ['status'])).stdout).toMatch(/tunnel:\s+up/);
  });

  it('sends the excluded range direct, around the tunnel', async () => {
    expect(await echo(EXCLUDED_IP)).toEqual({ tcp: CLIENT_IP, udp: CLIENT_IP });
  });

  it('resolves names with the edge’s DNS server, through the tunnel', async () => {
    expect(await readResolvConf(system)).toMatch(new RegExp(`^nameserver ${SERVER_IP.replaceAll('.', '\\.')}$`, 'm'));
    expect(await system.inClient(['getent', 'hosts', SERVER_NAME])).toContain(SERVER_IP);
  });

  it('blocks IPv6 while the tunnel is up instead of letting it leak around it', async () => {
    expect(await clientRoutes()).toMatch(/unreachable ::\/1/);
    expect(await clientRoutes()).toMatch(/unreachable 8000::\/1/);
  });

  it('runs iperf3 through the tunnel', async () => {
    const report = JSON.parse(await system.inClient(['iperf3', '-c', SERVER_IP, '-t', '2', '-J'])) as { end: { sum_received: { bits_per_second: number } } };
    expect(report.end.sum_received.bits_per_second).toBeGreaterThan(10_000_000);
  });

  it('moves 200 MB each way byte-identical (offload and checksums do not corrupt data)', async () => {
    const result = JSON.parse(await system.inClient([process.execPath, '-e', BULK_SCRIPT])) as {
      want: string;
      up: { bytes: number; sha256: string };
      down: { bytes: number; sha256: string };
    };
    expect(result.up).toEqual({ bytes: BULK_BYTES, sha256: result.want });
    expect(result.down).toEqual({ bytes: BULK_BYTES, sha256: result.want });
  });

  it('fails closed while the edge is gone — traffic dropped, and said — and recovers without a restart', async () => {
    await system.stopEdge();
    await expect.poll(tunnelState, { timeout: 15_000 }).toBe('fail-closed');
    const down = await system.status();
    expect(down.protection.state).toBe('fail-closed');
    await expect(system.inClient(['ping', '-c', '2', '-i', '0.2', '-W', '1', SERVER_IP])).rejects.toThrow(/failed/);
    expect((await system.status()).tunnel?.packetsDropped).toBeGreaterThan(0);

    await system.startEdge();
    await expect.poll(tunnelState, { timeout: 30_000 }).toBe('up');
    expect(await echo(SERVER_IP)).toEqual({ tcp: EDGE_SERVER_SIDE, udp: EDGE_SERVER_SIDE });
  });

  it('leaves TUN, routes and DNS blocking after SIGKILL; the next start removes them, and picks 100.65.0.0/16 when 100.64.0.0/16 is taken', async () => {
    system.service.proc.child.kill('SIGKILL');
    await system.service.proc.exited;
    // The persistent TUN and its routes outlive the process, still swallowing traffic: no leak.
    expect(await clientRoutes()).toMatch(/dev waygate0/);
    expect(await readResolvConf(system)).toContain(`nameserver ${SERVER_IP}`);
    await expect(system.inClient(['ping', '-c', '1', '-W', '1', SERVER_IP])).rejects.toThrow();

    await run(['ip', '-n', system.netns.client, 'address', 'add', '100.64.9.1/16', 'dev', 'wgc0']);
    await system.startService();
    await waitForLog(system.service.proc, 'tunnel: removed what a previous run left', 20_000);
    await expect.poll(tunnelState, { timeout: 30_000 }).toBe('up').catch((err: unknown) => {
      throw new Error(`${String(err)}\nservice log:\n${system.service.proc.stderr().slice(-6000)}`);
    });
    expect((await system.status()).tunnel?.address).toMatch(/^100\.65\.\d+\.\d+\/16$/);
    expect(await echo(SERVER_IP)).toEqual({ tcp: EDGE_SERVER_SIDE, udp: EDGE_SERVER_SIDE });

    // A clean stop gives everything back: no TUN, no routes of ours, the user's resolv.conf.
    system.service.proc.child.kill('SIGTERM');
    await system.service.proc.exited;
    const after = await clientRoutes();
    expect(after).not.toMatch(/waygate0|unreachable ::\/1/);
    await expect(run(['ip', '-n', system.netns.client, 'link', 'show', 'dev', 'waygate0'])).rejects.toThrow(/does not exist/);
    expect(await readResolvConf(system)).toBe(system.originalResolvConf);
    expect(await echo(SERVER_IP)).toEqual({ tcp: CLIENT_IP, udp: CLIENT_IP });
  }, 120_000);
});
