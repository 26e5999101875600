/**
 * Runs inside a test's network namespace: opens a TUN, applies the edge network around it
 * (platform/netconfig.ts) and reports in JSON lines, like tun-echo-child.ts.
 *
 *   argv:   `--name NAME` for the TUN; `--address`, `--pool`, `--mtu` for applyEdgeNetwork.
 *   stdout: {event:'applied', firewall} | {event:'removed'}
 *   stdin:  'remove' undoes the edge network, closes the TUN and lets the process exit.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { applyEdgeNetwork } from '../../platform/netconfig.js';
import { openTun } from '../../platform/tun.js';

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

const { values } = parseArgs({
  options: { name: { type: 'string' }, address: { type: 'string' }, pool: { type: 'string' }, mtu: { type: 'string' } },
});

const tun = await openTun({ name: values.name, offload: false });
const network = await applyEdgeNetwork({
  tunName: tun.name,
  address: values.address ?? '100.64.0.1/10',
  poolCidr: values.pool ?? '100.64.0.0/10',
  mtu: Number(values.mtu ?? '1400'),
});
emit({ event: 'applied', firewall: network.firewall });

const commands = createInterface({ input: process.stdin });
commands.on('line', (line) => {
  if (line !== 'remove') return;
  commands.close();
  process.stdin.destroy();
  void network.remove().then(() => {
    tun.close();
    emit({ event: 'removed' });
  });
});
