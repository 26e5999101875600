/**
 * WireGuard in userspace: Debian's wireguard-go at both ends (this kernel has no WireGuard module),
 * keys from `wg genkey`, configured with `wg set`. Tunnel addresses 198.18.10.0/24, MTU 1420 (its default).
 *
 * wireguard-go's control sockets live in /var/run/wireguard/NAME.sock whatever the namespace, so
 * the interface names carry this process's PID to stay apart from any other WireGuard here.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inNetns, run } from '../../test/support/netns.js';
import { spawnInNetns, type BenchProcess } from './processes.js';
import { EDGE_CLIENT_SIDE, SERVER_NET } from './topology.js';
import type { Variant } from './variant.js';

const execFileAsync = promisify(execFile);
const PORT = 51820;
const SOCKET_DIR = '/var/run/wireguard';

async function wg(args: readonly string[], input?: string): Promise<string> {
  const child = execFileAsync('wg', args, { encoding: 'utf8' });
  if (input !== undefined) child.child.stdin?.end(input);
  return (await child).stdout.trim();
}

async function keyPair(): Promise<{ privateKey: string; publicKey: string }> {
  const privateKey = await wg(['genkey']);
  return { privateKey, publicKey: await wg(['pubkey'], privateKey) };
}

async function waitForSocket(name: string, proc: BenchProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!existsSync(join(SOCKET_DIR, `${name}.sock`))) {
    if (Date.now() > deadline) throw new Error(`wireguard-go did not open ${SOCKET_DIR}/${name}.sock within 10 s. Its output:\n${proc.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const wireguardGo: Variant = {
  name: 'wireguard-go',
  async start({ client, edge }, dir) {
    const names = { client: `wbc${process.pid}`, edge: `wbe${process.pid}` };
    const keys = { client: await keyPair(), edge: await keyPair() };
    const started: BenchProcess[] = [];
    const stop = async () => {
      await Promise.all(started.map((proc) => proc.stop()));
      // A killed wireguard-go leaves its socket behind; these two names are ours.
      await Promise.all(Object.values(names).map((name) => rm(join(SOCKET_DIR, `${name}.sock`), { force: true })));
    };
    try {
      for (const [side, netns] of [['client', client], ['edge', edge]] as const) {
        const proc = spawnInNetns(`wireguard-go ${side}`, netns, ['wireguard-go', '-f', names[side]], { env: { LOG_LEVEL: 'error' } });
        started.push(proc);
        await waitForSocket(names[side], proc);
        await writeFile(join(dir, `wg-${side}.key`), `${keys[side].privateKey}\n`, { mode: 0o600 });
      }
      await inNetns(edge, ['wg', 'set', names.edge, 'private-key', join(dir, 'wg-edge.key'), 'listen-port', String(PORT), 'peer', keys.client.publicKey, 'allowed-ips', '198.18.10.2/32']);
      await inNetns(client, ['wg', 'set', names.client, 'private-key', join(dir, 'wg-client.key'), 'peer', keys.edge.publicKey, 'allowed-ips', `198.18.10.0/24,${SERVER_NET}`, 'endpoint', `${EDGE_CLIENT_SIDE}:${PORT}`]);
      for (const [netns, name, address] of [[edge, names.edge, '198.18.10.1/24'], [client, names.client, '198.18.10.2/24']] as const) {
        await run(['ip', '-n', netns, 'address', 'add', address, 'dev', name]);
        await run(['ip', '-n', netns, 'link', 'set', name, 'up']);
      }
      await run(['ip', '-n', client, 'route', 'add', SERVER_NET, 'dev', names.client]);
      const mtu = /mtu (\d+)/.exec(await run(['ip', '-n', client, 'link', 'show', names.client]))?.[1] ?? '?';
      const version = (await execFileAsync('wireguard-go', ['--version'], { encoding: 'utf8' })).stdout.split('\n')[0]?.trim() ?? '';
      return {
        processes: started.map((proc) => ({ role: proc.name, pid: proc.pid })),
        notes: [`${version}, MTU ${mtu}, ChaCha20-Poly1305`],
        stop,
      };
    } catch (error) {
      await stop();
      throw error;
    }
  },
};
