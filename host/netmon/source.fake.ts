/** A network source for tests: the snapshot is whatever the test sets, and events come when it says. */
import type { NetmonSource } from './source.js';
import type { NetworkSnapshot } from './snapshot.js';

export const EMPTY_SNAPSHOT: NetworkSnapshot = { interfaces: [], defaultRoutes: [], dnsServers: [], searchDomains: [] };

export class FakeNetmonSource implements NetmonSource {
  /** What the next read returns. */
  snapshot: NetworkSnapshot;
  /** How many times read() was called. */
  reads = 0;
  private failure: Error | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(snapshot: NetworkSnapshot = EMPTY_SNAPSHOT) {
    this.snapshot = snapshot;
  }

  read(): Promise<NetworkSnapshot> {
    this.reads += 1;
    const failure = this.failure;
    this.failure = null;
    return failure ? Promise.reject(failure) : Promise.resolve(structuredClone(this.snapshot));
  }

  watch(onEvent: () => void): () => void {
    const listener = (): void => onEvent();
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Raises an event to every watcher, as the OS does when something may have changed. */
  emit(): void {
    for (const listener of this.listeners) listener();
  }

  /** Makes the next read reject with `error`. */
  failNextRead(error: Error): void {
    this.failure = error;
  }

  get watching(): number {
    return this.listeners.size;
  }
}
