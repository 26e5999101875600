/**
 * The whole system around the full-device tunnel, in three throwaway network namespaces:
 *
 *   client ns ── wgc0 198.18.1.1/30 ⇄ wge0 198.18.1.2/30 ── edge ns ── wge1 198.18.2.1/30 ⇄ wgs0 198.18.2.2/30 ── server ns
 *   the Waygate service (TUN waygate0)   the real waygate-edge --tunnel (TLS    iperf3, TCP/UDP echo, bulk
 *   default route via 198.18.1.2         on 198.18.1.2:8443, NAT), also the     transfer, dnsmasq on 198.18.2.2,
 *   resolv.conf: nameserver 198.18.1.2   client's plain router                  and 198.18.4.2 (excluded by policy)
 *
 * The portal runs on the root namespace's loopback and is reached from the client and edge
 * namespaces through ns-relay-child.ts ↔ ns-bridge.ts (Unix sockets), so the root namespace's own
 * network is never touched. The servers print the address they saw a client at: 198.18.2.1 (the
 * edge's NAT) means through the tunnel, 198.18.1.1 means direct. 198.18.0.0/15 (RFC 2544) keeps the
 * test clear of any real network.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Status } from '../../protocol/localapi.js';
import { DEFAULT_POLICY, type ForwardingProfile, type PolicyDocument } from '../../protocol/policy.js';
import { EDGE_BUNDLE } from '../../scripts/build-edge.js';
import { HOST_BUNDLE } from '../../scripts/build-host.js';
import { readStatus, loginWithApproval } from './device-service.js';
import { bridgeToLoopback, type Bridge } from './ns-bridge.js';
import { createNetns, inNetns, NetnsChild, run } from './netns.js';
import { signIn, type BrowserSession } from './portal-sign-in.js';
import { startTestPortal, type TestPortal } from './portal.js';
import { EDGE_KEY } from './protected-system.js';
import { isolatedEnv, waitForLog, type WaygateProcess } from './waygate-process.js';

export const CLIENT_IP = '198.18.1.1';
export const EDGE_IP = '198.18.1.2';
export const EDGE_SERVER_SIDE = '198.18.2.1';
export const SERVER_IP = '198.18.2.2';
/** On the server too, but the policy excludes it from the tunnel: reached direct through the client's router. */
export const EXCLUDED_IP = '198.18.4.2';
export const SERVER_NAME = 'server.tunnel.test';
export const ECHO_PORT = 7001;
export const UDP_PORT = 7002;
/** The server hashes what it receives here and answers with the SHA-256. */
export const SINK_PORT = 7003;
/** The server sends the AES-CTR keystream of `--bytes` here (the client can compute it too). */
export const SOURCE_PORT = 7004;
const EDGE_PORT = 8443;
const ORIGINAL_RESOLV = `nameserver ${EDGE_IP}\n`;

/** Servers in the server namespace; each prints the peer address it saw. */
const SERVER_SCRIPT = `
const net = require('node:net');
const dgram = require('node:dgram');
const crypto = require('node:crypto');
const total = Number(process.argv[1]);
net.createServer((s) => { s.write(s.remoteAddress.replace(/^::ffff:/, '') + '\\n'); s.pipe(s); }).listen(${ECHO_PORT});
const udp = dgram.createSocket('udp4');
udp.on('message', (m, from) => udp.send(Buffer.concat([Buffer.from(from.address + '\\n'), m]), from.port, from.address));
udp.bind(${UDP_PORT});
net.createServer((s) => {
  const hash = crypto.createHash('sha256'); let n = 0;
  s.on('data', (c) => { hash.update(c); n += c.length; });
  s.on('end', () => s.end(JSON.stringify({ bytes: n, sha256: hash.digest('hex') })));
}).listen(${SINK_PORT});
net.createServer((s) => {
  const cipher = crypto.createCipheriv('aes-256-ctr', Buffer.alloc(32, 7), Buffer.alloc(16, 1));
  const chunk = Buffer.alloc(1 << 20); let sent = 0;
  const more = () => { while (sent < total) { sent += chunk.length; if (!s.write(cipher.update(chunk))) return s.once('drain', more); } s.end(); };
  more();
}).listen(${SOURCE_PORT}, () => console.log('ready'));
`;

export interface TunnelSystem {
  readonly netns: { readonly client: string; readonly edge: string; readonly server: string };
  readonly portal: TestPortal;
  readonly admin: BrowserSession;
  readonly service: { proc: WaygateProcess; readonly socket: string; readonly env: NodeJS.ProcessEnv };
  /** Where the client namespace's resolv.conf really lives (`ip netns exec` bind-mounts it). */
  readonly resolvConf: string;
  readonly originalResolvConf: string;
  startService(): Promise<void>;
  /** Signs the service in through the device flow (the test user approves). */
  signIn(): Promise<void>;
  status(): Promise<Status>;
  startEdge(): Promise<void>;
  stopEdge(): Promise<void>;
  /** Runs a program in the client namespace; rejects with its stderr when it fails. */
  inClient(argv: readonly string[]): Promise<string>;
  close(): Promise<void>;
}

export interface TunnelSystemOptions {
  readonly dir: string;
  readonly profile?: Partial<ForwardingProfile>;
  /** Bytes the source server sends per connection. */
  readonly sourceBytes?: number;
}

export async function startTunnelSystem({ dir, profile = {}, sourceBytes = 1 << 20 }: TunnelSystemOptions): Promise<TunnelSystem> {
  await mkdir(dir, { recursive: true });
  const [client, edge, server] = [await createNetns(), await createNetns(), await createNetns()];
  await wire(client, edge, server);
  const etcDir = join('/etc/netns', client);
  await mkdir(etcDir, { recursive: true });
  const resolvConf = join(etcDir, 'resolv.conf');
  await writeFile(resolvConf, ORIGINAL_RESOLV);

  const children: ChildProcess[] = [];
  children.push(await startInNetns(server, [process.execPath, '-e', SERVER_SCRIPT, String(sourceBytes)], 'ready'));
  children.push(spawn('ip', ['netns', 'exec', server, 'iperf3', '-s', '-B', SERVER_IP], { stdio: 'ignore' }));
  children.push(
    spawn('ip', ['netns', 'exec', server, 'dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', `--listen-address=${SERVER_IP}`,
      '--bind-interfaces', `--address=/${SERVER_NAME}/${SERVER_IP}`, `--pid-file=${join(dir, 'dnsmasq.pid')}`, '--user=root'], { stdio: 'ignore' }),
  );

  // The edge's TLS certificate, for its address; the device trusts it through NODE_EXTRA_CA_CERTS.
  const cert = join(dir, 'edge-cert.pem');
  const key = join(dir, 'edge-key.pem');
  await run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=edge.tunnel.test',
    '-addext', `subjectAltName=IP:${EDGE_IP}`, '-keyout', key, '-out', cert]);

  const portal = await startTestPortal({ edgeKey: EDGE_KEY }, { liveClock: true });
  const portalPort = Number(new URL(portal.url).port);
  const bridges: Bridge[] = [await bridgeToLoopback(join(dir, 'portal-edge.sock'), portalPort), await bridgeToLoopback(join(dir, 'portal-client.sock'), portalPort)];
  const relays = [
    new NetnsChild(edge, 'ns-relay-child.ts', ['--map', `127.0.0.1:${portalPort}=${bridges[0]?.socketPath ?? ''}`]),
    new NetnsChild(client, 'ns-relay-child.ts', ['--map', `127.0.0.1:${portalPort}=${bridges[1]?.socketPath ?? ''}`]),
  ];
  await Promise.all(relays.map((relay) => relay.next('listening')));

  const admin = await signIn(portal, portal.admin);
  const document: PolicyDocument = {
    ...DEFAULT_POLICY,
    edges: [{ id: 'netns-edge', region: 'lab', proxyUrl: `https://${EDGE_IP}:${EDGE_PORT}`, tunnelUrl: `wss://${EDGE_IP}:${EDGE_PORT}/tunnel/v1` }],
    forwardingProfiles: DEFAULT_POLICY.forwardingProfiles.map((forwarding) => ({
      ...forwarding,
      actions: { ...forwarding.actions, 'off-trusted': { internet: 'tunnel', privateAccess: 'none' } },
      edgeSelection: { ...forwarding.edgeSelection, edges: ['netns-edge'] },
      captivePortal: { enabled: false, pauseMinutes: 5 },
      include: { domains: [], cidrs: [] },
      exclude: { domains: [], cidrs: ['198.18.4.0/24'] },
      ...profile,
    })),
    // 198.18.0.0/15 is reserved: only a rule naming it lets the edge reach the lab's servers.
    access: { defaultAction: 'allow', rules: [{ id: 'lab', action: 'allow', users: [], groups: [], domains: [], cidrs: ['198.18.2.0/24'], ports: [] }] },
  };
  const saved = await admin.json('PUT', '/api/v1/admin/policy', { document, comment: 'tunnel test', baseVersion: 1 });
  if (saved.status !== 200) throw new Error(`saving the policy: ${JSON.stringify(saved.body)}`);

  let edgeProc: WaygateProcess | null = null;
  let edgeStarts = 0;
  const socket = join(dir, 'waygate.sock');
  const env = { ...isolatedEnv(join(dir, 'device')), NODE_EXTRA_CA_CERTS: cert };
  const system: TunnelSystem = {
    netns: { client, edge, server },
    portal,
    admin,
    service: { proc: undefined as unknown as WaygateProcess, socket, env },
    resolvConf,
    originalResolvConf: ORIGINAL_RESOLV,
    async startService() {
      system.service.proc = spawnInNetns(client, [HOST_BUNDLE, 'service', '--socket', socket, '--portal-url', portal.url, '--system-proxy', 'off'], env);
      await waitForLog(system.service.proc, 'service: listening', 20_000);
    },
    async signIn() {
      const login = await loginWithApproval(system.service, portal.url, { email: 'user@example.test', password: portal.user.password });
      if (login.code !== 0) throw new Error(`waygate login failed: ${login.stderr}`);
    },
    status: () => readStatus(system.service),
    async startEdge() {
      const stateDir = join(dir, 'edge');
      const restart = edgeStarts > 0;
      edgeStarts += 1;
      edgeProc = spawnInNetns(edge, [EDGE_BUNDLE, 'serve', '--listen', '', '--tls-listen', `${EDGE_IP}:${EDGE_PORT}`, '--tls-cert', cert, '--tls-key', key,
        '--metrics-listen', '127.0.0.1:0', '--portal-url', portal.url, '--state-dir', stateDir, '--access-log', join(stateDir, 'access.log'),
        '--tunnel', '--tunnel-dns', SERVER_IP, '--tunnel-interface', 'wgedge0', '--policy-interval', '0.5'], { WAYGATE_EDGE_KEY: EDGE_KEY });
      // The first start waits for the test's policy; a restart enforces the one it cached at once.
      await waitForLog(edgeProc, restart ? 'edge: listening' : '"policyVersion":2', 20_000);
    },
    async stopEdge() {
      if (edgeProc === null) return;
      const proc = edgeProc;
      edgeProc = null;
      proc.child.kill('SIGTERM');
      await proc.exited;
    },
    inClient: (argv) => inNetns(client, argv),
    async close() {
      const stopped = system.service.proc ? await stopWithin(system.service.proc, 15_000) : true;
      await system.stopEdge();
      for (const relay of relays) relay.kill();
      await Promise.all(relays.map((relay) => relay.exited));
      for (const child of children) child.kill('SIGKILL');
      await Promise.all(bridges.map((bridge) => bridge.close()));
      await portal.close();
      await rm(etcDir, { recursive: true, force: true });
      if (!stopped) throw new Error(`The service did not stop within 15 s of SIGTERM. Its log:\n${system.service.proc.stderr().slice(-4000)}`);
    },
  };
  await system.startEdge();
  return system;
}

async function wire(client: string, edge: string, server: string): Promise<void> {
  await run(['ip', '-n', client, 'link', 'add', 'wgc0', 'type', 'veth', 'peer', 'name', 'wge0', 'netns', edge]);
  await run(['ip', '-n', edge, 'link', 'add', 'wge1', 'type', 'veth', 'peer', 'name', 'wgs0', 'netns', server]);
  for (const [netns, dev, address] of [
    [client, 'wgc0', `${CLIENT_IP}/30`],
    [edge, 'wge0', `${EDGE_IP}/30`],
    [edge, 'wge1', `${EDGE_SERVER_SIDE}/30`],
    [server, 'wgs0', `${SERVER_IP}/30`],
    [server, 'wgs0', `${EXCLUDED_IP}/24`],
  ] as const) {
    await run(['ip', '-n', netns, 'address', 'add', address, 'dev', dev]);
    await run(['ip', '-n', netns, 'link', 'set', dev, 'up']);
  }
  await run(['ip', '-n', client, 'route', 'add', 'default', 'via', EDGE_IP]);
  await run(['ip', '-n', server, 'route', 'add', 'default', 'via', EDGE_SERVER_SIDE]);
  await run(['ip', '-n', edge, 'route', 'add', '198.18.4.0/24', 'via', SERVER_IP]);
  // The edge namespace is also the client's plain router (for excluded traffic).
  await inNetns(edge, ['sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']);
}

/** SIGTERM, then SIGKILL if the process is still there after `ms`; false when it had to be killed. */
async function stopWithin(proc: WaygateProcess, ms: number): Promise<boolean> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return true;
  proc.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const exited = await Promise.race([proc.exited.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
  clearTimeout(timer);
  if (!exited) {
    proc.child.kill('SIGKILL');
    await proc.exited;
  }
  return exited;
}

function spawnInNetns(netns: string, args: readonly string[], env: NodeJS.ProcessEnv): WaygateProcess {
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, ...args], { env: { ...process.env, WAYGATE_LOG_LEVEL: 'info', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, stderr: () => stderr, exited };
}

async function startInNetns(netns: string, argv: readonly string[], readyLine: string): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', netns, ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => line === readyLine && resolve());
    child.once('exit', (code) => reject(new Error(`${argv.join(' ')} exited with ${code} before it was ready`)));
  });
  return child;
}

/** The client namespace's resolv.conf as programs there see it. */
export function readResolvConf(system: TunnelSystem): Promise<string> {
  return readFile(system.resolvConf, 'utf8');
}
