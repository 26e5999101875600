/**
 * Composition root of the Waygate service: builds the state store and the LocalAPI, and owns their
 * lifecycle. Start order: store → LocalAPI listening → state `running`. Stop order is the reverse, and
 * every watch stream is ended so clients see the service go away at once.
 */
import { chmod } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { LOCALAPI_VERSION, type ServiceMode, type VersionInfo } from '../../protocol/localapi.js';
import { peerCredentialsReader, type PeerCredentialsReader } from '../../platform/peercred.js';
import type { Logger } from '../log.js';
import { WAYGATE_VERSION } from '../version.js';
import { createLocalApi } from './localapi-server.js';
import { prepareSocketPath } from './socket-file.js';
import { StatusStore } from './status-store.js';

export interface ServiceOptions {
  socketPath: string;
  mode: ServiceMode;
  logger: Logger;
  operatorUids?: readonly number[];
  /** Injected in tests to play other local users; the kernel's answer otherwise. */
  peerCredentials?: PeerCredentialsReader;
}

export interface RunningService {
  socketPath: string;
  store: StatusStore;
  close(): Promise<void>;
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { socketPath, mode, logger } = options;
  const store = new StatusStore({
    v: LOCALAPI_VERSION,
    state: 'starting',
    mode,
    version: WAYGATE_VERSION,
    pid: process.pid,
    startedAt: new Date().toISOString(),
  });
  const api = createLocalApi({
    store,
    version: versionInfo(),
    access: { serviceUid: process.getuid?.() ?? null, operatorUids: options.operatorUids ?? [] },
    peerCredentials: options.peerCredentials ?? peerCredentialsReader(),
    logger,
  });

  // The system socket is open to every local user (the route table decides what each may do);
  // a user-mode socket is the user's alone.
  await prepareSocketPath(socketPath, mode === 'system' ? 0o755 : 0o700);
  await api.listen({ path: socketPath });
  if (process.platform !== 'win32') await chmod(socketPath, mode === 'system' ? 0o666 : 0o600);
  store.update({ state: 'running' });
  logger.info({ socket: socketPath, mode, version: WAYGATE_VERSION }, 'service: listening');

  return {
    socketPath,
    store,
    async close() {
      store.update({ state: 'stopping' });
      await api.close();
      logger.info({ socket: socketPath }, 'service: stopped');
    },
  };
}

function versionInfo(): VersionInfo {
  return {
    v: LOCALAPI_VERSION,
    version: WAYGATE_VERSION,
    localapi: LOCALAPI_VERSION,
    platform: platform(),
    arch: arch(),
    node: process.versions.node,
  };
}
