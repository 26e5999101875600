/**
 * The packet tunnel end to end through real kernels, in three throwaway network namespaces:
 *
 *   client ns ── veth 198.18.1.0/30 ── edge ns ── veth 198.18.2.0/30 ── server ns
 *   device child: TUN + test client      edge child: TUN (offload) + endpoint + NAT
 *
 * The device routes the server's network through its TUN; the edge relays to its TUN and NATs to
 * its server-facing address. Ping, TCP and UDP from the client namespace must reach the server,
 * which must see the edge's address, and come back. 198.18.0.0/15 (RFC 2544 benchmarking) keeps
 * the test clear of any real network; the root namespace is never touched.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKey, type TestKey } from '../../unit/cloud/edge/auth/edge-keys.js';
import { createNetns, deleteAllNetns, inNetns, NetnsChild, netnsBlocker, run } from '../../support/netns.js';

const blocker = netnsBlocker(['ip', 'ping', 'nft']);

const ISSUER = 'https://portal.netns.test';
const CLIENT_IP = '198.18.1.1';
const EDGE_CLIENT_SIDE = '198.18.1.2';
const EDGE_SERVER_SIDE = '198.18.2.1';
const SERVER_IP = '198.18.2.2';
const SERVER_NET = '198.18.2.0/24';
const TCP_PORT = 7001;
const UDP_PORT = 7002;

/**
 * The server: a TCP and a UDP echo that put the address they saw the client at in front of the echo,
 * so the test can check the NAT.
 */
const SERVER_SCRIPT = `
const net = require('node:net');
const dgram = require('node:dgram');
const tcp = net.createServer((socket) => {
  socket.write(socket.remoteAddress + '\\n');
  socket.pipe(socket);
});
const udp = dgram.createSocket('udp4');
udp.on('message', (message, from) => udp.send(Buffer.concat([Buffer.from(from.address + '\\n'), message]), from.port, from.address));
tcp.listen(${TCP_PORT}, '${SERVER_IP}', () => udp.bind(${UDP_PORT}, '${SERVER_IP}', () => console.log('ready')));
`;

/** The client's TCP and UDP: send a payload, print what came back as JSON. */
const CLIENT_SCRIPT = `
const net = require('node:net');
const dgram = require('node:dgram');
const payload = Buffer.alloc(200000, 'waygate-');
const tcp = () => new Promise((resolve, reject) => {
  const chunks = [];
  const socket = net.connect(${TCP_PORT}, '${SERVER_IP}', () => socket.end(payload));
  socket.on('data', (chunk) => chunks.push(chunk));
  socket.on('end', () => {
    const all = Buffer.concat(chunks);
    const newline = all.indexOf(10);
    resolve({ seen: all.subarray(0, newline).toString(), echoed: all.subarray(newline + 1).equals(payload) });
  });
  socket.on('error', reject);
  socket.setTimeout(15000, () => reject(new Error('tcp timeout')));
});
const udp = () => new Promise((resolve, reject) => {
  const socket = dgram.createSocket('udp4');
  const timer = setTimeout(() => reject(new Error('udp timeout')), 15000);
  socket.on('message', (message) => {
    clearTimeout(timer);
    socket.close();
    const newline = message.indexOf(10);
    resolve({ seen: message.subarray(0, newline).toString(), echoed: message.subarray(newline + 1).toString() === 'hello over udp' });
  });
  socket.send('hello over udp', ${UDP_PORT}, '${SERVER_IP}');
});
Promise.all([tcp(), udp()]).then(([t, u]) => console.log(JSON.stringify({ tcp: t, udp: u })), (err) => { console.error(err); process.exit(1); });
`;

let key: TestKey;
let client = '';
let edge = '';
let server = '';
let serverProcess: ChildProcessWithoutNullStreams | undefined;
const children: NetnsChild[] = [];

function token(device: string): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({ org: 'org-1', user: `${device}@example.test`, groups: [] })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setSubject(device)
    .setAudience('waygate-edge')
    .setIssuedAt(iat)
    .setExpirationTime(iat + 600)
    .sign(key.privateKey);
}

async function startServer(): Promise<void> {
  serverProcess = spawn('ip', ['netns', 'exec', server, process.execPath, '-e', SERVER_SCRIPT]);
  const lines = createInterface({ input: serverProcess.stdout });
  await new Promise<void>((resolve, reject) => {
    lines.once('line', () => resolve());
    serverProcess?.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
  });
}

async function startEdge(): Promise<{ child: NetnsChild; port: number }> {
  const child = new NetnsChild(edge, 'tunnel-edge-child.ts', ['--listen', EDGE_CLIENT_SIDE, '--jwk', JSON.stringify(key.jwk), '--issuer', ISSUER, '--allow', SERVER_NET, '--offload']);
  children.push(child);
  const listening = await child.next('listening');
  expect(listening).toMatchObject({ offload: true, firewall: 'nftables' });
  return { child, port: Number(listening.port) };
}

async function startDevice(port: number, device: string, offload: boolean): Promise<NetnsChild> {
  const args = ['--url', `ws://${EDGE_CLIENT_SIDE}:${port}/tunnel/v1`, '--token', await token(device), '--route', SERVER_NET];
  const child = new NetnsChild(client, 'tunnel-device-child.ts', offload ? [...args, '--offload'] : args);
  children.push(child);
  return child;
}

describe.skipIf(blocker !== null)('packet tunnel through real TUNs and NAT (root, throwaway network namespaces)', () => {
  beforeAll(async () => {
    key = await makeKey();
    [client, edge, server] = [await createNetns(), await createNetns(), await createNetns()];
    await run(['ip', '-n', client, 'link', 'add', 'wgc0', 'type', 'veth', 'peer', 'name', 'wge0', 'netns', edge]);
    await run(['ip', '-n', edge, 'link', 'add', 'wge1', 'type', 'veth', 'peer', 'name', 'wgs0', 'netns', server]);
    for (const [netns, dev, address] of [
      [client, 'wgc0', `${CLIENT_IP}/30`],
      [edge, 'wge0', `${EDGE_CLIENT_SIDE}/30`],
      [edge, 'wge1', `${EDGE_SERVER_SIDE}/30`],
      [server, 'wgs0', `${SERVER_IP}/30`],
    ] as const) {
      await run(['ip', '-n', netns, 'address', 'add', address, 'dev', dev]);
      await run(['ip', '-n', netns, 'link', 'set', dev, 'up']);
    }
    await startServer();
  });

  afterAll(async () => {
    for (const child of children) child.kill();
    serverProcess?.kill('SIGKILL');
    await deleteAllNetns();
  });

  it.each([
    ['an offload device (virtio headers end to end)', true],
    ['a plain device (the edge converts)', false],
  ])('carries ping, TCP and UDP from %s to the server, NATed to the edge’s address', async (_name, offload) => {
    const { child: edgeChild, port } = await startEdge();
    const device = await startDevice(port, offload ? 'dev-offload' : 'dev-plain', offload);
    const ready = await device.next('ready');
    expect(ready).toMatchObject({ address: '100.64.0.2/16', offload: offload ? 'virtio-net-v1' : null });

    const ping = await inNetns(client, ['ping', '-c', '3', '-i', '0.2', '-W', '5', SERVER_IP]);
    expect(ping).toMatch(/3 received/);

    const result = JSON.parse(await inNetns(client, [process.execPath, '-e', CLIENT_SCRIPT])) as {
      tcp: { seen: string; echoed: boolean };
      udp: { seen: string; echoed: boolean };
    };
    expect(result).toEqual({ tcp: { seen: EDGE_SERVER_SIDE, echoed: true }, udp: { seen: EDGE_SERVER_SIDE, echoed: true } });

    edgeChild.send('sessions');
    const sessions = (await edgeChild.next('sessions')).sessions as { packetsUp: number; packetsDown: number }[];
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.packetsUp).toBeGreaterThan(5);
    expect(sessions[0]?.packetsDown).toBeGreaterThan(5);

    edgeChild.send('stop');
    expect(await device.next('closed')).toMatchObject({ code: 4402 });
    await edgeChild.next('stopped');
    expect(await edgeChild.exited).toBe(0);
    device.send('close');
    expect(await device.exited).toBe(0);
  });
});
