/**
 * What each request/reply route does, independent of how the call arrived (HTTP or the RPC channel).
 * Bodies are validated here, by the route's protocol schema, before anything acts on them.
 */
import { WaygateError } from '../../protocol/errors.js';
import { LOCALAPI_VERSION, UNARY_SCHEMAS, type UnaryRouteName, type VersionInfo } from '../../protocol/localapi.js';
import type { Protection } from './protection.js';
import type { StatusStore } from './status-store.js';

export type UnaryHandler = (body: unknown) => Promise<unknown>;

function parseBody<R extends UnaryRouteName>(route: R, body: unknown) {
  // A GET, or a POST without a body, is an empty request.
  const parsed = UNARY_SCHEMAS[route].request.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WaygateError('BAD_REQUEST', `${route} body: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid'}`);
  }
  return parsed.data;
}

export function createUnaryHandlers(store: StatusStore, version: VersionInfo, protection: Protection): Record<UnaryRouteName, UnaryHandler> {
  return {
    status: () => Promise.resolve(store.get()),
    version: () => Promise.resolve(version),
    ping: (body) => Promise.resolve({ v: LOCALAPI_VERSION, pong: true, ...parseBody('ping', body) }),
    login: (body) => protection.startLogin(parseBody('login', body)),
    logout: (body) => protection.logout(parseBody('logout', body)),
    disable: (body) => protection.disable(parseBody('disable', body)),
    enable: (body) => {
      parseBody('enable', body);
      return protection.enable();
    },
    sync: (body) => {
      parseBody('sync', body);
      return protection.sync();
    },
    'browser-settings': (body) => {
      parseBody('browser-settings', body);
      return protection.browserSettings();
    },
    explain: (body) => protection.explain(parseBody('explain', body).url),
  };
}
