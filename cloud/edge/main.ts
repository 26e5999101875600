/**
 * `waygate-edge`: the data plane. `serve` runs the authenticated forward proxy (and, with
 * `--tunnel`, the packet-tunnel endpoint) wired to a portal for keys and policy.
 */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { pino } from 'pino';
import { ZodError } from 'zod';
import { loadEdgeConfig } from './config.js';
import { startEdge } from './edge.js';

const logger = pino({ name: 'edge', level: process.env.WAYGATE_LOG_LEVEL ?? 'info', redact: ['*.token', '*.edgeKey', '*.authorization'] }, pino.destination(2));

interface ServeFlags {
  listen?: string;
  tlsListen?: string;
  tlsCert?: string;
  tlsKey?: string;
  metricsListen?: string;
  portalUrl?: string;
  edgeKeyFile?: string;
  stateDir?: string;
  accessLog?: string;
  ownCidrs?: string;
  hosts?: string;
  policyInterval?: string;
  clockTolerance?: string;
  connectionsPerDevice?: string;
  headTimeout?: string;
  tunnel?: boolean;
  tunnelPool?: string;
  tunnelInterface?: string;
  tunnelDns?: string;
  tunnelMtu?: string;
  tunnelOffload?: boolean;
}

const program = new Command('waygate-edge').description('Waygate edge: authenticated forward proxy and packet-tunnel endpoint.');

program
  .command('serve')
  .description('run the edge')
  .option('--listen <host:port>', 'plain-HTTP proxy listener ("" for none)', undefined)
  .option('--tls-listen <host:port>', 'TLS proxy listener')
  .option('--tls-cert <file>', 'PEM certificate chain for the TLS listener')
  .option('--tls-key <file>', 'PEM private key for the TLS listener')
  .option('--metrics-listen <host:port>', '/metrics and /healthz for operators ("" for none)')
  .option('--portal-url <url>', 'the portal this edge enforces (keys and policy)')
  .option('--edge-key-file <file>', 'file holding the portal\'s edge key (else WAYGATE_EDGE_KEY)')
  .option('--state-dir <dir>', 'where cached keys and policy live')
  .option('--access-log <file>', 'access log as JSON lines ("-" for standard output)')
  .option('--own-cidrs <list>', 'comma-separated networks of the edge, refused as destinations')
  .option('--hosts <file>', 'names to resolve before DNS, in /etc/hosts format (policy still applies)')
  .option('--policy-interval <seconds>', 'how often to pull the policy')
  .option('--clock-tolerance <seconds>', 'clock skew allowed on token times (default 30)')
  .option('--connections-per-device <n>', 'most client connections one device may hold')
  .option('--head-timeout <seconds>', 'how long a client may take to send a request head')
  .option('--tunnel', 'serve the packet tunnel at /tunnel/v1 (Linux, needs CAP_NET_ADMIN)')
  .option('--tunnel-pool <cidr>', 'addresses for devices (inside 100.64.0.0/10)')
  .option('--tunnel-interface <name>', 'name of the edge\'s TUN interface')
  .option('--tunnel-dns <list>', 'comma-separated DNS servers to give devices')
  .option('--tunnel-mtu <bytes>', 'MTU of the tunnel')
  .option('--no-tunnel-offload', 'plain packets only (no virtio-net offload)')
  .action(async (flags: ServeFlags) => {
    const edgeKey = flags.edgeKeyFile === undefined ? undefined : (await readFile(flags.edgeKeyFile, 'utf8')).trim();
    const config = loadEdgeConfig(process.env, {
      listen: flags.listen,
      tlsListen: flags.tlsListen,
      tlsCert: flags.tlsCert,
      tlsKey: flags.tlsKey,
      metricsListen: flags.metricsListen,
      portalUrl: flags.portalUrl,
      edgeKey,
      stateDir: flags.stateDir,
      accessLog: flags.accessLog,
      ownCidrs: flags.ownCidrs,
      hostsFile: flags.hosts,
      policyIntervalSeconds: flags.policyInterval,
      clockToleranceSeconds: flags.clockTolerance,
      connectionsPerDevice: flags.connectionsPerDevice,
      headTimeoutSeconds: flags.headTimeout,
      tunnel: flags.tunnel,
      tunnelPool: flags.tunnelPool,
      tunnelInterface: flags.tunnelInterface,
      tunnelDns: flags.tunnelDns,
      tunnelMtu: flags.tunnelMtu,
      tunnelOffload: flags.tunnelOffload,
    });
    const edge = await startEdge(config, logger);
    logger.info({ proxy: edge.proxyUrl, tlsProxy: edge.tlsProxyUrl, metrics: edge.metricsUrl, portal: config.portalUrl, tunnel: config.tunnel }, 'edge: listening');
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      logger.info('edge: draining connections');
      await edge.stop();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  // Say what went wrong in a line or two; the stack helps nobody who runs the command.
  const message = err instanceof ZodError ? err.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`).join('\n  ') : err instanceof Error ? err.message : String(err);
  console.error(`waygate-edge: ${message}`);
  process.exit(1);
});
