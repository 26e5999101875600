/**
 * The one owner of the service's observable state. Every change builds a new immutable Status with
 * the next revision and swaps it in one step; subscribers (the watch stream) get each new value.
 */
import type { Status } from '../../protocol/localapi.js';

export type StatusListener = (status: Status) => void;
export type StatusChange = Partial<Omit<Status, 'v' | 'revision'>>;

export class StatusStore {
  private current: Status;
  private readonly listeners = new Set<StatusListener>();

  constructor(initial: Omit<Status, 'revision'>) {
    this.current = Object.freeze({ ...initial, revision: 0 });
  }

  get(): Status {
    return this.current;
  }

  update(change: StatusChange): Status {
    this.current = Object.freeze({ ...this.current, ...change, revision: this.current.revision + 1 });
    for (const listener of this.listeners) listener(this.current);
    return this.current;
  }

  /** Calls `listener` with every future change; returns the function that unsubscribes. */
  subscribe(listener: StatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
