/**
 * A device in its own network namespace, for network-awareness tests: the Waygate service runs
 * inside the namespace (its interfaces, routes and resolv.conf are the test's to change), while the
 * portal, two edges, a café's captive portal and the office's TLS beacon run on the root
 * namespace's loopback and are reached from inside through ns-relay-child.ts ↔ ns-bridge.ts (Unix
 * sockets), so the root namespace's own network is never touched.
 *
 * Inside the namespace:
 *   lan0  192.168.50.10/24, default route via 192.168.50.1, DNS 192.168.50.1   (a home or café network)
 *   127.0.0.1:<portal port>  → the portal          127.0.0.1:9101 → edge "fast"
 *   127.0.0.1:9102 → edge "slow" (+40 ms relay)     127.0.0.1:9200 → the café's probe server
 *   0.0.0.0:8443   → the office beacon (answers on 10.77.0.1 once the test joins "the office")
 */
import { spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_POLICY, type PolicyDocument } from '../../protocol/policy.js';
import { HOST_BUNDLE } from '../../scripts/build-host.js';
import { bridgeToLoopback, type Bridge } from './ns-bridge.js';
import { startEdgeProcess, type EdgeProcess } from './edge-process.js';
import { createNetns, NetnsChild, run } from './netns.js';
import { signIn, type BrowserSession } from './portal-sign-in.js';
import { startTestPortal, type TestPortal } from './portal.js';
import { edgeEnforces, EDGE_KEY, ORIGIN_BODY } from './protected-system.js';
import { isolatedEnv, waitForLog, type WaygateProcess } from './waygate-process.js';

export const FAST_EDGE_PORT = 9101;
export const SLOW_EDGE_PORT = 9102;
export const CAFE_PORT = 9200;
export const BEACON_ADDRESS = '10.77.0.1:8443';
export const OFFICE_DNS = '10.77.0.53';

export interface NetnsDevice {
  netns: string;
  dir: string;
  portal: TestPortal;
  admin: BrowserSession;
  edges: { fast: EdgeProcess; slow: EdgeProcess };
  bridges: Record<'portal' | 'fast' | 'slow' | 'cafe' | 'beacon', Bridge>;
  originPort: number;
  cafe: { captive: boolean };
  beaconPin: string;
  /** The service's socket and the environment the CLI needs (both usable from the root namespace). */
  service: { proc: WaygateProcess; socket: string; env: NodeJS.ProcessEnv };
  startService(extraEnv?: NodeJS.ProcessEnv): Promise<void>;
  /** Starts the edge again (after a test killed it), reachable at the same address in the namespace. */
  restartEdge(which: 'fast' | 'slow'): Promise<void>;
  /** Moves the device onto the office network (office DNS server, address, beacon reachable), or back. */
  joinOffice(): Promise<void>;
  leaveOffice(): Promise<void>;
  /** Simulates moving to another Wi-Fi: the LAN address changes. */
  changeLan(address: string): Promise<void>;
  close(): Promise<void>;
}

function listen(server: Server | ReturnType<typeof createTlsServer>): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

export async function startNetnsDevice(dir: string, policy: (doc: PolicyDocument, pin: string) => PolicyDocument): Promise<NetnsDevice> {
  await mkdir(dir, { recursive: true });
  const netns = await createNetns();
  // A veth pair with both ends in the namespace stands in for a network card (this kernel has no dummy module).
  await run(['ip', '-n', netns, 'link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'lan0-peer']);
  await run(['ip', '-n', netns, 'link', 'set', 'lan0-peer', 'up']);
  await run(['ip', '-n', netns, 'link', 'set', 'lan0', 'up']);
  await run(['ip', '-n', netns, 'addr', 'add', '192.168.50.10/24', 'dev', 'lan0']);
  await run(['ip', '-n', netns, 'route', 'add', 'default', 'via', '192.168.50.1', 'dev', 'lan0']);
  const etcDir = join('/etc/netns', netns);
  await mkdir(etcDir, { recursive: true });
  await writeFile(join(etcDir, 'resolv.conf'), 'nameserver 192.168.50.1\n');

  // The office beacon: TLS with its own key; the policy pins that key.
  await run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=beacon.office.test',
    '-keyout', join(dir, 'beacon-key.pem'), '-out', join(dir, 'beacon-cert.pem')]);
  const [beaconKey, beaconCert] = await Promise.all([readFile(join(dir, 'beacon-key.pem')), readFile(join(dir, 'beacon-cert.pem'))]);
  const beaconPin = createHash('sha256').update(new X509Certificate(beaconCert).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
  // Like a real service, it keeps the connection until the client (the probe) closes it.
  const beacon = createTlsServer({ key: beaconKey, cert: beaconCert }, (socket) => {
    socket.on('error', () => undefined);
    socket.resume();
  });
  const beaconPort = await listen(beacon);

  // The café: its probe answers 302 to a login page while `captive`, 204 once the user "logged in".
  const cafe = { captive: false };
  const cafeServer = createHttpServer((req, res) => {
    if (req.url?.startsWith('/generate_204')) {
      if (cafe.captive) res.writeHead(302, { location: 'http://cafe.test/login' }).end();
      else res.writeHead(204).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Café Wi-Fi — log in</h1>');
  });
  const cafePort = await listen(cafeServer);

  const origin = createHttpServer((_req, res) => res.end(ORIGIN_BODY));
  const originPort = await listen(origin);
  const hostsFile = join(dir, 'edge-hosts');
  await writeFile(hostsFile, '127.0.0.1 origin.test\n');

  const portal = await startTestPortal({ edgeKey: EDGE_KEY }, { liveClock: true });
  const portalPort = Number(new URL(portal.url).port);
  const edgeArgs = ['--hosts', hostsFile, '--policy-interval', '0.5'];
  const [fast, slow] = await Promise.all([
    startEdgeProcess({ portalUrl: portal.url, edgeKey: EDGE_KEY, stateDir: join(dir, 'edge-fast'), args: edgeArgs }),
    startEdgeProcess({ portalUrl: portal.url, edgeKey: EDGE_KEY, stateDir: join(dir, 'edge-slow'), args: edgeArgs }),
  ]);
  const portOf = (edge: EdgeProcess) => Number(new URL(edge.proxyUrl).port);
  const bridges = {
    portal: await bridgeToLoopback(join(dir, 'portal.sock'), portalPort),
    fast: await bridgeToLoopback(join(dir, 'fast.sock'), portOf(fast)),
    slow: await bridgeToLoopback(join(dir, 'slow.sock'), portOf(slow)),
    cafe: await bridgeToLoopback(join(dir, 'cafe.sock'), cafePort),
    beacon: await bridgeToLoopback(join(dir, 'beacon.sock'), beaconPort),
  };
  const relay = new NetnsChild(netns, 'ns-relay-child.ts', [
    '--map', `127.0.0.1:${portalPort}=${bridges.portal.socketPath}`,
    '--map', `127.0.0.1:${FAST_EDGE_PORT}=${bridges.fast.socketPath}`,
    '--map', `127.0.0.1:${SLOW_EDGE_PORT}=${bridges.slow.socketPath}@40`,
    '--map', `127.0.0.1:${CAFE_PORT}=${bridges.cafe.socketPath}`,
    '--map', `0.0.0.0:8443=${bridges.beacon.socketPath}`,
  ]);
  await relay.next('listening');

  const admin = await signIn(portal, portal.admin);
  const document = policy(
    {
      ...DEFAULT_POLICY,
      edges: [
        { id: 'fast', region: 'near', proxyUrl: `http://127.0.0.1:${FAST_EDGE_PORT}`, tunnelUrl: `ws://127.0.0.1:${FAST_EDGE_PORT}/tunnel/v1` },
        { id: 'slow', region: 'far', proxyUrl: `http://127.0.0.1:${SLOW_EDGE_PORT}`, tunnelUrl: `ws://127.0.0.1:${SLOW_EDGE_PORT}/tunnel/v1` },
      ],
      access: { defaultAction: 'allow', rules: [{ id: 'origin', action: 'allow', users: [], groups: [], domains: [], cidrs: ['127.0.0.1/32'], ports: [{ from: originPort, to: originPort }] }] },
    },
    beaconPin,
  );
  const saved = await admin.json('PUT', '/api/v1/admin/policy', { document, comment: 'netns test', baseVersion: 1 });
  if (saved.status !== 200) throw new Error(`saving the policy: ${JSON.stringify(saved.body)}`);
  await Promise.all([edgeEnforces(fast, 2), edgeEnforces(slow, 2)]);

  const socket = join(dir, 'waygate.sock');
  const env = { ...isolatedEnv(join(dir, 'device')), WAYGATE_LOG_LEVEL: 'info' };
  const device: NetnsDevice = {
    netns,
    dir,
    portal,
    admin,
    edges: { fast, slow },
    bridges,
    originPort,
    cafe,
    beaconPin,
    service: { proc: undefined as unknown as WaygateProcess, socket, env },
    async startService(extraEnv = {}) {
      const child = spawn(
        'ip',
        ['netns', 'exec', netns, process.execPath, HOST_BUNDLE, 'service', '--socket', socket, '--portal-url', portal.url, '--system-proxy', 'off',
          '--captive-probe-url', `http://127.0.0.1:${CAFE_PORT}/generate_204`],
        { env: { ...process.env, ...env, ...extraEnv }, stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      device.service.proc = { child, stderr: () => stderr, exited };
      await waitForLog(device.service.proc, 'service: listening');
    },
    async restartEdge(which) {
      const edge = await startEdgeProcess({ portalUrl: portal.url, edgeKey: EDGE_KEY, stateDir: join(dir, `edge-${which}`), args: edgeArgs });
      await bridges[which].close();
      bridges[which] = await bridgeToLoopback(join(dir, `${which}.sock`), portOf(edge));
      device.edges[which] = edge;
      await edgeEnforces(edge, 2);
    },
    async joinOffice() {
      await writeFile(join(etcDir, 'resolv.conf'), `nameserver ${OFFICE_DNS}\nsearch office.test\n`);
      await run(['ip', '-n', netns, 'addr', 'add', '10.77.0.10/24', 'dev', 'lan0']);
      await run(['ip', '-n', netns, 'addr', 'add', '10.77.0.1/32', 'dev', 'lo']);
    },
    async leaveOffice() {
      await run(['ip', '-n', netns, 'addr', 'del', '10.77.0.1/32', 'dev', 'lo']);
      await run(['ip', '-n', netns, 'addr', 'del', '10.77.0.10/24', 'dev', 'lan0']);
      await writeFile(join(etcDir, 'resolv.conf'), 'nameserver 192.168.50.1\n');
    },
    async changeLan(address) {
      await run(['ip', '-n', netns, 'addr', 'flush', 'dev', 'lan0']);
      await run(['ip', '-n', netns, 'addr', 'add', address, 'dev', 'lan0']);
      await run(['ip', '-n', netns, 'route', 'replace', 'default', 'via', address.replace(/\.\d+\/\d+$/, '.1'), 'dev', 'lan0']);
    },
    async close() {
      device.service.proc?.child.kill('SIGTERM');
      await device.service.proc?.exited;
      relay.kill();
      await relay.exited;
      await Promise.all(Object.values(bridges).map((bridge) => bridge.close()));
      await Promise.all(Object.values(device.edges).map(async (edge) => {
        edge.proc.child.kill('SIGTERM');
        await edge.proc.exited;
      }));
      for (const server of [beacon, cafeServer, origin]) server.close();
      await portal.close();
      await rm(etcDir, { recursive: true, force: true });
    },
  };
  return device;
}
