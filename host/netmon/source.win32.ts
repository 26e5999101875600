/**
 * The Windows network from PowerShell's NetTCPIP, NetAdapter and DnsClient cmdlets (parse-win32.ts).
 * Windows announces changes through NotifyIpInterfaceChange and friends, which Node cannot reach
 * without a native module, so the source raises an event every 5 s and Netmon drops reads that find
 * nothing new.
 */
import { execFileRunner, type CommandRunner } from '../proxy/system-proxy.js';
import { systemClock, type Clock } from '../service/clock.js';
import { parseWindowsSnapshot, WINDOWS_SNAPSHOT_SCRIPT } from './parse-win32.js';
import type { NetmonSource } from './source.js';
import type { NetworkSnapshot } from './snapshot.js';

export const WINDOWS_POLL_MS = 5_000;

export const POWERSHELL_ARGS = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', WINDOWS_SNAPSHOT_SCRIPT];

export class WindowsNetmonSource implements NetmonSource {
  constructor(
    private readonly run: CommandRunner = execFileRunner,
    private readonly clock: Clock = systemClock,
  ) {}

  async read(): Promise<NetworkSnapshot> {
    const result = await this.run('powershell.exe', POWERSHELL_ARGS);
    if (result.code !== 0) throw new Error(`PowerShell could not read the network (${result.code}): ${result.stderr.trim()}`);
    return parseWindowsSnapshot(result.stdout);
  }

  watch(onEvent: () => void): () => void {
    let cancel = (): void => undefined;
    const tick = (): void => {
      cancel = this.clock.schedule(WINDOWS_POLL_MS, tick);
      onEvent();
    };
    cancel = this.clock.schedule(WINDOWS_POLL_MS, tick);
    return () => cancel();
  }
}
