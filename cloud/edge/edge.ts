/**
 * The edge's composition root: picks every implementation and wires them, in this order —
 * key cache and policy source (from their disk caches, so a restarted edge enforces before it
 * reaches the portal), then the proxy listeners, the operators' listener, and last the packet
 * tunnel. `stop` undoes it in reverse: the tunnel first (its NAT rules must not outlive it), then the
 * listeners with a grace period for requests and tunnels in flight.
 *
 * Stateless by design: everything here can be rebuilt from the portal; the state dir only holds
 * caches that let the edge start while the portal is away.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createEdgeVerifier } from './auth/edge-verifier.js';
import { JwksCache } from './auth/jwks-cache.js';
import type { EdgeConfig, HostPort } from './config.js';
import { createAccessLogWriter, type AccessLogWriter } from './access-log-writer.js';
import { metricsHandler, proxyLocalHandler, type EdgeHealth } from './local-endpoints.js';
import { readHosts, withStaticHosts } from './hosts.js';
import { createEdgeMetrics, type EdgeMetrics } from './metrics.js';
import { ownNetworks } from './own-networks.js';
import type { DestinationRules } from './policy/decide-destination.js';
import { EdgePolicySource } from './policy/policy-source.js';
import { systemResolve } from './proxy/dial.js';
import { createForwardProxy, shutdownForwardProxy, type ProxyServer } from './proxy/server.js';
import { startPacketTunnel, type PacketTunnel } from './tunnel-wiring.js';

export interface RunningEdge {
  /** http://host:port of the plain proxy listener, if any. */
  readonly proxyUrl: string | null;
  /** https://host:port of the TLS proxy listener, if any. */
  readonly tlsProxyUrl: string | null;
  readonly metricsUrl: string | null;
  readonly metrics: EdgeMetrics;
  readonly policy: EdgePolicySource;
  health(): EdgeHealth;
  stop(): Promise<void>;
}

export async function startEdge(config: EdgeConfig, logger: Logger): Promise<RunningEdge> {
  // First, so a bad hosts file stops the edge before it touches its state dir or the portal.
  const resolve = config.hostsFile === undefined ? systemResolve : withStaticHosts(await readHosts(config.hostsFile), systemResolve);
  await mkdir(config.stateDir, { recursive: true, mode: 0o700 });
  const metrics = createEdgeMetrics();
  const onError = (err: Error) => logger.warn({ err: err.message }, 'edge: portal sync problem');

  const keys = await JwksCache.open({ portalUrl: config.portalUrl, cacheFile: join(config.stateDir, 'jwks.json'), onError });
  let tunnel: PacketTunnel | null = null;
  const policy = await EdgePolicySource.open({
    portalUrl: config.portalUrl,
    edgeKey: config.edgeKey,
    cacheFile: join(config.stateDir, 'policy.json'),
    intervalMs: config.policyIntervalSeconds * 1000,
    onError,
    onChange: (snapshot) => {
      logger.info({ policyVersion: snapshot.policy.policyVersion, rules: snapshot.policy.access.rules.length, revoked: snapshot.revoked.size }, 'edge: policy updated');
      tunnel?.policyChanged(snapshot);
    },
  });
  const edgeOwnCidrs = ownNetworks(config.ownCidrs);
  let rules: { etag: string; value: DestinationRules } | null = null;
  // One rules object per policy snapshot, so per-flow caches keyed on it stay valid until it changes.
  const currentRules = (): DestinationRules | null => {
    const snapshot = policy.current();
    if (snapshot === null) return null;
    if (rules?.etag !== snapshot.etag) rules = { etag: snapshot.etag, value: { access: snapshot.policy.access, edgeOwnCidrs } };
    return rules.value;
  };
  const verify = createEdgeVerifier({
    keys,
    issuer: config.portalUrl.replace(/\/+$/, ''),
    revoked: () => policy.current()?.revoked ?? null,
    clockToleranceSeconds: config.clockToleranceSeconds,
  });

  const health = (): EdgeHealth => {
    const snapshot = policy.current();
    const problems = [
      ...(snapshot === null ? [`no policy yet from ${config.portalUrl}`] : []),
      ...(keys.fetchedAt === null ? [`no signing keys yet from ${config.portalUrl}`] : []),
    ];
    return {
      ready: problems.length === 0,
      problems,
      policyVersion: snapshot?.policy.policyVersion ?? null,
      policyFetchedAt: snapshot === null ? null : new Date(snapshot.fetchedAt).toISOString(),
      keysFetchedAt: keys.fetchedAt === null ? null : new Date(keys.fetchedAt).toISOString(),
      tunnelSessions: tunnel?.sessionCount() ?? null,
    };
  };

  const accessLog: AccessLogWriter = createAccessLogWriter(config.accessLog);
  const proxyOptions = {
    verify,
    rules: currentRules,
    resolve,
    logger,
    accessLog: accessLog.write,
    metrics,
    limits: { connectionsPerDevice: config.connectionsPerDevice, headTimeoutMs: config.headTimeoutSeconds * 1000 },
    local: proxyLocalHandler(health),
  };
  const proxies: ProxyServer[] = [];
  const started: { stop(): Promise<void> }[] = [];
  try {
    keys.start();
    policy.start();
    let proxyUrl: string | null = null;
    let tlsProxyUrl: string | null = null;
    if (config.listen !== '') {
      const server = createForwardProxy(proxyOptions);
      proxies.push(server);
      proxyUrl = `http://${await listen(server, config.listen)}`;
    }
    if (config.tlsListen !== undefined && config.tlsCert !== undefined && config.tlsKey !== undefined) {
      const tls = { cert: await readFile(config.tlsCert), key: await readFile(config.tlsKey) };
      const server = createForwardProxy({ ...proxyOptions, tls });
      proxies.push(server);
      tlsProxyUrl = `https://${await listen(server, config.tlsListen)}`;
    }
    let metricsServer: Server | null = null;
    let metricsUrl: string | null = null;
    if (config.metricsListen !== '') {
      metricsServer = createServer(metricsHandler(metrics.registry, health));
      metricsUrl = `http://${await listen(metricsServer, config.metricsListen)}`;
    }
    if (config.tunnel) {
      tunnel = await startPacketTunnel({ config, servers: proxies, verify, rules: currentRules, metrics, logger });
      started.push(tunnel);
    }
    const stop = async () => {
      keys.stop();
      policy.stop();
      for (const part of started.reverse()) await part.stop();
      await Promise.all(proxies.map((server) => shutdownForwardProxy(server, config.shutdownGraceSeconds * 1000)));
      await new Promise<void>((resolve) => (metricsServer === null ? resolve() : metricsServer.close(() => resolve())));
      await accessLog.close();
    };
    return { proxyUrl, tlsProxyUrl, metricsUrl, metrics, policy, health, stop };
  } catch (err) {
    keys.stop();
    policy.stop();
    for (const part of started.reverse()) await part.stop();
    for (const server of proxies) server.close();
    await accessLog.close();
    throw err;
  }
}

async function listen(server: ProxyServer | Server, where: HostPort): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(where.port, where.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? (address satisfies AddressInfo).port : where.port;
  return where.host.includes(':') ? `[${where.host}]:${port}` : `${where.host}:${port}`;
}
