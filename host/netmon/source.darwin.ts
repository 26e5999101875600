/**
 * The macOS network from ifconfig, netstat and scutil. macOS announces changes through the
 * SystemConfiguration framework, which Node cannot reach without a native module, so the source
 * raises an event every 5 s and Netmon drops the reads that find nothing new.
 */
import { execFileRunner, type CommandRunner } from '../proxy/system-proxy.js';
import { systemClock, type Clock } from '../service/clock.js';
import { parseIfconfig, parseNetstatRoutes, parseScutilDns } from './parse-darwin.js';
import type { NetmonSource } from './source.js';
import type { NetworkSnapshot } from './snapshot.js';

export const DARWIN_POLL_MS = 5_000;

export class DarwinNetmonSource implements NetmonSource {
  constructor(
    private readonly run: CommandRunner = execFileRunner,
    private readonly clock: Clock = systemClock,
  ) {}

  async read(): Promise<NetworkSnapshot> {
    const [ifconfig, inet, inet6, dns] = await Promise.all([
      this.output('/sbin/ifconfig', []),
      this.output('/usr/sbin/netstat', ['-rn', '-f', 'inet']),
      this.output('/usr/sbin/netstat', ['-rn', '-f', 'inet6']),
      this.output('/usr/sbin/scutil', ['--dns']),
    ]);
    return {
      interfaces: parseIfconfig(ifconfig),
      defaultRoutes: [...parseNetstatRoutes(inet, 4), ...parseNetstatRoutes(inet6, 6)],
      ...parseScutilDns(dns),
    };
  }

  watch(onEvent: () => void): () => void {
    let cancel = (): void => undefined;
    const tick = (): void => {
      cancel = this.clock.schedule(DARWIN_POLL_MS, tick);
      onEvent();
    };
    cancel = this.clock.schedule(DARWIN_POLL_MS, tick);
    return () => cancel();
  }

  private async output(file: string, args: string[]): Promise<string> {
    const result = await this.run(file, args);
    if (result.code !== 0) throw new Error(`\`${file} ${args.join(' ')}\` failed (${result.code}): ${result.stderr.trim()}`);
    return result.stdout;
  }
}
