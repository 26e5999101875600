/**
 * A small edge for the root network-namespace test (`ip netns exec EDGE node --import tsx ...`):
 * a real TUN, the edge network around it (platform/netconfig.ts: address, forwarding, NAT), and the
 * packet-tunnel endpoint listening on the client-facing address. JSON lines like tun-echo-child.ts.
 *
 *   argv:   `--listen ADDRESS`; `--jwk JSON` (the portal's public key); `--issuer URL`;
 *           `--allow CIDR` (the server's network: private and reserved ranges need an explicit rule);
 *           `--offload` for a TUN with IFF_VNET_HDR; `--tls-cert FILE --tls-key FILE` (PEM) to listen
 *           with TLS (wss://) instead of plain HTTP (ws://).
 *   stdout: {event:'listening', port, tun, offload, firewall, tls} | {event:'session', ...} | {event:'stopped'}
 *   stdin:  'sessions' reports the open sessions; 'stop' shuts the endpoint down, removes the edge
 *           network, closes the TUN and lets the process exit.
 */
import { createPublicKey } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { verifyEdgeToken } from '../../cloud/edge/auth/verify-token.js';
import { createEdgeMetrics } from '../../cloud/edge/metrics.js';
import { attachTunnelEndpoint } from '../../cloud/edge/tunnel/endpoint.js';
import { applyEdgeNetwork } from '../../platform/netconfig.js';
import { openTun } from '../../platform/tun.js';

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

const { values } = parseArgs({
  options: {
    listen: { type: 'string' },
    jwk: { type: 'string' },
    issuer: { type: 'string' },
    allow: { type: 'string' },
    offload: { type: 'boolean', default: false },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
  },
});
if (values.listen === undefined || values.jwk === undefined || values.issuer === undefined || values.allow === undefined) {
  throw new Error('tunnel-edge-child needs --listen, --jwk, --issuer and --allow.');
}
const tlsCert = values['tls-cert'];
const tlsKey = values['tls-key'];
if ((tlsCert === undefined) !== (tlsKey === undefined)) throw new Error('tunnel-edge-child needs --tls-cert and --tls-key together.');
const { issuer, allow } = values;
const jwk = JSON.parse(values.jwk) as { kid: string; x: string };
const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
const MTU = 1420;

const tun = await openTun({ offload: values.offload });
const network = await applyEdgeNetwork({ tunName: tun.name, address: '100.64.0.1/10', poolCidr: '100.64.0.0/10', mtu: MTU });
const server = tlsCert !== undefined && tlsKey !== undefined ? createTlsServer({ cert: readFileSync(tlsCert), key: readFileSync(tlsKey) }) : createServer();
const endpoint = attachTunnelEndpoint(server, {
  verify: (token) => verifyEdgeToken(token, { keyFor: (kid) => Promise.resolve(kid === jwk.kid ? publicKey : undefined) }, { issuer, now: Date.now() }),
  rules: () => ({
    access: { defaultAction: 'allow', rules: [{ id: 'lab', action: 'allow', users: [], groups: [], domains: [], cidrs: [allow], ports: [] }] },
    edgeOwnCidrs: [],
  }),
  tun,
  mtu: MTU,
  metrics: createEdgeMetrics({ processMetrics: false }),
  logger: { info: (fields, message) => emit({ event: 'log', message, ...fields }), warn: (fields, message) => emit({ event: 'log', message, ...fields }) },
});
server.listen(0, values.listen);
await once(server, 'listening');
const { port } = server.address() as AddressInfo;
emit({ event: 'listening', port, tun: tun.name, offload: tun.offload, firewall: network.firewall, tls: tlsCert !== undefined });

const commands = createInterface({ input: process.stdin });
commands.on('line', (line) => {
  if (line === 'sessions') emit({ event: 'sessions', sessions: endpoint.sessions() });
  if (line !== 'stop') return;
  commands.close();
  process.stdin.destroy();
  void (async () => {
    await endpoint.shutdown();
    server.close();
    await network.remove();
    tun.close();
    emit({ event: 'stopped' });
  })();
});
