/**
 * Where snapshots of the device's network come from, and the signal that they may have changed.
 * One implementation per OS (`source.linux.ts`, `source.darwin.ts`, `source.win32.ts`) behind this
 * interface, picked only by `netmonSource`; `source.fake.ts` serves tests.
 *
 * A source's events are hints, not facts: one change may raise several, and a platform without
 * change notifications raises one on every poll. Netmon debounces them and compares snapshots.
 */
import type { NetworkSnapshot } from './snapshot.js';

export interface NetmonSource {
  /** The network as it is now; rejects when the OS could not be asked (Netmon retries on the next event). */
  read(): Promise<NetworkSnapshot>;
  /** Calls `onEvent` whenever the network may have changed until the returned stop function is called. */
  watch(onEvent: () => void): () => void;
}

/** The source for `platform` (normally `process.platform`); rejects on an OS Waygate does not run on. */
export async function netmonSource(platform: NodeJS.Platform): Promise<NetmonSource> {
  switch (platform) {
    case 'linux': {
      const { LinuxNetmonSource } = await import('./source.linux.js');
      return new LinuxNetmonSource();
    }
    case 'darwin': {
      const { DarwinNetmonSource } = await import('./source.darwin.js');
      return new DarwinNetmonSource();
    }
    case 'win32': {
      const { WindowsNetmonSource } = await import('./source.win32.js');
      return new WindowsNetmonSource();
    }
    default:
      throw new Error(`Network monitoring is not supported on ${platform}; Waygate runs on Linux, macOS and Windows.`);
  }
}
