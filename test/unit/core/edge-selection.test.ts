import { describe, expect, it } from 'vitest';
import { EdgeSelector, selectionChanged, type FailOpen, type Selection } from '../../../core/edge-selection.js';
import type { Edge, EdgeSelection } from '../../../protocol/policy.js';
import { EDGE_AP, EDGE_EU, EDGE_US } from '../../fakes/portal-config.js';

const T0 = Date.UTC(2026, 0, 1);
const CLOSED: FailOpen = { enabled: false, afterSeconds: 0 };

type Latencies = Record<string, number | null>;

/** A selector over `edges` and the time of its next round, one second after the last. */
function harness(strategy: EdgeSelection['strategy'], failOpen: FailOpen = CLOSED, edges: Edge[] = [EDGE_EU, EDGE_US, EDGE_AP]) {
  const selector = new EdgeSelector(edges, { strategy, edges: edges.map((edge) => edge.id), recheckSeconds: 300 }, failOpen);
  let now = T0;
  return {
    selector,
    now: () => now,
    /** Feeds one round at the current time, then moves the time on by `stepMs`. */
    round(latencies: Latencies, stepMs = 1_000): Selection {
      const round = Object.entries(latencies).map(([edgeId, latencyMs]) => ({ edgeId, latencyMs }));
      const selection = selector.update(round, now);
      now += stepMs;
      return selection;
    },
    /** The same round `times` times; returns every selection. */
    repeat(latencies: Latencies, times: number): Selection[] {
      return Array.from({ length: times }, () => this.round(latencies));
    },
  };
}

const ids = (selection: Selection) => [selection.primary?.id ?? null, selection.secondary?.id ?? null];

describe('EdgeSelector: the first choice', () => {
  it('starts with nothing measured', () => {
    const h = harness('lowest-latency');
    expect(h.selector.current).toMatchObject({ primary: null, health: 'unreachable', noEdgeSince: null, failMode: null });
  });

  it('takes the fastest as primary and the next fastest as secondary for lowest-latency', () => {
    const selection = harness('lowest-latency').round({ eu: 80, us: 120, ap: 15 });
    expect(selection).toEqual({
      primary: EDGE_AP,
      secondary: EDGE_EU,
      latencyMs: 15,
      health: 'ok',
      reason: 'chose ap: the fastest of 3 answering (15 ms)',
      noEdgeSince: null,
      failMode: null,
    });
  });

  it('takes the first reachable edges in the admin’s order for ordered, whatever their latency', () => {
    expect(ids(harness('ordered').round({ eu: 80, us: 120, ap: 15 }))).toEqual(['eu', 'us']);
    const skipped = harness('ordered').round({ eu: null, us: 120, ap: 15 });
    expect(ids(skipped)).toEqual(['us', 'ap']);
    expect(skipped.reason).toBe("chose us: the first answering edge in the admin's order (eu did not answer)");
  });

  it('ignores results for edges the selection does not list', () => {
    const h = harness('lowest-latency', CLOSED, [EDGE_EU, EDGE_US]);
    expect(ids(h.round({ ap: 1, eu: 50, us: 60 }))).toEqual(['eu', 'us']);
  });
});

describe('EdgeSelector: failover', () => {
  it('keeps a primary that misses one probe and fails it over after the second', () => {
    const h = harness('lowest-latency', CLOSED, [EDGE_EU, EDGE_US]);
    h.round({ eu: 20, us: 40 });
    const once = h.round({ eu: null, us: 40 });
    expect(ids(once)).toEqual(['eu', 'us']);
    expect(once.health).toBe('ok');
    expect(once.reason).toBe('kept eu: it missed 1 of the 2 probes in a row that fail it over');

    const twice = h.round({ eu: null, us: 40 });
    expect(ids(twice)).toEqual(['us', null]);
    expect(twice.reason).toBe('failed over from eu (no answer in 2 rounds) to us');
    expect(twice.latencyMs).toBe(40);
  });

  it('needs the misses in a row', () => {
    const h = harness('lowest-latency', CLOSED, [EDGE_EU, EDGE_US]);
    h.round({ eu: 20, us: 40 });
    for (let i = 0; i < 5; i++) {
      h.round({ eu: null, us: 40 });
      expect(h.round({ eu: 20, us: 40 }).primary?.id).toBe('eu');
    }
  });

  it('fails over to an edge measured in an earlier round when the ones probed since are dead', () => {
    const h = harness('lowest-latency');
    h.round({ eu: 20, us: 40, ap: 90 });
    h.round({ eu: null, us: null });
    expect(ids(h.round({ eu: null, us: null }))).toEqual(['ap', null]);
  });

  it('takes the failed edge back as secondary once it answers again', () => {
    const h = harness('lowest-latency', CLOSED, [EDGE_EU, EDGE_US]);
    h.round({ eu: 20, us: 40 });
    h.repeat({ eu: null, us: 40 }, 2);
    expect(ids(h.round({ eu: 20, us: 40 }))).toEqual(['us', 'eu']);
  });
});

describe('EdgeSelector: hysteresis (lowest-latency)', () => {
  it('does not flap between two close edges', () => {
    const h = harness('lowest-latency', CLOSED, [EDGE_EU, EDGE_US]);
    h.round({ eu: 40, us: 45 });
    const selections = [
      ...h.repeat({ eu: 50, us: 42 }, 10),
      ...h.repeat({ eu: 42, us: 50 }, 3),
      ...h.repeat({ eu: 48, us: 40 }, 10),
    ];
    expect(selections.every((selection) => selection.primary?.id === 'eu' && selection.secondary?.id === 'us')).toBe(true);
    expect(selections.at(-1)?.reason).toBe('kept eu: us is faster by only 8 ms');
  });

  it('needs both more than 30 % and more than 20 ms', () => {
    const byRatioOnly = harness('lowest-latency', CLOSED, [EDGE_EU, EDGE_US]);
    byRatioOnly.round({ eu: 30, us: 40 });
    expect(byRatioOnly.repeat({ eu: 30, us: 12 }, 10).map((s) => s.primary?.id)).not.toContain('us');

    const byMsOnly = harness('lowest-latency', CLOSED, [EDGE_EU, EDGE_US]);
    byMsOnly.round({ eu: 200, us: 210 });
    expect(byMsOnly.repeat({ eu: 200, us: 150 }, 10).map((s) => s.primary?.id)).not.toContain('us');
  });

  it('switches to a clearly faster edge after it has been faster for 3 rounds in a row', () => {
    const h = harness('lowest-latency', CLOSED, [EDGE_EU, EDGE_US]);
    h.round({ eu: 100, us: 150 });
    const [first, second, third] = h.repeat({ eu: 100, us: 50 }, 3);
    expect(first?.primary?.id).toBe('eu');
    expect(second?.primary?.id).toBe('eu');
    expect(second?.reason).toBe('kept eu for now: us has been faster by 50 ms for 2 of 3 rounds');
    expect(third && ids(third)).toEqual(['us', 'eu']);
    expect(third?.reason).toBe('switched from eu (100 ms) to us (50 ms): faster by 50 ms for 3 rounds');
    expect(third?.latencyMs).toBe(50);
  });

  it('starts counting again when the faster edge has one ordinary round', () => {
    const h = harness('lowest-latency', CLOSED, [EDGE_EU, EDGE_US]);
    h.round({ eu: 100, us: 150 });
    h.repeat({ eu: 100, us: 50 }, 2);
    h.round({ eu: 100, us: 95 });
    expect(h.repeat({ eu: 100, us: 50 }, 2).map((s) => s.primary?.id)).toEqual(['eu', 'eu']);
    expect(h.round({ eu: 100, us: 50 }).primary?.id).toBe('us');
  });
});

describe('EdgeSelector: degraded', () => {
  /** eu at 20 ms for a while, us at 60 ms. */
  function settled(strategy: EdgeSelection['strategy']) {
    const h = harness(strategy, CLOSED, [EDGE_EU, EDGE_US]);
    h.repeat({ eu: 20, us: 60 }, 5);
    return h;
  }

  it('marks the primary degraded, and leaves it for a fine edge after 3 degraded rounds', () => {
    const h = settled('ordered');
    const [first, second, third] = h.repeat({ eu: 400, us: 60 }, 3);
    expect(first).toMatchObject({ primary: EDGE_EU, health: 'degraded', latencyMs: 400 });
    expect(first?.reason).toBe('kept eu (400 ms against its usual 20 ms): degraded for 1 of the 3 rounds that move off it');
    expect(second).toMatchObject({ primary: EDGE_EU, health: 'degraded' });
    expect(third).toMatchObject({ primary: EDGE_US, secondary: EDGE_EU, health: 'ok', latencyMs: 60 });
    expect(third?.reason).toBe('left eu (degraded for 3 rounds: 400 ms against its usual 20 ms) for us (60 ms)');
  });

  it('keeps a degraded primary when no other edge is fine', () => {
    const h = settled('lowest-latency');
    const last = h.repeat({ eu: 400, us: null }, 4).at(-1);
    expect(last).toMatchObject({ primary: EDGE_EU, health: 'degraded' });
    expect(last?.reason).toBe('kept eu (400 ms against its usual 20 ms): no other edge is fine');
  });

  it('does not call a fast edge degraded for a rise under 300 ms', () => {
    const h = settled('lowest-latency');
    expect(h.repeat({ eu: 250, us: 260 }, 3).map((s) => [s.primary?.id, s.health])).toEqual([
      ['eu', 'ok'],
      ['eu', 'ok'],
      ['eu', 'ok'],
    ]);
  });

  it('returns to the first edge of an ordered list after it answers well for 3 rounds', () => {
    const h = settled('ordered');
    h.repeat({ eu: 400, us: 60 }, 3);
    const back = h.repeat({ eu: 20, us: 60 }, 3);
    expect(back.map((s) => s.primary?.id)).toEqual(['us', 'us', 'eu']);
    expect(back[2]?.reason).toBe("returned to eu, earlier in the admin's order than us, after it answered well for 3 rounds");
  });
});

describe('EdgeSelector: no edge reachable', () => {
  it('fails closed at once when fail-open is disabled', () => {
    const h = harness('lowest-latency');
    expect(h.round({ eu: null, us: null, ap: null })).toEqual({
      primary: null,
      secondary: null,
      latencyMs: null,
      health: 'unreachable',
      reason: 'no edge answers (eu, us, ap); failing closed: traffic is blocked until one answers',
      noEdgeSince: T0,
      failMode: 'closed',
    });
  });

  it('fails closed, then open once every edge has been unreachable for afterSeconds', () => {
    const h = harness('ordered', { enabled: true, afterSeconds: 30 }, [EDGE_EU, EDGE_US]);
    const waiting = h.round({ eu: null, us: null }, 29_000);
    expect(waiting).toMatchObject({ failMode: 'closed', noEdgeSince: T0 });
    expect(waiting.reason).toBe('no edge answers (eu, us); traffic is blocked, and goes direct in 30 s if none answers by then');
    expect(h.round({ eu: null, us: null }, 999)).toMatchObject({ failMode: 'closed', noEdgeSince: T0 });
    expect(h.round({ eu: null, us: null }, 1)).toMatchObject({ failMode: 'closed', noEdgeSince: T0 });
    const open = h.round({ eu: null, us: null }, 1_000);
    expect(open).toMatchObject({ primary: null, failMode: 'open', noEdgeSince: T0 });
    expect(open.reason).toBe('no edge has answered for 30 s (eu, us); failing open: traffic goes direct until one answers');

    const back = h.round({ eu: null, us: 20 });
    expect(back).toMatchObject({ primary: EDGE_US, health: 'ok', failMode: null, noEdgeSince: null });
    expect(back.reason).toBe("us answers again after 31 s without an edge; chose us: the first answering edge in the admin's order (eu did not answer)");
  });

  it('fails open at once with afterSeconds 0', () => {
    const h = harness('lowest-latency', { enabled: true, afterSeconds: 0 });
    expect(h.round({ eu: null, us: null, ap: null }).failMode).toBe('open');
  });

  it('counts the wait from when the last edge stopped answering', () => {
    const h = harness('lowest-latency', { enabled: true, afterSeconds: 10 }, [EDGE_EU, EDGE_US]);
    h.round({ eu: 20, us: 40 });
    h.repeat({ eu: null, us: null }, 1);
    const lost = h.round({ eu: null, us: null });
    expect(lost).toMatchObject({ primary: null, failMode: 'closed', noEdgeSince: T0 + 2_000 });
    expect(lost.reason).toBe('eu stopped answering (no answer in 2 rounds); no edge answers (eu, us); traffic is blocked, and goes direct in 10 s if none answers by then');
    h.repeat({ eu: null, us: null }, 9);
    expect(h.round({ eu: null, us: null })).toMatchObject({ failMode: 'open', noEdgeSince: T0 + 2_000 });
  });
});

describe('EdgeSelector: reset', () => {
  it('keeps the selection until the next round, which chooses afresh without hysteresis', () => {
    const h = harness('lowest-latency', CLOSED, [EDGE_EU, EDGE_US]);
    h.repeat({ eu: 20, us: 40 }, 5);
    const before = h.selector.current;
    h.selector.reset();
    expect(h.selector.current).toBe(before);
    const after = h.round({ eu: 50, us: 10 });
    expect(ids(after)).toEqual(['us', 'eu']);
    expect(after.reason).toBe('chose us: the fastest of 2 answering (10 ms)');
  });

  it('forgets misses and usual latencies', () => {
    const h = harness('ordered', CLOSED, [EDGE_EU, EDGE_US]);
    h.repeat({ eu: 20, us: 60 }, 5);
    h.round({ eu: null, us: 60 });
    h.selector.reset();
    h.round({ eu: 400, us: 60 });
    // One more miss would fail eu over, and 400 ms would be degraded, had the history survived.
    expect(h.round({ eu: null, us: 60 })).toMatchObject({ primary: EDGE_EU, health: 'ok' });
  });

  it('does not restart the fail-open wait', () => {
    const h = harness('lowest-latency', { enabled: true, afterSeconds: 60 }, [EDGE_EU, EDGE_US]);
    h.round({ eu: null, us: null });
    h.selector.reset();
    expect(h.round({ eu: null, us: null }).noEdgeSince).toBe(T0);
  });
});

describe('selectionChanged', () => {
  it('looks at the edges, the health and the fail mode, not the latency or the words', () => {
    const h = harness('lowest-latency', CLOSED, [EDGE_EU, EDGE_US]);
    const first = h.round({ eu: 20, us: 40 });
    expect(selectionChanged(h.selector.current, first)).toBe(false);
    expect(selectionChanged(first, { ...first, latencyMs: 25, reason: 'other words' })).toBe(false);
    expect(selectionChanged(first, { ...first, secondary: null })).toBe(true);
    expect(selectionChanged(first, { ...first, health: 'degraded' })).toBe(true);
    expect(selectionChanged(first, { ...first, primary: EDGE_US })).toBe(true);
    expect(selectionChanged({ ...first, primary: null, failMode: 'closed' }, { ...first, primary: null, failMode: 'open' })).toBe(true);
  });
});
