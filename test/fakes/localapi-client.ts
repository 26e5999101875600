import { WaygateError } from '../../protocol/errors.js';
import type { Pong, Status, UnaryReply, UnaryRequest, UnaryRouteName, VersionInfo, WatchEvent } from '../../protocol/localapi.js';
import type { WatchHandle } from '../../host/client/localapi-client.js';
import { initialStatus } from '../../host/service/initial-status.js';

export const STATUS: Status = {
  ...initialStatus('user', new Date('2026-01-01T00:00:00.000Z')),
  state: 'running',
  version: '9.9.9',
  pid: 1,
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

  /** The routes the bridge relays; only the read-only ones are played here. */
  request<R extends UnaryRouteName>(route: R, body?: UnaryRequest<R>): Promise<UnaryReply<R>> {
    const answer = (): Promise<unknown> => {
      switch (route) {
        case 'status':
          return this.status();
        case 'version':
          return this.version();
        case 'ping':
          return this.ping(body !== undefined && body !== null && typeof body === 'object' && 'data' in body && typeof body.data === 'string' ? body.data : undefined);
        default:
          return Promise.reject(new WaygateError('UNKNOWN_METHOD', `the fake does not play ${route}`));
      }
    };
    return answer() as Promise<UnaryReply<R>>;
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
