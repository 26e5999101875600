/**
 * Composition root of the Waygate service: builds the state store, protection (enrollment, config
 * sync, the plan and its effects) and the LocalAPI, and owns their lifecycle.
 *
 * Start order: status store → PAC server → protection (crash leftovers restored, stored enrollment
 * and cached config resumed) → LocalAPI listening → state `running`. Stop order is the reverse:
 * the LocalAPI closes (every watch stream ends, so clients see the service go away at once), then
 * protection stops and gives the user's system proxy settings back.
 */
import { chmod, mkdir } from 'node:fs/promises';
import { arch, homedir, platform } from 'node:os';
import { LOCALAPI_VERSION, type ServiceMode, type VersionInfo } from '../../protocol/localapi.js';
import { peerCredentialsReader, type PeerCredentialsReader } from '../../platform/peercred.js';
import type { Logger } from '../log.js';
import { PacServer } from '../proxy/pac-server.js';
import { WAYGATE_VERSION } from '../version.js';
import { systemClock, type Clock } from './clock.js';
import { initialStatus } from './initial-status.js';
import { createLocalApi } from './localapi-server.js';
import { Protection } from './protection.js';
import { prepareSocketPath } from './socket-file.js';
import { defaultStateDir } from './state-dir.js';
import { stateFiles } from './state-files.js';
import { StatusStore } from './status-store.js';
import { systemProxyEffects, type SystemProxyChoice } from './system-proxy-choice.js';
import { probeEdge, type Probe } from './edge-probe.js';
import { deviceNetworkPlatform } from '../../platform/device-network.js';
import { openTun } from '../../platform/tun.js';
import { tunnelSupport } from '../tunnel/support.js';
import { TunnelManager } from '../tunnel/tunnel-manager.js';
import { startLocalProxy, type LocalProxy } from '../proxy/local-proxy.js';

/**
 * Where the device asks "is the internet there?": the well-known probe browsers and OSes use, which
 * answers 204 with no body unless a captive portal intercepts it.
 */
export const DEFAULT_CAPTIVE_PROBE_URL = 'http://connectivitycheck.gstatic.com/generate_204';

/**
 * The captive-portal probe from `--captive-probe-url`, else WAYGATE_CAPTIVE_PROBE_URL: a URL, or
 * `off`; the well-known probe when neither is set.
 */
export function captiveProbeSetting(flag: string | undefined, env: NodeJS.ProcessEnv): string | null {
  const value = flag ?? env.WAYGATE_CAPTIVE_PROBE_URL;
  if (value === 'off') return null;
  return value ?? DEFAULT_CAPTIVE_PROBE_URL;
}

/** Where apps and browsers find the local proxy (`local-proxy` action): the usual port for one. */
export const DEFAULT_LOCAL_PROXY_PORT = 3128;

/** The local demo portal of `npm start`; real deployments pass --portal-url or sign in with one. */
export const DEFAULT_PORTAL_URL = 'http://127.0.0.1:8400';

export interface ServiceOptions {
  socketPath: string;
  mode: ServiceMode;
  logger: Logger;
  operatorUids?: readonly number[];
  /** Where enrollment, config cache and intents live (default: state-dir.ts). */
  stateDir?: string;
  /** The portal `login` uses when the request names none. */
  portalUrl?: string;
  /** `auto`: set the desktop's proxy for other apps (user mode); `off`: never touch it. */
  systemProxy?: SystemProxyChoice;
  /** The captive-portal probe (expects HTTP 204); null turns detection off. */
  captiveProbeUrl?: string | null;
  /** An RFC 8908 CAPPORT API this network offers. */
  capportUrl?: string | null;
  clock?: Clock;
  probe?: Probe;
  /** The local proxy's port on 127.0.0.1 (another free one when taken); default DEFAULT_LOCAL_PROXY_PORT. */
  localProxyPort?: number;
  /** Injected in tests to play other local users; the kernel's answer otherwise. */
  peerCredentials?: PeerCredentialsReader;
}

export interface RunningService {
  socketPath: string;
  stateDir: string;
  store: StatusStore;
  close(): Promise<void>;
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { socketPath, mode, logger } = options;
  const stateDir = options.stateDir ?? defaultStateDir({ platform: process.platform, mode, env: process.env, home: homedir() });
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const files = stateFiles(stateDir);
  const store = new StatusStore(initialStatus(mode, new Date()));

  const pacServer = new PacServer();
  await pacServer.listen();
  const clock = options.clock ?? systemClock;
  const support = await tunnelSupport();
  // The manager and protection talk both ways; the manager only calls back once protection runs.
  let protection: Protection | null = null;
  const tunnel = support.available
    ? new TunnelManager({
        network: await deviceNetworkPlatform(),
        openTun,
        stateDir,
        token: () => protection?.edgeToken() ?? null,
        refreshToken: async () => (await protection?.refreshEdgeToken()) ?? null,
        bypassUrls: () => protection?.tunnelBypassUrls() ?? [],
        client: { version: WAYGATE_VERSION, os: 'linux' },
        clock,
        random: Math.random,
        logger,
        onChange: (view) => protection?.tunnelChanged(view),
      })
    : undefined;
  if (!support.available) logger.info({ reason: support.reason }, 'service: no full-device tunnel on this device');
  const localProxy = await openLocalProxy(options.localProxyPort ?? DEFAULT_LOCAL_PROXY_PORT, () => protection, logger);
  protection = new Protection({
    store,
    files,
    defaultPortalUrl: options.portalUrl ?? process.env.WAYGATE_PORTAL_URL ?? DEFAULT_PORTAL_URL,
    clock,
    random: Math.random,
    logger,
    pacServer,
    systemProxy: await systemProxyEffects(options.systemProxy ?? 'auto', mode, files.systemProxySaved, logger),
    probe: avoidingRefusedTunnels(options.probe ?? probeEdge, tunnel),
    captiveProbeUrl: options.captiveProbeUrl !== undefined ? options.captiveProbeUrl : captiveProbeSetting(undefined, process.env),
    capportUrl: options.capportUrl ?? null,
    // How often the edges in use are probed (default 1 s, so a dead edge is left within ~2 s);
    // slower on metered links, and the failover benchmark's baseline.
    ...(process.env.WAYGATE_EDGE_PROBE_MS ? { edgeProbeMs: Number(process.env.WAYGATE_EDGE_PROBE_MS) } : {}),
    ...(tunnel ? { tunnel } : {}),
    tunnelSupport: support,
    ...(localProxy ? { localProxy } : {}),
  });
  await protection.start();

  const api = createLocalApi({
    store,
    protection,
    version: versionInfo(),
    access: { serviceUid: process.getuid?.() ?? null, operatorUids: options.operatorUids ?? [] },
    peerCredentials: options.peerCredentials ?? peerCredentialsReader(),
    logger,
  });

  // The system socket is open to every local user (the route table decides what each may do);
  // a user-mode socket is the user's alone.
  try {
    await prepareSocketPath(socketPath, mode === 'system' ? 0o755 : 0o700);
    await api.listen({ path: socketPath });
  } catch (err) {
    await protection.stop();
    await pacServer.close();
    await localProxy?.close();
    throw err;
  }
  if (process.platform !== 'win32') await chmod(socketPath, mode === 'system' ? 0o666 : 0o600);
  store.update({ state: 'running' });
  logger.info({ socket: socketPath, mode, stateDir, version: WAYGATE_VERSION }, 'service: listening');

  return {
    socketPath,
    stateDir,
    store,
    async close() {
      store.update({ state: 'stopping' });
      await api.close();
      await protection.stop();
      await pacServer.close();
      await localProxy?.close();
      logger.info({ socket: socketPath }, 'service: stopped');
    },
  };
}

/** An edge whose tunnel keeps failing counts as not answering, so edge selection moves on from it. */
function avoidingRefusedTunnels(probe: Probe, tunnel: TunnelManager | undefined): Probe {
  if (!tunnel) return probe;
  return (edge) => (tunnel.avoids(edge.id) ? Promise.resolve(null) : probe(edge));
}

/**
 * The local proxy runs for the life of the service; what it does follows the plan (DIRECT unless
 * the action is local-proxy). A proxy that cannot start costs only that action, which then falls
 * back to the edge proxy.
 */
async function openLocalProxy(port: number, protection: () => Protection | null, logger: Logger): Promise<LocalProxy | undefined> {
  try {
    // It logs its own port, and says so when the configured one was taken.
    return await startLocalProxy({
      port,
      pac: () => protection()?.localProxyPac() ?? 'function FindProxyForURL() { return "DIRECT"; }',
      failOpen: () => protection()?.localProxyFailOpen() ?? true,
      token: () => protection()?.edgeToken() ?? null,
      logger,
    });
  } catch (err) {
    logger.error({ err }, 'service: the local proxy could not start; the local-proxy action falls back to the edge proxy');
    return undefined;
  }
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
