/**
 * The whole system on loopback for one test file, as a device sees it: a portal (real clock) whose
 * policy points at a real `waygate-edge`, the edge resolving the test's made-up names through a
 * hosts file, a loopback origin behind those names, and — when asked — a `waygate service` with its
 * state in the test's temp dir.
 *
 *   origin.test  → the origin (allowed by a CIDR rule: the edge refuses loopback otherwise)
 *   blocked.test → the same origin, blocked by rule `no-blocked-test` (the edge's block page)
 */
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_POLICY, type AppProfile, type PolicyDocument } from '../../protocol/policy.js';
import { startEdgeProcess, type EdgeProcess } from './edge-process.js';
import { signIn, type BrowserSession } from './portal-sign-in.js';
import { startTestPortal, type TestPortal } from './portal.js';
import { stopProcess } from './waygate-process.js';

export const EDGE_KEY = 'edge-key-for-device-tests-0123456789abcdef';
export const ORIGIN_BODY = 'hello from origin.test';

export interface ProtectedSystemOptions {
  dir: string;
  /** Portal settings (e.g. edgeTokenTtlSeconds). */
  portal?: Record<string, unknown>;
  /** Changes to the test app profile (passwords, poll interval). */
  appProfile?: Partial<AppProfile>;
}

export interface ProtectedSystem {
  portal: TestPortal;
  admin: BrowserSession;
  edge: EdgeProcess;
  originPort: number;
  /** Paths the origin has served, in order. */
  originSeen: string[];
  policyVersion: number;
  /** Stops the portal (the device and edge carry on with what they cached); `close` knows. */
  stopPortal(): Promise<void>;
  /** Saves a new policy version built from the current one. */
  updatePolicy(change: (doc: PolicyDocument) => PolicyDocument): Promise<void>;
  close(): Promise<void>;
}

export async function startProtectedSystem({ dir, portal: portalOverrides = {}, appProfile = {} }: ProtectedSystemOptions): Promise<ProtectedSystem> {
  await mkdir(dir, { recursive: true });
  const originSeen: string[] = [];
  const origin: Server = createServer((req, res) => {
    originSeen.push(`${req.headers.host ?? ''}${req.url ?? ''}`);
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>origin</title><h1 id="origin">${ORIGIN_BODY}</h1>`);
  });
  origin.listen(0, '127.0.0.1');
  await once(origin, 'listening');
  const originPort = (origin.address() as AddressInfo).port;

  const hostsFile = join(dir, 'edge-hosts');
  await writeFile(hostsFile, '127.0.0.1 origin.test blocked.test\n');
  const portal = await startTestPortal({ edgeKey: EDGE_KEY, ...portalOverrides }, { liveClock: true });
  const edge = await startEdgeProcess({ portalUrl: portal.url, edgeKey: EDGE_KEY, stateDir: join(dir, 'edge'), args: ['--hosts', hostsFile, '--policy-interval', '0.5', '--clock-tolerance', '0'] });
  const admin = await signIn(portal, portal.admin);

  let current: PolicyDocument = DEFAULT_POLICY;
  let portalRunning = true;
  const system: ProtectedSystem = {
    portal,
    admin,
    edge,
    originPort,
    originSeen,
    policyVersion: 1,
    async updatePolicy(change) {
      const document = change(current);
      const res = await admin.json('PUT', '/api/v1/admin/policy', { document, comment: 'device test', baseVersion: system.policyVersion });
      if (res.status !== 200) throw new Error(`saving the policy: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      current = document;
      system.policyVersion += 1;
      await edgeEnforces(edge, system.policyVersion);
    },
    async stopPortal() {
      if (!portalRunning) return;
      portalRunning = false;
      await portal.close();
    },
    async close() {
      await stopProcess(edge.proc);
      origin.closeAllConnections();
      origin.close();
      await system.stopPortal();
    },
  };

  await system.updatePolicy((doc) => ({
    ...doc,
    appProfiles: doc.appProfiles.map((profile) => ({ ...profile, ...appProfile })),
    edges: [{ id: 'test-edge', region: 'loopback', proxyUrl: edge.proxyUrl, tunnelUrl: `${edge.proxyUrl.replace(/^http/, 'ws')}/tunnel/v1` }],
    forwardingProfiles: doc.forwardingProfiles.map((profile) => ({ ...profile, edgeSelection: { ...profile.edgeSelection, edges: ['test-edge'] } })),
    access: {
      defaultAction: 'allow',
      rules: [
        { id: 'no-blocked-test', action: 'block', description: 'Blocked for the test', users: [], groups: [], domains: ['blocked.test'], cidrs: [], ports: [] },
        // The origin lives on loopback: only an allow rule naming a CIDR lets the edge reach it.
        { id: 'test-origin', action: 'allow', users: [], groups: [], domains: [], cidrs: ['127.0.0.1/32'], ports: [{ from: originPort, to: originPort }] },
      ],
    },
  }));
  return system;
}

/** Resolves once the edge enforces `version` (its /healthz says so). */
export async function edgeEnforces(edge: EdgeProcess, version: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = (await (await fetch(`${edge.metricsUrl}/healthz`)).json().catch(() => ({}))) as { policyVersion?: number };
    if (health.policyVersion === version) return;
    if (Date.now() > deadline) throw new Error(`the edge did not pick up policy version ${version} in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
