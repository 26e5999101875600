/**
 * The edge for `npm start`: on loopback where the demo policy points devices (127.0.0.1:8443),
 * wired to the local portal with an edge key generated on first run and kept 0600 under .waygate/.
 * The packet tunnel stays off here: it needs root and changes the machine's firewall.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { loadEdgeConfig } from '../cloud/edge/config.js';
import { startEdge, type RunningEdge } from '../cloud/edge/edge.js';

export async function demoEdgeKey(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const key = randomBytes(32).toString('base64url');
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${key}\n`, { mode: 0o600 });
    return key;
  }
}

export function startDemoEdge(stateDir: string, portalUrl: string, edgeKey: string, logger: Logger): Promise<RunningEdge> {
  const config = loadEdgeConfig(process.env, { portalUrl, edgeKey, stateDir, accessLog: join(stateDir, 'access.log'), policyIntervalSeconds: 2 });
  return startEdge(config, logger);
}
