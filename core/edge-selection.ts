/**
 * Which edge the device uses, decided round by round from latency probes (DESIGN.md, "Edges" and
 * "Fail-open / fail-closed"). A pure state machine: the caller probes (host/service/edge-monitor.ts)
 * and feeds each round in with the time; no timers, no I/O, so the service and the extension in
 * browser-only mode can both run it and tests drive it round by round.
 *
 * The rules, each threshold a field of `Tuning`:
 * - With no primary (the first round, after `reset`, or while no edge answers) the best edge that
 *   answered its latest probe is chosen: the fastest for `lowest-latency`, the first in the admin's
 *   order for `ordered`; edges answering within their usual latency rank before degraded ones.
 * - The primary is abandoned at once when it fails `failAfter` probes in a row, or when it has been
 *   degraded for `degradedRounds` rounds while another edge is fine.
 * - Otherwise it stays until another edge beats it for `betterRounds` rounds in a row: clearly
 *   faster for `lowest-latency`, earlier in the admin's order (answering again) for `ordered`.
 *   This hysteresis is what keeps two close edges from flapping.
 * - The secondary is the next best; for `lowest-latency` it too is kept until it fails or degrades,
 *   so latency noise does not rewrite the PAC every round.
 * - With no edge answering there is no primary; traffic fails closed at once, and fails open (goes
 *   direct) once every edge has been unreachable for `failOpen.afterSeconds`, when the profile allows.
 *
 * A round may hold only some edges (the monitor probes the primary and secondary more often than the
 * rest); an edge missing from a round keeps what is known about it.
 */
import type { Edge, EdgeSelection, ForwardingProfile } from '../protocol/policy.js';

export interface ProbeResult {
  edgeId: string;
  /** Time to the first byte of the edge's /probe; null when it did not answer. */
  latencyMs: number | null;
}

export type EdgeHealth = 'ok' | 'degraded' | 'unreachable';

export interface Selection {
  primary: Edge | null;
  secondary: Edge | null;
  /** The primary's latest answered latency. */
  latencyMs: number | null;
  /** The primary's: `degraded` when its latest answer was well over its usual latency. */
  health: EdgeHealth;
  /** Why the primary is the one in use, or why there is none, in words. */
  reason: string;
  /** Epoch ms since when every edge has been unreachable (no primary), else null. */
  noEdgeSince: number | null;
  /** With no primary: where traffic goes (`open`: direct, `closed`: blocked); null while there is one. */
  failMode: null | 'open' | 'closed';
}

export type FailOpen = ForwardingProfile['failOpen'];

export interface Tuning {
  /**
   * Probes the primary may fail in a row before it is abandoned. Two rather than one: a single
   * lost probe (a dropped packet, a busy edge) is common and costs nothing; with the monitor probing
   * the primary every second, a dead edge is still left within about two seconds.
   */
  failAfter: number;
  /** How many of an edge's latest answers make up its usual latency (their median). */
  medianRounds: number;
  /** An answer is degraded when it is over `degradedFactor` times the edge's usual latency… */
  degradedFactor: number;
  /** …and over this, so a 5 ms edge answering in 20 ms is not called degraded. */
  degradedFloorMs: number;
  /** Rounds in a row a primary must be degraded before it is left for a fine edge. */
  degradedRounds: number;
  /** `lowest-latency`: another edge is clearly faster when it is faster by more than this fraction… */
  betterFraction: number;
  /** …and by more than this many ms, so neither a tiny edge difference nor a tiny ratio counts. */
  betterMs: number;
  /** Rounds in a row another edge must beat the primary before the device switches to it. */
  betterRounds: number;
}

export const DEFAULT_TUNING: Readonly<Tuning> = {
  failAfter: 2,
  // Odd, and at least 2 × degradedRounds − 1, so degraded answers do not become "usual" before they count.
  medianRounds: 9,
  degradedFactor: 3,
  degradedFloorMs: 300,
  degradedRounds: 3,
  betterFraction: 0.3,
  betterMs: 20,
  betterRounds: 3,
};

/** Whether the caller should act on (or announce) a new selection: its edges, health or fail mode differ. */
export function selectionChanged(before: Selection, after: Selection): boolean {
  return (
    before.primary?.id !== after.primary?.id ||
    before.secondary?.id !== after.secondary?.id ||
    before.health !== after.health ||
    before.failMode !== after.failMode
  );
}

interface EdgeState {
  /** The latest answered latencies, oldest first, at most `medianRounds`. */
  samples: number[];
  /** Probes failed in a row since the last answer. */
  misses: number;
  /** Answers in a row that were degraded. */
  degraded: number;
  /** The usual latency the latest answer was compared with, null before a second answer. */
  usualMs: number | null;
  /** Rounds in a row this edge beat the primary (`beats`). */
  better: number;
}

const UNMEASURED: Selection = {
  primary: null,
  secondary: null,
  latencyMs: null,
  health: 'unreachable',
  reason: 'no edge has been measured yet',
  noEdgeSince: null,
  failMode: null,
};

const ms = (value: number) => `${Math.round(value)} ms`;
const rounds = (n: number) => `${n} round${n === 1 ? '' : 's'}`;

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const high = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? high : ((sorted[middle - 1] ?? high) + high) / 2;
}

export class EdgeSelector {
  /** The selectable edges, in the admin's order. */
  private readonly edges: readonly Edge[];
  private readonly tuning: Tuning;
  private states = new Map<string, EdgeState>();
  /** Set by `reset`: the next round chooses as if it were the first. */
  private fresh = true;
  /** Why the current primary was chosen; shown while nothing more recent needs saying. */
  private chosenBecause = '';
  private selected: Selection = UNMEASURED;

  constructor(
    edges: readonly Edge[],
    private readonly selection: EdgeSelection,
    private readonly failOpen: FailOpen,
    tuning: Partial<Tuning> = {},
  ) {
    this.edges = selection.edges.flatMap((id) => edges.filter((edge) => edge.id === id).slice(0, 1));
    this.tuning = { ...DEFAULT_TUNING, ...tuning };
  }

  get current(): Selection {
    return this.selected;
  }

  /**
   * A new network: forget every latency and miss, and choose afresh on the next round. The current
   * selection stands until then, and so does `noEdgeSince`: roaming does not restart the fail-open wait.
   */
  reset(): void {
    this.states.clear();
    this.fresh = true;
  }

  update(round: readonly ProbeResult[], now: number): Selection {
    const previous = this.fresh ? null : this.selected.primary;
    this.fresh = false;
    this.record(round, previous);

    let primary: Edge | null;
    let note: string | null = null;
    if (previous === null) {
      primary = this.choose();
    } else {
      const review = this.review(previous);
      primary = review.primary;
      note = review.note;
    }
    if (primary?.id !== previous?.id) for (const state of this.states.values()) state.better = 0;

    const before = this.selected;
    if (primary === null) {
      const noEdgeSince = before.primary === null && before.noEdgeSince !== null ? before.noEdgeSince : now;
      const failMode = this.failOpen.enabled && now - noEdgeSince >= this.failOpen.afterSeconds * 1000 ? 'open' : 'closed';
      const lead = previous !== null ? `${this.chosenBecause}; ` : '';
      this.selected = { ...UNMEASURED, reason: lead + this.noEdgeReason(failMode, now - noEdgeSince), noEdgeSince, failMode };
      return this.selected;
    }
    if (primary.id !== previous?.id && before.primary === null && before.noEdgeSince !== null) {
      this.chosenBecause = `${primary.id} answers again after ${Math.round((now - before.noEdgeSince) / 1000)} s without an edge; ${this.chosenBecause}`;
    }
    const state = this.state(primary.id);
    this.selected = {
      primary,
      secondary: this.secondary(primary, primary.id === previous?.id ? before.secondary : null),
      latencyMs: state.samples.at(-1) ?? null,
      health: state.degraded > 0 ? 'degraded' : 'ok',
      reason: note ?? this.chosenBecause,
      noEdgeSince: null,
      failMode: null,
    };
    return this.selected;
  }

  private state(id: string): EdgeState {
    let state = this.states.get(id);
    if (!state) {
      state = { samples: [], misses: 0, degraded: 0, usualMs: null, better: 0 };
      this.states.set(id, state);
    }
    return state;
  }

  /** Takes in the round's answers, then counts which edges beat the primary in it. */
  private record(round: readonly ProbeResult[], primary: Edge | null): void {
    const { tuning } = this;
    const inRound = new Set<string>();
    for (const { edgeId, latencyMs } of round) {
      if (!this.edges.some((edge) => edge.id === edgeId)) continue;
      inRound.add(edgeId);
      const state = this.state(edgeId);
      if (latencyMs === null || !Number.isFinite(latencyMs) || latencyMs < 0) {
        state.misses += 1;
        continue;
      }
      state.usualMs = median(state.samples);
      const degraded = state.usualMs !== null && latencyMs > Math.max(tuning.degradedFactor * state.usualMs, tuning.degradedFloorMs);
      state.degraded = degraded ? state.degraded + 1 : 0;
      state.misses = 0;
      state.samples.push(latencyMs);
      if (state.samples.length > tuning.medianRounds) state.samples.shift();
    }
    // Beating a primary that is not answering means nothing; failing over handles that case.
    if (primary === null || !this.up(primary)) return;
    for (const edge of this.edges) {
      if (edge.id === primary.id || !inRound.has(edge.id)) continue;
      const state = this.state(edge.id);
      state.better = this.beats(edge, primary) ? state.better + 1 : 0;
    }
  }

  /** Answered its latest probe. */
  private up(edge: Edge): boolean {
    const state = this.state(edge.id);
    return state.misses === 0 && state.samples.length > 0;
  }

  /** Answered its latest probe within its usual latency. */
  private fine(edge: Edge): boolean {
    return this.up(edge) && this.state(edge.id).degraded === 0;
  }

  /** Never answered since the last reset, or failed `failAfter` probes in a row since. */
  private down(edge: Edge): boolean {
    const state = this.state(edge.id);
    return state.samples.length === 0 || state.misses >= this.tuning.failAfter;
  }

  private latest(edge: Edge): number {
    return this.state(edge.id).samples.at(-1) ?? Infinity;
  }

  private orderOf(edge: Edge): number {
    return this.edges.indexOf(edge);
  }

  /** `lowest-latency`: clearly faster; `ordered`: earlier in the admin's order. Either way, fine. */
  private beats(edge: Edge, primary: Edge): boolean {
    if (!this.fine(edge)) return false;
    if (this.selection.strategy === 'ordered') return this.orderOf(edge) < this.orderOf(primary);
    const gain = this.latest(primary) - this.latest(edge);
    return gain > this.tuning.betterMs && gain > this.tuning.betterFraction * this.latest(primary);
  }

  /** Best first: fine before degraded, then by latency or by the admin's order. */
  private rank(edges: readonly Edge[]): Edge[] {
    const byStrategy = (a: Edge, b: Edge) =>
      this.selection.strategy === 'lowest-latency' ? this.latest(a) - this.latest(b) : this.orderOf(a) - this.orderOf(b);
    return [...edges].sort((a, b) => Number(this.fine(b)) - Number(this.fine(a)) || byStrategy(a, b) || this.orderOf(a) - this.orderOf(b));
  }

  /** A primary from scratch: the best edge that answered its latest probe. */
  private choose(): Edge | null {
    const answering = this.edges.filter((edge) => this.up(edge));
    const best = this.rank(answering)[0];
    if (!best) return null;
    if (this.selection.strategy === 'ordered') {
      const skipped = this.edges.slice(0, this.orderOf(best)).map((edge) => edge.id);
      this.chosenBecause = `chose ${best.id}: the first answering edge in the admin's order${skipped.length ? ` (${skipped.join(', ')} did not answer)` : ''}`;
    } else {
      this.chosenBecause =
        answering.length === 1
          ? `chose ${best.id}: the only edge answering (${ms(this.latest(best))})`
          : `chose ${best.id}: the fastest of ${answering.length} answering (${ms(this.latest(best))})`;
    }
    return best;
  }

  /** Keeps the primary, or leaves it for a reason; `note` says what is worth saying when it stays. */
  private review(primary: Edge): { primary: Edge | null; note: string | null } {
    const { tuning } = this;
    const state = this.state(primary.id);
    const others = this.edges.filter((edge) => edge.id !== primary.id);

    if (state.misses >= tuning.failAfter) {
      const to = this.rank(others.filter((edge) => this.up(edge)))[0] ?? null;
      const why = `no answer in ${rounds(state.misses)}`;
      this.chosenBecause = to ? `failed over from ${primary.id} (${why}) to ${to.id}` : `${primary.id} stopped answering (${why})`;
      return { primary: to, note: null };
    }

    const degradedNow = `${ms(this.latest(primary))} against its usual ${ms(state.usualMs ?? 0)}`;
    if (state.degraded >= tuning.degradedRounds) {
      const to = this.rank(others.filter((edge) => this.fine(edge)))[0];
      if (to) {
        this.chosenBecause = `left ${primary.id} (degraded for ${rounds(state.degraded)}: ${degradedNow}) for ${to.id} (${ms(this.latest(to))})`;
        return { primary: to, note: null };
      }
    }

    const better = this.rank(others.filter((edge) => this.state(edge.id).better >= tuning.betterRounds))[0];
    if (better) {
      const streak = rounds(this.state(better.id).better);
      this.chosenBecause =
        this.selection.strategy === 'ordered'
          ? `returned to ${better.id}, earlier in the admin's order than ${primary.id}, after it answered well for ${streak}`
          : `switched from ${primary.id} (${ms(this.latest(primary))}) to ${better.id} (${ms(this.latest(better))}): faster by ${ms(this.latest(primary) - this.latest(better))} for ${streak}`;
      return { primary: better, note: null };
    }

    if (state.misses > 0) return { primary, note: `kept ${primary.id}: it missed ${state.misses} of the ${tuning.failAfter} probes in a row that fail it over` };
    if (state.degraded > 0) {
      const why =
        state.degraded >= tuning.degradedRounds ? 'no other edge is fine' : `degraded for ${state.degraded} of the ${tuning.degradedRounds} rounds that move off it`;
      return { primary, note: `kept ${primary.id} (${degradedNow}): ${why}` };
    }
    return { primary, note: this.selection.strategy === 'lowest-latency' ? this.closeCall(primary, others) : null };
  }

  /** `lowest-latency`: why a faster edge has not taken over (yet). */
  private closeCall(primary: Edge, others: readonly Edge[]): string | null {
    const faster = this.rank(others.filter((edge) => this.up(edge) && this.latest(edge) < this.latest(primary)))[0];
    if (!faster) return null;
    const gain = ms(this.latest(primary) - this.latest(faster));
    const streak = this.state(faster.id).better;
    return streak > 0
      ? `kept ${primary.id} for now: ${faster.id} has been faster by ${gain} for ${streak} of ${rounds(this.tuning.betterRounds)}`
      : `kept ${primary.id}: ${faster.id} is faster by only ${gain}`;
  }

  /**
   * `ordered`: the first other edge in the admin's order that is not down.
   * `lowest-latency`: `kept` while it is neither down nor degraded past `degradedRounds`, else the
   * best other edge answering.
   */
  private secondary(primary: Edge, kept: Edge | null): Edge | null {
    const others = this.edges.filter((edge) => edge.id !== primary.id);
    if (this.selection.strategy === 'ordered') return others.find((edge) => !this.down(edge)) ?? null;
    if (kept && kept.id !== primary.id && !this.down(kept) && this.state(kept.id).degraded < this.tuning.degradedRounds) return kept;
    return this.rank(others.filter((edge) => this.up(edge)))[0] ?? null;
  }

  private noEdgeReason(failMode: 'open' | 'closed', forMs: number): string {
    const ids = this.edges.map((edge) => edge.id).join(', ') || 'none configured';
    if (failMode === 'open') {
      return `no edge has answered for ${Math.round(forMs / 1000)} s (${ids}); failing open: traffic goes direct until one answers`;
    }
    if (!this.failOpen.enabled) return `no edge answers (${ids}); failing closed: traffic is blocked until one answers`;
    const left = Math.max(1, Math.ceil((this.failOpen.afterSeconds * 1000 - forMs) / 1000));
    return `no edge answers (${ids}); traffic is blocked, and goes direct in ${left} s if none answers by then`;
  }
}
