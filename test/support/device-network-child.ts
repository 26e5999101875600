/**
 * Runs the Linux device network (platform/device-network.linux.ts) inside a test's network namespace,
 * one command at a time, in JSON lines like edge-network-child.ts.
 *
 *   argv:   `--state-dir DIR` for the leftovers record; `--netns NAME`, the namespace it runs in.
 *   stdout: {event:'ready'}, then one {event:'reply', op, ok:true, result} or {event:'reply', op, ok:false, message} per command.
 *   stdin:  {op:'apply', plan} | {op:'withdraw'} | {op:'remove'} | {op:'leftovers'} | {op:'occupied', tun} | {op:'exit'}
 *
 * It refuses to start unless /etc/resolv.conf is the namespace's own file that `ip netns exec`
 * bind-mounts from /etc/netns/NAME/resolv.conf: the real one must never be touched.
 */
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { TunnelNetworkPlan } from '../../platform/device-network.js';
import { LinuxDeviceNetworkBackend, RESOLV_CONF } from '../../platform/device-network.linux.js';
import { platformFor } from '../../platform/device-network-session.js';

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

const { values } = parseArgs({ options: { 'state-dir': { type: 'string' }, netns: { type: 'string' } } });
const stateDir = values['state-dir'] ?? '';
const netns = values.netns ?? '';

const [seen, namespaceFile] = await Promise.all([stat(RESOLV_CONF), stat(`/etc/netns/${netns}/resolv.conf`)]);
if (seen.dev !== namespaceFile.dev || seen.ino !== namespaceFile.ino) {
  process.stderr.write(`${RESOLV_CONF} is not /etc/netns/${netns}/resolv.conf: refusing to change the real one.\n`);
  process.exit(1);
}

// resolv-conf only: systemd-resolved, if any, belongs to the host and would be told about the wrong links.
const platform = platformFor(new LinuxDeviceNetworkBackend({ dns: 'resolv-conf' }));
const network = platform.open(stateDir);

type Command = { op: 'apply'; plan: TunnelNetworkPlan } | { op: 'withdraw' | 'remove' | 'leftovers' | 'exit' } | { op: 'occupied'; tun: string };

async function perform(command: Command): Promise<unknown> {
  switch (command.op) {
    case 'apply':
      return network.apply(command.plan);
    case 'withdraw':
      return network.withdraw();
    case 'remove':
      return network.remove();
    case 'leftovers':
      return platform.removeLeftovers(stateDir);
    case 'occupied':
      return platform.occupiedNetworks(command.tun);
    case 'exit':
      process.exit(0);
  }
}

let queue = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as Command;
  queue = queue.then(() =>
    perform(command).then(
      (result) => emit({ event: 'reply', op: command.op, ok: true, result: result ?? null }),
      (error: unknown) => emit({ event: 'reply', op: command.op, ok: false, message: error instanceof Error ? error.message : String(error) }),
    ),
  );
});
emit({ event: 'ready' });
