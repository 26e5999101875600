/**
 * Measures each edge's latency (time to the first byte of its unauthenticated `/probe`) and picks
 * the primary and secondary: the fastest reachable ones for `lowest-latency`, the first reachable
 * ones in the admin's order for `ordered`. Issue #6 adds hysteresis and failover on top.
 */
import type { Edge, EdgeSelection } from '../../protocol/policy.js';
import type { EdgeChoice } from '../../core/plan.js';

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

export async function chooseEdges(edges: readonly Edge[], strategy: EdgeSelection['strategy'], probe: Probe = probeEdge): Promise<EdgeChoice | null> {
  const measured = await Promise.all(edges.map(async (edge) => ({ edge, latencyMs: await probe(edge) })));
  const reachable = measured.filter((m): m is { edge: Edge; latencyMs: number } => m.latencyMs !== null);
  const ranked = strategy === 'lowest-latency' ? [...reachable].sort((a, b) => a.latencyMs - b.latencyMs) : reachable;
  const [first, second] = ranked;
  if (!first) return null;
  return { primary: first.edge, secondary: second?.edge ?? null, latencyMs: first.latencyMs };
}
