/**
 * The Waygate edge for the benchmark: test/support/tunnel-edge-child.ts in the edge namespace (a
 * real TUN with offload, the packet-tunnel endpoint, forwarding and NAT for its pool), listening on
 * the client-facing address with TLS or without, trusting a throwaway Ed25519 portal key.
 */
import { join } from 'node:path';
import { ISSUER, makeKey, signToken, type TestKey } from '../../test/unit/cloud/edge/auth/edge-keys.js';
import { nextEvent, tsNode } from './json-lines.js';
import { spawnInNetns, type BenchProcess } from './processes.js';
import { EDGE_CLIENT_SIDE, SERVER_NET } from './topology.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

export interface WaygateEdge {
  readonly proc: BenchProcess;
  /** `wss://198.18.1.2:PORT/tunnel/v1` (or ws://). */
  readonly url: string;
  readonly offload: boolean;
  /** The edge's TUN interface. */
  readonly tun: string;
  /** A fresh edge token for `device`, valid for an hour. */
  token(device: string): Promise<string>;
  /** The endpoint's session counters. */
  sessions(): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startWaygateEdge(edgeNetns: string, tls: { cert: string; key: string } | null): Promise<WaygateEdge> {
  const key: TestKey = await makeKey();
  const args = ['--listen', EDGE_CLIENT_SIDE, '--jwk', JSON.stringify(key.jwk), '--issuer', ISSUER, '--allow', SERVER_NET, '--offload'];
  if (tls !== null) args.push('--tls-cert', tls.cert, '--tls-key', tls.key);
  const proc = spawnInNetns('waygate edge', edgeNetns, [...tsNode(join(REPO_ROOT, 'test', 'support', 'tunnel-edge-child.ts')), ...args], { cwd: REPO_ROOT });
  try {
    const listening = await nextEvent(proc, 'listening');
    return {
      proc,
      url: `${tls === null ? 'ws' : 'wss'}://${EDGE_CLIENT_SIDE}:${String(listening.port)}/tunnel/v1`,
      offload: listening.offload === true,
      tun: String(listening.tun),
      token: (device) => signToken(key, { iat: Math.floor(Date.now() / 1000), ttl: 3600, claims: { user: `${device}@example.test` } }),
      async sessions() {
        proc.send('sessions');
        return (await nextEvent(proc, 'sessions', 5000)).sessions;
      },
      async stop() {
        proc.send('stop');
        await Promise.race([nextEvent(proc, 'stopped', 5000).then(() => proc.exited), proc.exited]).catch(() => undefined);
        await proc.stop();
      },
    };
  } catch (error) {
    await proc.stop();
    throw error;
  }
}
