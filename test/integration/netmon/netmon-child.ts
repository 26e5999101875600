/**
 * Runs inside a test's network namespace: Netmon with the real Linux source, reporting in JSON lines
 * like test/support/edge-network-child.ts.
 *
 *   stdout: {event:'change', cause, snapshot, at} for every change Netmon reports (`at`: Date.now());
 *           {event:'ready', pid} once started; {event:'stopped'} after 'stop'.
 *   stdin:  'stop' stops Netmon, which must leave nothing running, so the process then exits by itself.
 */
import { createInterface } from 'node:readline';
import { Netmon } from '../../../host/netmon/netmon.js';
import { LinuxNetmonSource } from '../../../host/netmon/source.linux.js';
import { systemClock } from '../../../host/service/clock.js';

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

const source = new LinuxNetmonSource({ onWarning: (message) => process.stderr.write(`${message}\n`) });
const netmon = new Netmon({
  source,
  clock: systemClock,
  onChange: (snapshot, cause) => emit({ event: 'change', cause, snapshot, at: Date.now() }),
});
await netmon.start();
emit({ event: 'ready', pid: process.pid });

const commands = createInterface({ input: process.stdin });
commands.on('line', (line) => {
  if (line !== 'stop') return;
  netmon.stop();
  commands.close();
  process.stdin.destroy();
  emit({ event: 'stopped' });
});
