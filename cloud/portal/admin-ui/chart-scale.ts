/**
 * The arithmetic behind the console's SVG charts: axis maxima people can read, bar lengths, donut
 * arcs, and the words a chart is read out as. Pure, so what a chart draws is tested without a browser.
 */

export interface Datum {
  label: string;
  value: number;
}

/** The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above `max`: an axis end that reads as a round number. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) {
    const candidate = step * magnitude;
    // Compare with a tolerance: 3 × 0.1 is not exactly 0.3 in floating point.
    if (candidate >= max - magnitude * 1e-9) return candidate;
  }
  return 10 * magnitude;
}

/**
 * Bar lengths in px for `width` px of track. A non-zero value gets at least `minVisible` px, so a
 * single outlier never makes the others vanish; zero stays zero.
 */
export function barLengths(values: readonly number[], width: number, minVisible = 3): number[] {
  const end = niceMax(Math.max(0, ...values));
  return values.map((v) => (v > 0 ? Math.max(minVisible, (v / end) * width) : 0));
}

/**
 * The `n` largest data, biggest first (ties by label), with the rest summed into one "Other" datum,
 * so a chart of forty OS versions stays readable. Zero values are dropped.
 */
export function topN(data: readonly Datum[], n: number, otherLabel = 'Other'): Datum[] {
  const sorted = data.filter((d) => d.value > 0).sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
  if (sorted.length <= n) return sorted;
  const kept = sorted.slice(0, Math.max(0, n - 1));
  const rest = sorted.slice(kept.length).reduce((sum, d) => sum + d.value, 0);
  return [...kept, { label: otherLabel, value: rest }];
}

export interface Arc extends Datum {
  /** Fraction of the whole, 0..1. */
  fraction: number;
  /** SVG path of the ring segment. */
  path: string;
}

export interface Ring {
  cx: number;
  cy: number;
  outer: number;
  inner: number;
}

/**
 * Ring segments for a donut, clockwise from 12 o'clock, one per non-zero datum. A single datum
 * that is the whole draws as two half rings: one SVG arc cannot start and end at the same point.
 */
export function donutArcs(data: readonly Datum[], ring: Ring): Arc[] {
  const total = data.reduce((sum, d) => sum + Math.max(0, d.value), 0);
  if (total <= 0) return [];
  const arcs: Arc[] = [];
  let start = 0;
  for (const d of data) {
    if (d.value <= 0) continue;
    const fraction = d.value / total;
    const end = start + fraction;
    const path =
      fraction >= 1 - 1e-9 ? `${segment(ring, 0, 0.5)} ${segment(ring, 0.5, 1)}` : segment(ring, start, end);
    arcs.push({ ...d, fraction, path });
    start = end;
  }
  return arcs;
}

function point(cx: number, cy: number, r: number, turn: number): string {
  const angle = turn * 2 * Math.PI - Math.PI / 2;
  return `${round(cx + r * Math.cos(angle))} ${round(cy + r * Math.sin(angle))}`;
}

function segment({ cx, cy, outer, inner }: Ring, from: number, to: number): string {
  const large = to - from > 0.5 ? 1 : 0;
  return [
    `M ${point(cx, cy, outer, from)}`,
    `A ${outer} ${outer} 0 ${large} 1 ${point(cx, cy, outer, to)}`,
    `L ${point(cx, cy, inner, to)}`,
    `A ${inner} ${inner} 0 ${large} 0 ${point(cx, cy, inner, from)}`,
    'Z',
  ].join(' ');
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** "Linux 5, macOS 3, Windows 1": the words behind a chart, for its accessible name. */
export function describeData(data: readonly Datum[], unit?: string): string {
  if (data.length === 0) return 'no data';
  return data.map((d) => `${d.label} ${d.value.toLocaleString('en')}${unit ? ` ${unit}` : ''}`).join(', ');
}
