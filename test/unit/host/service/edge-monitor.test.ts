import { describe, expect, it } from 'vitest';
import type { FailOpen, Selection } from '../../../../core/edge-selection.js';
import { EdgeMonitor } from '../../../../host/service/edge-monitor.js';
import type { Probe } from '../../../../host/service/edge-probe.js';
import type { EdgeSelection } from '../../../../protocol/policy.js';
import { silentLogger } from '../../../fakes/logger.js';
import { ManualClock } from '../../../fakes/manual-clock.js';
import { EDGE_AP, EDGE_EU, EDGE_US } from '../../../fakes/portal-config.js';

/** Each edge's answer: a latency, null (refused at once) or `hang` (never answers). */
type Answer = number | null | 'hang';

const CLOSED: FailOpen = { enabled: false, afterSeconds: 0 };

/** Lets the probes of a round settle and the round finish (they are all microtasks). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function harness(answers: Record<string, Answer>, options: { strategy?: EdgeSelection['strategy']; failOpen?: FailOpen } = {}) {
  const clock = new ManualClock();
  const start = clock.now();
  const probed: { at: number; id: string }[] = [];
  const probe: Probe = (edge) => {
    probed.push({ at: clock.now() - start, id: edge.id });
    const answer = answers[edge.id] ?? null;
    return answer === 'hang' ? new Promise<never>(() => undefined) : Promise.resolve(answer);
  };
  const selections: { at: number; selection: Selection }[] = [];
  const monitor = new EdgeMonitor({
    edges: [EDGE_EU, EDGE_US, EDGE_AP],
    selection: { strategy: options.strategy ?? 'lowest-latency', edges: ['eu', 'us', 'ap'], recheckSeconds: 30 },
    failOpen: options.failOpen ?? CLOSED,
    probe,
    clock,
    onSelection: (selection) => selections.push({ at: clock.now() - start, selection }),
    logger: silentLogger,
  });
  return {
    clock,
    monitor,
    probed,
    selections,
    answers,
    /** ms since the harness started. */
    elapsed: () => clock.now() - start,
    /** Moves fake time on in small steps, letting each round finish before the next falls due. */
    async advance(ms: number): Promise<void> {
      for (let done = 0; done < ms; done += 100) {
        clock.advance(Math.min(100, ms - done));
        await settle();
      }
    },
  };
}

const primaries = (h: { selections: { selection: Selection }[] }) => h.selections.map(({ selection }) => selection.primary?.id ?? null);

describe('EdgeMonitor', () => {
  it('probes every edge at start and reports the first selection', async () => {
    const h = harness({ eu: 40, us: 60, ap: 15 });
    h.monitor.start();
    await settle();
    expect(h.probed).toEqual([
      { at: 0, id: 'eu' },
      { at: 0, id: 'us' },
      { at: 0, id: 'ap' },
    ]);
    expect(h.selections).toHaveLength(1);
    expect(h.selections[0]?.selection).toMatchObject({ primary: EDGE_AP, secondary: EDGE_EU, latencyMs: 15, health: 'ok' });
    expect(h.monitor.current).toBe(h.selections[0]?.selection);
    h.monitor.stop();
  });

  it('probes the primary and secondary every second and every edge every recheckSeconds', async () => {
    const h = harness({ eu: 40, us: 60, ap: 15 });
    h.monitor.start();
    await settle();
    await h.advance(60_000);
    const times = (id: string) => h.probed.filter((p) => p.id === id).map((p) => p.at);
    expect(times('us')).toEqual([0, 30_000, 60_000]);
    expect(times('ap')).toHaveLength(61);
    expect(times('eu')).toHaveLength(61);
    expect(times('ap').slice(0, 3)).toEqual([0, 1_000, 2_000]);
    h.monitor.stop();
  });

  it('notices a dead primary within 2 s and fails over to the secondary', async () => {
    const h = harness({ eu: 40, us: 60, ap: 90 });
    h.monitor.start();
    await settle();
    await h.advance(10_100);
    h.answers.eu = null;
    const diedAt = h.elapsed();
    await h.advance(5_000);
    expect(primaries(h)).toEqual(['eu', 'us']);
    const failover = h.selections[1];
    expect(failover?.selection.reason).toBe('failed over from eu (no answer in 2 rounds) to us');
    expect((failover?.at ?? Infinity) - diedAt).toBeLessThanOrEqual(2_000);
    h.monitor.stop();
  });

  it('counts a probe that hangs as no answer once the round times out', async () => {
    const h = harness({ eu: 40, us: 60 });
    h.monitor.start();
    await settle();
    h.answers.eu = 'hang';
    await h.advance(10_000);
    expect(primaries(h)).toEqual(['eu', 'us']);
    // Rounds start at 1 s and 4 s; each waits the 3 s round timeout, and the next starts at once.
    expect(h.selections[1]?.at).toBe(7_000);
    h.monitor.stop();
  });

  it('calls onSelection only when the selection changes', async () => {
    const h = harness({ eu: 40, us: 60, ap: 90 });
    h.monitor.start();
    await settle();
    await h.advance(60_000);
    h.answers.us = 35;
    await h.advance(60_000);
    expect(h.selections).toHaveLength(1);

    h.answers.eu = 400;
    await h.advance(10_000);
    expect(h.selections.map(({ selection }) => [selection.primary?.id, selection.health])).toEqual([
      ['eu', 'ok'],
      ['eu', 'degraded'],
      ['us', 'ok'],
    ]);
    h.monitor.stop();
  });

  it('probes every edge every second while none answers, and fails open after afterSeconds', async () => {
    const h = harness({}, { failOpen: { enabled: true, afterSeconds: 5 } });
    h.monitor.start();
    await settle();
    await h.advance(6_000);
    expect(h.selections.map(({ at, selection }) => [at, selection.failMode])).toEqual([
      [0, 'closed'],
      [5_000, 'open'],
    ]);
    expect(h.probed.filter((p) => p.id === 'ap')).toHaveLength(7);

    h.answers.us = 50;
    await h.advance(1_000);
    expect(h.selections.at(-1)?.selection).toMatchObject({ primary: EDGE_US, failMode: null, noEdgeSince: null });
    h.monitor.stop();
  });

  it('re-measures every edge at once on recheckNow and chooses afresh', async () => {
    const h = harness({ eu: 40, us: 60, ap: 90 });
    h.monitor.start();
    await settle();
    await h.advance(5_000);
    Object.assign(h.answers, { eu: 70, us: 80, ap: 10 });
    const probedBefore = h.probed.length;
    const selection = await h.monitor.recheckNow();
    expect(h.probed.slice(probedBefore).map((p) => p.id)).toEqual(['eu', 'us', 'ap']);
    expect(selection).toMatchObject({ primary: EDGE_AP, secondary: EDGE_EU });
    expect(h.selections.at(-1)?.selection).toBe(selection);
    h.monitor.stop();
  });

  it('measures on recheckNow before start without calling onSelection', async () => {
    const h = harness({ eu: 40, us: 60, ap: 90 });
    const selection = await h.monitor.recheckNow();
    expect(selection.primary?.id).toBe('eu');
    expect(h.selections).toEqual([]);
    expect(h.clock.pending()).toEqual([]);
  });

  it('neither probes nor reports after stop, even for a round already under way', async () => {
    const h = harness({ eu: 40, us: 'hang' });
    h.monitor.start();
    await settle();
    await h.advance(1_500);
    const probed = h.probed.length;
    const reported = h.selections.length;
    h.answers.eu = null;
    h.monitor.stop();
    await h.advance(30_000);
    expect(h.probed).toHaveLength(probed);
    expect(h.selections).toHaveLength(reported);
    expect(h.clock.pending()).toEqual([]);
  });

  it('keeps probing when onSelection throws', async () => {
    const clock = new ManualClock();
    let calls = 0;
    let eu: number | null = 40;
    const monitor = new EdgeMonitor({
      edges: [EDGE_EU, EDGE_US],
      selection: { strategy: 'ordered', edges: ['eu', 'us'], recheckSeconds: 30 },
      failOpen: CLOSED,
      probe: (edge) => Promise.resolve(edge.id === 'eu' ? eu : 60),
      clock,
      onSelection: () => {
        calls += 1;
        throw new Error('owner failed');
      },
      logger: silentLogger,
    });
    monitor.start();
    await settle();
    eu = null;
    for (let i = 0; i < 3; i++) {
      clock.advance(1_000);
      await settle();
    }
    expect(calls).toBe(2);
    expect(monitor.current.primary?.id).toBe('us');
    monitor.stop();
  });
});
