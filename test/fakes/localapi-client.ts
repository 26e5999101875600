import { WaygateError } from '../../protocol/errors.js';
import type { Pong, Status, VersionInfo, WatchEvent } from '../../protocol/localapi.js';
import type { WatchHandle } from '../../host/client/localapi-client.js';

export const STATUS: Status = {
  v: 1,
  state: 'running',
  mode: 'user',
  version: '9.9.9',
  pid: 1,
  startedAt: '2026-01-01T00:00:00.000Z',
  revision: 1,
};

export const VERSION: VersionInfo = { v: 1, version: '9.9.9', localapi: 1, platform: 'linux', arch: 'x64', node: '20' };

/** A LocalAPI client whose service the test controls: up or down, with watch streams it can end. */
export class FakeLocalApiClient {
  up = true;
  watchers: { onEvent: (e: WatchEvent) => void; fail: (err: Error) => void }[] = [];

  status(): Promise<Status> {
    return this.up ? Promise.resolve(STATUS) : Promise.reject(this.down());
  }

  version(): Promise<VersionInfo> {
    return this.up ? Promise.resolve(VERSION) : Promise.reject(this.down());
  }

  ping(data?: string): Promise<Pong> {
    if (!this.up) return Promise.reject(this.down());
    return Promise.resolve(data === undefined ? { v: 1, pong: true } : { v: 1, pong: true, data });
  }

  watch(onEvent: (e: WatchEvent) => void): Promise<WatchHandle> {
    if (!this.up) return Promise.reject(this.down());
    let fail: (err: Error) => void = () => undefined;
    const done = new Promise<void>((_, reject) => (fail = reject));
    this.watchers.push({ onEvent, fail });
    onEvent({ v: 1, kind: 'snapshot', status: STATUS });
    return Promise.resolve({ done, close: () => fail(new Error('closed')) });
  }

  /** The service dies: every watch stream breaks, and calls fail until `up` is set again. */
  kill(): void {
    this.up = false;
    for (const w of this.watchers.splice(0)) w.fail(this.down());
  }

  private down(): WaygateError {
    return new WaygateError('SERVICE_UNAVAILABLE', 'The Waygate service is not reachable on /fake.sock (connect ECONNREFUSED).');
  }
}
