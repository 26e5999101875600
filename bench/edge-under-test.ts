/**
 * The edge the edge-proxy benchmark measures: the real `waygate-edge` bundle in its own process,
 * wired to a real portal (in the bench process, idle during the runs but for the edge's 304 policy
 * polls), with a device enrolled through the device API and its edge token. The policy allows the
 * bench origin on 127.0.0.1 by an explicit CIDR rule (which is what lifts the SSRF guard there);
 * the access log is on, written to a file in the edge's temp state dir.
 *
 * `EDGE_CPU_PROF=DIR` runs the edge under `node --cpu-prof` and writes its profile to DIR on stop.
 */
import { join } from 'node:path';
import { DEFAULT_POLICY, type PolicyDocument } from '../protocol/policy.js';
import { EdgeTokenResponse } from '../protocol/portal.js';
import { buildEdgeBundle } from '../scripts/build-edge.js';
import { startEdgeProcess } from '../test/support/edge-process.js';
import { deviceCall, enrollDevice } from '../test/support/portal-device.js';
import { startTestPortal } from '../test/support/portal.js';
import { stopProcess, tempDir } from '../test/support/waygate-process.js';

export interface EdgeUnderTest {
  /** Listens on 127.0.0.1. */
  port: number;
  /** A valid edge token for `Proxy-Authorization: Bearer`. */
  token: string;
  /** The process doing the proxying, for CPU accounting. */
  pid?: number;
  stop(): Promise<void>;
}

const EDGE_KEY = 'bench-edge-key-0123456789abcdef0123456789';

const POLICY: PolicyDocument = {
  ...DEFAULT_POLICY,
  access: { defaultAction: 'block', rules: [{ id: 'bench-origin', action: 'allow', users: [], groups: [], domains: [], cidrs: ['127.0.0.1/32'], ports: [] }] },
};

export async function startEdgeUnderTest(): Promise<EdgeUnderTest> {
  await buildEdgeBundle();
  const tmp = await tempDir('bench-edge');
  const portal = await startTestPortal({ edgeKey: EDGE_KEY });
  const stopAll: (() => Promise<unknown>)[] = [() => portal.close(), () => tmp.cleanup()];
  try {
    await portal.ctx.store.addPolicyVersion({ orgId: portal.ctx.org.id, document: POLICY, createdAt: portal.clock.now, createdBy: portal.admin.user.id, comment: 'bench' });
    const device = await enrollDevice(portal);
    const issued = await deviceCall(portal, device.device_credential, 'POST', 'edge-token');
    const token = EdgeTokenResponse.parse(issued.json).token;
    const profileDir = process.env.EDGE_CPU_PROF;
    const edge = await startEdgeProcess({
      portalUrl: portal.url,
      edgeKey: EDGE_KEY,
      stateDir: join(tmp.dir, 'edge'),
      env: profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {},
    });
    stopAll.unshift(() => stopProcess(edge.proc));
    await waitReady(`${edge.metricsUrl}/healthz`);
    return {
      port: Number(new URL(edge.proxyUrl).port),
      token,
      ...(edge.proc.child.pid === undefined ? {} : { pid: edge.proc.child.pid }),
      stop: async () => {
        for (const step of stopAll) await step();
      },
    };
  } catch (err) {
    for (const step of stopAll) await step();
    throw err;
  }
}

/** The edge is ready once it holds the portal's keys and policy. */
async function waitReady(url: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await fetch(url).catch(() => null))?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the edge did not become ready: ${url}`);
}
