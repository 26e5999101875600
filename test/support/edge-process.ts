/**
 * The built `waygate-edge` as a child process on loopback, wired to a test portal: ephemeral ports
 * (read back from its "listening" log line), its own state dir and access-log file.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EDGE_BUNDLE } from '../../scripts/build-edge.js';
import { spawnBundle, waitForLog, type WaygateProcess } from './waygate-process.js';

export interface EdgeProcess {
  proc: WaygateProcess;
  proxyUrl: string;
  tlsProxyUrl: string | null;
  metricsUrl: string;
  accessLogFile: string;
  /** The access-log lines written so far, parsed. */
  accessLog(): Promise<Record<string, unknown>[]>;
}

export interface EdgeProcessOptions {
  portalUrl: string;
  edgeKey: string;
  stateDir: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

export async function startEdgeProcess(options: EdgeProcessOptions): Promise<EdgeProcess> {
  const accessLogFile = join(options.stateDir, 'access.log');
  const proc = spawnBundle(
    EDGE_BUNDLE,
    ['serve', '--listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0', '--portal-url', options.portalUrl, '--state-dir', options.stateDir, '--access-log', accessLogFile, ...(options.args ?? [])],
    { WAYGATE_EDGE_KEY: options.edgeKey, ...options.env },
  );
  await waitForLog(proc, '"msg":"edge: listening"');
  const line = proc
    .stderr()
    .split('\n')
    .find((text) => text.includes('"msg":"edge: listening"'));
  const listening = JSON.parse(line ?? '{}') as { proxy: string; tlsProxy: string | null; metrics: string };
  return {
    proc,
    proxyUrl: listening.proxy,
    tlsProxyUrl: listening.tlsProxy,
    metricsUrl: listening.metrics,
    accessLogFile,
    async accessLog() {
      const text = await readFile(accessLogFile, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter((entry) => entry !== '')
        .map((entry) => JSON.parse(entry) as Record<string, unknown>);
    },
  };
}
