import { describe, expect, it } from 'vitest';
import { chooseEdges, type Probe } from '../../../../host/service/edge-probe.js';
import { EDGE_AP, EDGE_EU, EDGE_US } from '../../../fakes/portal-config.js';

/** A probe that answers each edge's latency from a table (null: unreachable). */
const probeFrom =
  (latencies: Record<string, number | null>): Probe =>
  (edge) =>
    Promise.resolve(latencies[edge.id] ?? null);

const ADMIN_ORDER = [EDGE_EU, EDGE_US, EDGE_AP];

describe('chooseEdges', () => {
  it('picks the fastest as primary and the next fastest as secondary for lowest-latency', async () => {
    const choice = await chooseEdges(ADMIN_ORDER, 'lowest-latency', probeFrom({ eu: 80, us: 120, ap: 15 }));
    expect(choice).toEqual({ primary: EDGE_AP, secondary: EDGE_EU, latencyMs: 15 });
  });

  it('keeps the admin’s order for ordered, whatever the latencies', async () => {
    const choice = await chooseEdges(ADMIN_ORDER, 'ordered', probeFrom({ eu: 80, us: 120, ap: 15 }));
    expect(choice).toEqual({ primary: EDGE_EU, secondary: EDGE_US, latencyMs: 80 });
  });

  it('skips unreachable edges', async () => {
    const probe = probeFrom({ eu: null, us: 120, ap: 200 });
    expect(await chooseEdges(ADMIN_ORDER, 'ordered', probe)).toEqual({ primary: EDGE_US, secondary: EDGE_AP, latencyMs: 120 });
    expect(await chooseEdges(ADMIN_ORDER, 'lowest-latency', probeFrom({ eu: 10, us: null, ap: null }))).toEqual({
      primary: EDGE_EU,
      secondary: null,
      latencyMs: 10,
    });
  });

  it('counts a zero latency as reachable', async () => {
    expect(await chooseEdges([EDGE_EU, EDGE_US], 'lowest-latency', probeFrom({ eu: 5, us: 0 }))).toEqual({ primary: EDGE_US, secondary: EDGE_EU, latencyMs: 0 });
  });

  it('chooses nothing when no edge is reachable', async () => {
    expect(await chooseEdges(ADMIN_ORDER, 'lowest-latency', probeFrom({}))).toBeNull();
    expect(await chooseEdges(ADMIN_ORDER, 'ordered', probeFrom({}))).toBeNull();
    expect(await chooseEdges([], 'ordered', probeFrom({}))).toBeNull();
  });

  it('probes every edge once', async () => {
    const probed: string[] = [];
    await chooseEdges(ADMIN_ORDER, 'lowest-latency', (edge) => {
      probed.push(edge.id);
      return Promise.resolve(1);
    });
    expect(probed.sort()).toEqual(['ap', 'eu', 'us']);
  });
});
