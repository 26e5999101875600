/**
 * The Waygate device for the tunnel benchmark, in the client namespace: the service's own TUN
 * (offload, persistent off) and relay (host/tunnel/relay.ts) — the data path the service runs —
 * without the portal around it: the token comes on the command line, and the address, MTU and one
 * route for the server's network are set with `ip` (the service's route plan is tested elsewhere).
 *
 *   argv:   --url URL --token TOKEN --route CIDR
 *   stdout: {event:'ready', address, offload, tun} | {event:'ended', code, reason}
 *   stdin:  'close' closes the relay and the TUN and lets the process exit.
 */
import { execFile } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs, promisify } from 'node:util';
import { openTun } from '../../platform/tun.js';
import { openRelay, type TunnelCounters } from '../../host/tunnel/relay.js';

const run = promisify(execFile);
const emit = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);

const { values } = parseArgs({ options: { url: { type: 'string' }, token: { type: 'string' }, route: { type: 'string' } } });
if (values.url === undefined || values.token === undefined || values.route === undefined) throw new Error('relay-device-child needs --url, --token and --route.');

const tun = await openTun({ name: 'waygate0', offload: true });
const counters: TunnelCounters = { bytesUp: 0, bytesDown: 0, packetsDropped: 0 };
const relay = await openRelay({ url: values.url, token: values.token, tun, range: null, client: { version: 'bench', os: 'linux' }, counters });
await run('ip', ['address', 'add', relay.assign.address, 'dev', tun.name]);
await run('ip', ['link', 'set', 'dev', tun.name, 'mtu', String(relay.assign.mtu), 'up']);
await run('ip', ['route', 'add', values.route, 'via', relay.assign.gateway, 'dev', tun.name]);
tun.start((packets) => relay.send(packets));
void relay.ended.then((end) => emit({ event: 'ended', code: end.code, reason: end.reason }));
emit({ event: 'ready', address: relay.assign.address, offload: relay.assign.offload, tun: tun.name });

const commands = createInterface({ input: process.stdin });
commands.on('line', (line) => {
  if (line !== 'close') return;
  commands.close();
  process.stdin.destroy();
  relay.close();
  tun.close();
});
