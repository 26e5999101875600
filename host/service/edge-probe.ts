/**
 * Measures one edge's latency: time to the first byte of its unauthenticated `/probe`, or null when
 * it does not answer in time. EdgeMonitor (edge-monitor.ts) probes with it and core/edge-selection.ts
 * decides.
 */
import type { Edge } from '../../protocol/policy.js';

const PROBE_TIMEOUT_MS = 3_000;

export type Probe = (edge: Edge) => Promise<number | null>;

export const probeEdge: Probe = async (edge) => {
  const started = performance.now();
  try {
    const res = await fetch(new URL('/probe', edge.proxyUrl), { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const elapsed = performance.now() - started;
    await res.body?.cancel();
    return res.ok ? elapsed : null;
  } catch {
    return null;
  }
};
