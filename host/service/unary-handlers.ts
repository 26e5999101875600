/**
 * What each request/reply route does, independent of how the call arrived (HTTP or the RPC channel).
 * Bodies are validated here, by their protocol schema.
 */
import { WaygateError } from '../../protocol/errors.js';
import { LOCALAPI_VERSION, PingRequest, type UnaryRouteName, type VersionInfo } from '../../protocol/localapi.js';
import type { StatusStore } from './status-store.js';

export type UnaryHandler = (body: unknown) => Promise<unknown>;

export function createUnaryHandlers(store: StatusStore, version: VersionInfo): Record<UnaryRouteName, UnaryHandler> {
  return {
    status: () => Promise.resolve(store.get()),
    version: () => Promise.resolve(version),
    ping: (body) => {
      const parsed = PingRequest.safeParse(body ?? {});
      if (!parsed.success) throw new WaygateError('BAD_REQUEST', `ping body: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return Promise.resolve({ v: LOCALAPI_VERSION, pong: true, ...parsed.data });
    },
  };
}
