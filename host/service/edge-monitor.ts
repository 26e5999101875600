/**
 * Probes the edges and feeds each round to an EdgeSelector (core/edge-selection.ts), telling its
 * owner when the selection changes. Every edge is probed every `recheckSeconds`, and at once on a
 * network change (`recheckNow`); in between only the primary and the secondary are probed, every
 * `fastProbeMs` (start to start), and a quarter of that after the primary missed one, to confirm
 * quickly — so a dead primary is left within about 1.25 s without probing a long list of edges
 * every second. While no edge answers, every edge is probed at that
 * fast pace, so the first to come back is used at once and fail-open starts on time.
 *
 * A round waits for its probes at most `roundTimeoutMs` on the injected clock; a probe still
 * running then counts as no answer. An edge that refuses connections is therefore left within
 * about 1.25 s; one that swallows packets within about two round timeouts (~6 s).
 *
 * Lifecycle: construct, `start()`, then `recheckNow()` on network changes and `stop()` at the end.
 * `onSelection` is called only between `start()` and `stop()`; `recheckNow()` outside them still
 * measures and resolves with the selection.
 */
import { EdgeSelector, selectionChanged, type FailOpen, type ProbeResult, type Selection, type Tuning } from '../../core/edge-selection.js';
import type { Edge, EdgeSelection } from '../../protocol/policy.js';
import type { Logger } from '../log.js';
import type { Clock } from './clock.js';
import { probeEdge, type Probe } from './edge-probe.js';

/** How often the primary and secondary are probed: with `failAfter` 2, a dead one is left in ~2 s. */
export const FAST_PROBE_MS = 1_000;
/** After the primary misses a probe, the next round comes this many times sooner than the pace. */
export const CONFIRM_DIVISOR = 4;
/** The longest a round waits: probeEdge's own timeout, so a probe that hangs cannot stall the rounds. */
export const ROUND_TIMEOUT_MS = 3_000;

export interface EdgeMonitorOptions {
  edges: readonly Edge[];
  selection: EdgeSelection;
  failOpen: FailOpen;
  /** Measures one edge; null when it does not answer. Defaults to probeEdge (its /probe over HTTP). */
  probe?: Probe;
  clock: Clock;
  onSelection: (selection: Selection) => void;
  logger?: Logger;
  tuning?: Partial<Tuning>;
  fastProbeMs?: number;
  roundTimeoutMs?: number;
}

export class EdgeMonitor {
  private readonly selector: EdgeSelector;
  /** The selectable edges, in the admin's order. */
  private readonly edges: readonly Edge[];
  private readonly probe: Probe;
  private readonly fastProbeMs: number;
  private readonly roundTimeoutMs: number;
  private running = false;
  private cancelNext: (() => void) | null = null;
  /** Bumped by reset and stop: answers from rounds begun before then are dropped. */
  private generation = 0;
  /** Only the latest round schedules the next, so overlapping rounds never multiply the timers. */
  private latestRound = 0;
  /** When every edge is probed next; -Infinity: in the next round. */
  private fullRoundAt = -Infinity;

  constructor(private readonly options: EdgeMonitorOptions) {
    this.edges = options.selection.edges.flatMap((id) => options.edges.filter((edge) => edge.id === id).slice(0, 1));
    this.selector = new EdgeSelector(options.edges, options.selection, options.failOpen, options.tuning);
    this.probe = options.probe ?? probeEdge;
    this.fastProbeMs = options.fastProbeMs ?? FAST_PROBE_MS;
    this.roundTimeoutMs = options.roundTimeoutMs ?? ROUND_TIMEOUT_MS;
  }

  get current(): Selection {
    return this.selector.current;
  }

  /** Probes every edge now, then keeps probing. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.round();
  }

  stop(): void {
    this.running = false;
    this.generation += 1;
    this.cancelNext?.();
    this.cancelNext = null;
  }

  /** Forgets every measurement; the next round probes every edge and chooses afresh. */
  reset(): void {
    this.selector.reset();
    this.generation += 1;
    this.fullRoundAt = -Infinity;
  }

  /** A network change: forget, probe every edge now, and resolve with the selection that follows. */
  recheckNow(): Promise<Selection> {
    this.reset();
    return this.round();
  }

  private async round(): Promise<Selection> {
    this.cancelNext?.();
    this.cancelNext = null;
    const round = ++this.latestRound;
    const generation = this.generation;
    const { clock, selection } = this.options;

    const startedAt = clock.now();
    const before = this.selector.current;
    const full = startedAt >= this.fullRoundAt || before.primary === null;
    if (full) this.fullRoundAt = startedAt + selection.recheckSeconds * 1000;
    const targets = full ? this.edges : this.edges.filter((edge) => edge.id === before.primary?.id || edge.id === before.secondary?.id);
    const results = await this.probeAll(targets);

    if (generation === this.generation) {
      const previous = this.selector.current;
      const next = this.selector.update(results, clock.now());
      if (this.running && selectionChanged(previous, next)) {
        this.options.logger?.info(
          { primary: next.primary?.id ?? null, secondary: next.secondary?.id ?? null, health: next.health, failMode: next.failMode, reason: next.reason },
          'edges: selection changed',
        );
        try {
          this.options.onSelection(next);
        } catch (err) {
          // The owner's failure must not end the probing that would tell it about the next change.
          this.options.logger?.error({ err }, 'edges: onSelection threw');
        }
      }
    }
    if (this.running && round === this.latestRound) {
      // A primary that just missed is asked again at a quarter of the pace: one miss is a hint, the
      // confirming second miss (failAfter) should not cost another full period.
      const primaryMissed = before.primary !== null && results.some((result) => result.edgeId === before.primary?.id && result.latencyMs === null);
      const pace = primaryMissed ? this.fastProbeMs / CONFIRM_DIVISOR : this.fastProbeMs;
      // Start to start, so a slow answer from the secondary does not stretch the time to notice a dead primary.
      const wait = Math.max(0, startedAt + pace - clock.now());
      this.cancelNext = clock.schedule(wait, () => void this.round());
    }
    return this.selector.current;
  }

  /** Probes `edges` concurrently; whatever has not answered after `roundTimeoutMs` counts as no answer. */
  private probeAll(edges: readonly Edge[]): Promise<ProbeResult[]> {
    return new Promise((resolve) => {
      const answers = new Map<string, number | null>();
      let settled = 0;
      let done = false;
      let cancelTimeout = () => {};
      const finish = () => {
        if (done) return;
        done = true;
        cancelTimeout();
        resolve(edges.map((edge) => ({ edgeId: edge.id, latencyMs: answers.get(edge.id) ?? null })));
      };
      if (edges.length === 0) return finish();
      cancelTimeout = this.options.clock.schedule(this.roundTimeoutMs, finish);
      for (const edge of edges) {
        void Promise.resolve()
          .then(() => this.probe(edge))
          .catch(() => null)
          .then((latencyMs) => {
            answers.set(edge.id, latencyMs);
            settled += 1;
            if (settled === edges.length) finish();
          });
      }
    });
  }
}
